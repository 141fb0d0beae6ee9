import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrajectoriesJsonl } from './formats/jsonl.js';
import { runSynthCli } from './run-synth-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synth-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function quietIo() {
  const stdout = new PassThrough();
  const chunks: string[] = [];
  stdout.on('data', (chunk) => chunks.push(String(chunk)));
  return {
    io: { stdout, stderr: new PassThrough(), progress: true },
    output: () => chunks.join(''),
  };
}

describe('runSynthCli', () => {
  it('synthesizes one trajectory per seed from every family into our JSONL', async () => {
    const out = join(dir, 'jsonl');
    const { io, output } = quietIo();
    const result = await runSynthCli(
      ['--family', 'all', '--count', '6', '--seed', '7', '--out', out, '--text-only-share', '0'],
      io,
    );
    expect(result?.count).toBe(6);
    expect(Object.values(result?.byKind ?? {}).reduce((sum, count) => sum + count, 0)).toBe(6);
    expect(result?.byKind['text-only']).toBeUndefined();
    expect(JSON.parse(output()).count).toBe(6);
    const trajectories = [];
    for await (const trajectory of readTrajectoriesJsonl(join(out, 'trajectories.jsonl')))
      trajectories.push(trajectory);
    expect(new Set(trajectories.map((trajectory) => trajectory.source.split(':')[1])).size).toBe(5);
  });

  it('writes the reference SFT schema on request', async () => {
    const out = join(dir, 'reference');
    const { io } = quietIo();
    await runSynthCli(
      [
        '--family',
        'count,frames',
        '--count',
        '2',
        '--seed',
        '1',
        '--out',
        out,
        '--format',
        'reference',
      ],
      io,
    );
    const entries = JSON.parse(await readFile(join(out, 'sft.json'), 'utf8')) as Array<{
      message_list: unknown[];
    }>;
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => Array.isArray(entry.message_list))).toBe(true);
  });

  it.each([
    ['llamafactory', ['llamafactory.json', 'dataset_info.json']],
    ['swift', ['swift.jsonl']],
    ['verl-parquet', ['verl.parquet']],
  ])('writes the %s format with --format', async (format, files) => {
    const out = join(dir, format);
    const { io } = quietIo();
    const result = await runSynthCli(
      [
        '--family',
        'zoom-attribute,frames',
        '--count',
        '2',
        '--seed',
        '3',
        '--out',
        out,
        '--format',
        format,
      ],
      io,
    );
    expect(result?.file).toBe(join(out, files[0]!));
    expect(result?.count).toBeGreaterThanOrEqual(2);
    expect((await readdir(out)).sort()).toEqual([...files, 'media'].sort());
  });

  it('rejects bad arguments with a message naming the option', async () => {
    const { io } = quietIo();
    await expect(
      runSynthCli(['--family', 'cats', '--count', '1', '--out', dir], io),
    ).rejects.toThrow(/option `--family` must be all or one of/);
    await expect(runSynthCli(['--family', 'all', '--count=1.5', '--out', dir], io)).rejects.toThrow(
      /`--count` must be a non-negative integer/,
    );
    await expect(
      runSynthCli(['--family', 'all', '--count', '1', '--out', dir, '--format', 'csv'], io),
    ).rejects.toThrow(/`--format`/);
    await expect(
      runSynthCli(['--family', 'all', '--count', '1', '--out', dir, '--masks', 'some'], io),
    ).rejects.toThrow(/`--masks`/);
    await expect(
      runSynthCli(['--family', 'all', '--count', '1', '--out', dir, '--verl-images', 'url'], io),
    ).rejects.toThrow(/`--verl-images`/);
    await expect(runSynthCli(['--bogus'], io)).rejects.toThrow(/Unknown option '--bogus'/);
    const help = quietIo();
    expect(await runSynthCli(['--help'], help.io)).toBeUndefined();
    expect(help.output()).toContain('Usage: pixel-reasoner-synth');
  });
});
