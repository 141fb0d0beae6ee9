import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyTokenizer } from '../local/test-helpers/fixtures.js';
import { saveCheckpoint, selectBackend, TinyVLM } from '../local.js';
import { parseServeArgs, runServeCli, ServeUsageError, serveVersion } from './cli.js';

describe('parseServeArgs', () => {
  it('requires a checkpoint and reads defaults', () => {
    expect(() => parseServeArgs([])).toThrow(ServeUsageError);
    expect(parseServeArgs(['--checkpoint', 'ckpt'])).toEqual({
      checkpoint: 'ckpt',
      port: 8000,
      host: '127.0.0.1',
      maxBodyBytes: 64 * 1024 * 1024,
      maxImagePixels: 50_000_000,
    });
  });

  it('reads --max-body-bytes and --max-image-pixels, refusing non-positive values by name', () => {
    expect(
      parseServeArgs([
        '--checkpoint',
        'c',
        '--max-body-bytes',
        '1048576',
        '--max-image-pixels',
        '1000000',
      ]),
    ).toMatchObject({ maxBodyBytes: 1_048_576, maxImagePixels: 1_000_000 });
    expect(() => parseServeArgs(['--checkpoint', 'c', '--max-body-bytes', '0'])).toThrow(
      /--max-body-bytes must be a positive integer, got "0"/,
    );
    expect(() => parseServeArgs(['--checkpoint', 'c', '--max-image-pixels', '1e6'])).toThrow(
      /--max-image-pixels/,
    );
  });

  it('answers --version with the package version, needing no checkpoint', async () => {
    expect(parseServeArgs(['--version'])).toBe('version');
    const lines: string[] = [];
    expect(await runServeCli(['--version'], { log: (line) => lines.push(line) })).toBeUndefined();
    expect(lines).toEqual([serveVersion()]);
    expect(serveVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects a bad port, an unknown backend and unknown flags, naming them', () => {
    expect(() => parseServeArgs(['--checkpoint', 'c', '--port', '70000'])).toThrow(/--port/);
    expect(() => parseServeArgs(['--checkpoint', 'c', '--backend', 'gpu'])).toThrow(/--backend/);
    expect(() => parseServeArgs(['--checkpoint', 'c', '--temperature', '1'])).toThrow(
      /temperature/,
    );
  });
});

describe('runServeCli', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'serve-cli-'));
    await selectBackend({ backend: 'cpu' });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves a saved checkpoint over the OpenAI chat API', async () => {
    const model = new TinyVLM({
      tokenizer: tinyTokenizer(),
      config: {
        dModel: 32,
        numHeads: 2,
        numLayers: 1,
        ffnDim: 64,
        maxSequenceLength: 128,
        seed: 3,
      },
      modelId: 'served-tiny',
    });
    const checkpoint = join(root, 'checkpoint');
    await saveCheckpoint(model, checkpoint);
    model.dispose();
    const lines: string[] = [];
    const running = await runServeCli(
      ['--checkpoint', checkpoint, '--port', '0', '--backend', 'cpu', '--max-body-bytes', '4096'],
      {
        log: (line) => lines.push(line),
      },
    );
    if (!running) throw new Error('expected a running server');
    try {
      const models = (await (await fetch(`${running.server.url}/models`)).json()) as {
        data: { id: string }[];
      };
      expect(models.data.map((entry) => entry.id)).toEqual(['served-tiny']);
      const response = await fetch(`${running.server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'served-tiny',
          messages: [{ role: 'user', content: 'red' }],
          max_tokens: 3,
          temperature: 0,
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { usage: { completion_tokens: number } };
      expect(body.usage.completion_tokens).toBeGreaterThan(0);
      expect(lines.some((line) => line.includes('serving served-tiny'))).toBe(true);
      const oversized = await fetch(`${running.server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'served-tiny',
          messages: [{ role: 'user', content: 'red '.repeat(2000) }],
        }),
      });
      expect(oversized.status).toBe(413);
      const tooLong = await fetch(`${running.server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'served-tiny',
          messages: [{ role: 'user', content: 'red '.repeat(900) }],
        }),
      });
      expect(tooLong.status).toBe(400);
      expect(((await tooLong.json()) as { error: { type: string } }).error.type).toBe(
        'context_length_exceeded',
      );
    } finally {
      await running.server.close();
      running.model.dispose();
    }
  });
});
