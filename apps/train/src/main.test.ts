import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) },
    out,
    err,
  };
}

describe('pixel-reasoner-train', () => {
  it('prints its version', async () => {
    const { io, out } = capture();
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    expect(await main(['--version'], io)).toBe(0);
    expect(out.join('')).toBe(`pixel-reasoner-train ${version}\n`);
  });

  it('refuses an override of __proto__ instead of ignoring it (exit 2)', async () => {
    const { io, err } = capture();
    expect(await main(['pipeline', '--set', '__proto__.x=1'], io)).toBe(2);
    expect(err.join('')).toContain('"__proto__" is not a config field');
  });

  it('lists the pretrain command in its usage', async () => {
    const { io, out } = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(out.join('')).toMatch(/pretrain +tokenizer → perception pretraining/);
  });
});
