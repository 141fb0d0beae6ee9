import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ModelServerUnreachableError,
  serve,
  UnknownServedModelError,
} from '@pixel-reasoner/model-runtime';
import { createScriptedModel } from '@pixel-reasoner/test-utils';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { nearestFlag, parseEvalArgs } from './args.js';
import { CliUsageError } from './errors.js';
import { main } from './main.js';
import { runEvalCli } from './run.js';

const quiet = { stdout: () => {}, stderr: () => {} };
let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (running) await new Promise((resolve) => running.close(resolve));
  vi.restoreAllMocks();
});

function captureStderr(): string[] {
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  return written;
}

const procedural = ['--bench', 'procedural:count', '--procedural-items', '2', '--no-progress'];

describe('pixel-reasoner-eval checks the server first', () => {
  test('stops at once when nothing listens at the URL', async () => {
    const out = await mkdtemp(join(tmpdir(), 'eval-dead-'));
    const options = parseEvalArgs([
      ...procedural,
      '--model',
      'openai:http://127.0.0.1:1/v1',
      '--model-name',
      'm',
      '--out',
      out,
    ]);
    await expect(runEvalCli(options, quiet)).rejects.toBeInstanceOf(ModelServerUnreachableError);
    const stderr = captureStderr();
    expect(
      await main([
        ...procedural,
        '--model',
        'openai:http://127.0.0.1:1/v1',
        '--model-name',
        'm',
        '--out',
        out,
      ]),
    ).toBe(1);
    expect(stderr.join('')).toContain('ModelServerUnreachableError');
  });

  test('names the served models when --model-name is wrong', async () => {
    const running = await serve({ model: createScriptedModel({ modelId: 'served-name' }) });
    try {
      const options = parseEvalArgs([
        ...procedural,
        '--model',
        `openai:${running.url}`,
        '--model-name',
        'served-nmae',
        '--out',
        await mkdtemp(join(tmpdir(), 'eval-name-')),
      ]);
      await expect(runEvalCli(options, quiet)).rejects.toSatisfy(
        (error) =>
          UnknownServedModelError.isInstance(error) &&
          /it serves "served-name"/.test(error.message),
      );
    } finally {
      await running.close();
    }
  });

  test('exits 1 and keeps n honest when every completion is refused (401)', async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (request.url?.endsWith('/models')) {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ data: [{ id: 'm' }] }));
          return;
        }
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'invalid api key' } }));
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const out = await mkdtemp(join(tmpdir(), 'eval-401-'));
    const stderr = captureStderr();
    const code = await main([
      ...procedural,
      '--model',
      `openai:${url}`,
      '--model-name',
      'm',
      '--out',
      out,
    ]);
    expect(code).toBe(1);
    expect(stderr.join('')).toMatch(/2 item\(s\) have no result/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary['procedural/tallyqa']).toMatchObject({ n: 0, selected: 2, failed: 2 });
    expect(summary['procedural/tallyqa'].failures[0].error).toMatch(/HTTP 401/);
  });
});

describe('usage errors', () => {
  test('an unknown benchmark exits 2, not 1', async () => {
    const stderr = captureStderr();
    expect(await main(['--bench', 'foo', '--model', 'ckpt'])).toBe(2);
    expect(stderr.join('')).toMatch(/unknown benchmark "foo"/);
    expect(await main(['--bench', 'procedural:zoom', '--model', 'ckpt'])).toBe(2);
  });

  test('an unknown flag suggests the nearest one', () => {
    expect(() => parseEvalArgs(['--tasks', 'vstar', '--model', 'x'])).toThrow(
      /unknown flag --tasks \(did you mean --bench\?\)/,
    );
    expect(() => parseEvalArgs(['--bench', 'procedural', '--modle', 'x'])).toThrow(
      /did you mean --model\?/,
    );
    expect(() => parseEvalArgs(['--bench', 'procedural', '--procedural-sed', '3'])).toThrow(
      CliUsageError,
    );
    expect(nearestFlag('--procedural-sed', ['procedural-seed', 'bench'])).toBe('procedural-seed');
    expect(nearestFlag('--zzzzzz', ['bench', 'model'])).toBeUndefined();
  });

  test('--version prints the version and exits 0', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    expect(await main(['--version'])).toBe(0);
    expect(printed.join('')).toMatch(/^pixel-reasoner-eval \d+\.\d+\.\d+\n$/);
  });
});
