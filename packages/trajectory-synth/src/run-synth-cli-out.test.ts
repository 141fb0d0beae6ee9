import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputFolderError } from './errors.js';
import { prepareOutputFolder, runSynthCli, synthVersion } from './run-synth-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synth-cli-out-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const io = () => ({ stdout: new PassThrough(), stderr: new PassThrough(), progress: false });
const argsFor = (out: string) => ['--family', 'count', '--count', '1', '--seed', '0', '--out', out];

describe('pixel-reasoner-synth --out', () => {
  it('refuses a file (like /etc/hostname) with a typed error naming it', async () => {
    const file = join(dir, 'hostname');
    await writeFile(file, 'box\n');
    const run = runSynthCli(argsFor(file), io());
    await expect(run).rejects.toBeInstanceOf(OutputFolderError);
    await expect(run).rejects.toThrow(`output folder ${file}: is a file, not a folder`);
    expect(readFileSync(file, 'utf8')).toBe('box\n');
  });

  it('refuses a folder under a file, saying a file is in the way', async () => {
    const file = join(dir, 'plain');
    await writeFile(file, '');
    const out = join(file, 'dataset');
    await expect(runSynthCli(argsFor(out), io())).rejects.toThrow(
      `output folder ${out}: cannot be created (a file is in the way of one of its parent folders)`,
    );
  });

  it('creates a missing folder before synthesizing anything', async () => {
    const out = join(dir, 'new', 'nested');
    await prepareOutputFolder(out);
    expect(await readdir(out)).toEqual([]);
    await expect(prepareOutputFolder(out)).resolves.toBeUndefined();
  });
});

describe('pixel-reasoner-synth --version', () => {
  it('prints the package version and synthesizes nothing', async () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const stdout = new PassThrough();
    const chunks: string[] = [];
    stdout.on('data', (chunk) => chunks.push(String(chunk)));
    const result = await runSynthCli(['--version'], { ...io(), stdout });
    expect(result).toBeUndefined();
    expect(chunks.join('')).toBe(`${manifest.version}\n`);
    expect(synthVersion()).toBe(manifest.version);
  });
});
