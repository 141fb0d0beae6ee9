import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseToolServerArgs, runToolServerCli, toolServerVersion } from './cli.js';

describe('pixel-reasoner-tool-server --version', () => {
  it('prints the package version on stdout and starts no server', async () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(parseToolServerArgs(['--version'])).toBe('version');
    const out: string[] = [];
    const log: string[] = [];
    const server = await runToolServerCli(['--version'], {
      log: (line) => log.push(line),
      out: (line) => out.push(line),
    });
    expect(server).toBeUndefined();
    expect(out).toEqual([manifest.version]);
    expect(toolServerVersion()).toBe(manifest.version);
    expect(log).toEqual([]);
  });
});
