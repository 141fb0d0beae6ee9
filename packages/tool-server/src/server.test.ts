import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToolServerArgs } from './cli.js';
import { InvalidOptionError } from './errors.js';
import { type RunningToolServer, startToolServer } from './server.js';
import { writeFixtureImages } from './test-helpers/images.js';

const CLIENT = join(import.meta.dirname, 'test-helpers', 'verl_tool_client.py');
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const hasPython = python.status === 0;
const pythonReason = hasPython ? '' : ' (skipped: python3 is not on PATH)';

/** Heap plus memory outside it (sharp's pixel buffers) after a full collection, in bytes. */
function settledMemory(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

function runClient(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn('python3', [CLIENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

let root: string;
let server: RunningToolServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tool-server-'));
  await writeFixtureImages(root);
  server = await startToolServer({ port: 0, imageRoot: root });
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe(`pixel-reasoner-tool-server with a verl-tool shaped Python client${pythonReason}`, () => {
  it.skipIf(!hasPython)(
    'answers crop, select_frames, malformed, unknown-tool and finish requests, 64 trajectories at once, and frees their memory after finish',
    async () => {
      const baseline = settledMemory();
      let peak = baseline;
      const sampler = setInterval(() => {
        const usage = process.memoryUsage();
        peak = Math.max(peak, usage.heapUsed + usage.external);
      }, 5);
      const result = await runClient(['--url', server.url, '--image-root', root]);
      clearInterval(sampler);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as {
        checks: number;
        peak_trajectories: number;
        peak_state_bytes: number;
        final_trajectories: number;
        final_state_bytes: number;
        evicted: Record<string, number>;
      };
      expect(summary.peak_trajectories).toBe(66);
      expect(summary.final_trajectories).toBe(0);
      expect(summary.final_state_bytes).toBe(0);
      expect(summary.evicted).toMatchObject({ finish: 66, ttl: 0, capacity: 0 });
      // The held images are visible in the process, and gone again once collected.
      const after = settledMemory();
      expect(peak - baseline).toBeGreaterThan(summary.peak_state_bytes / 2);
      expect(after - baseline).toBeLessThan(16 * 1024 * 1024);
    },
    120_000,
  );
});

describe('HTTP routes', () => {
  it('answers /health like a verl-tool worker and 404s unknown routes', async () => {
    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string };
    expect(health.status).toBe('healthy');
    expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
  });

  it('refuses a body that is not JSON with 400 and a malformed request with 422', async () => {
    const post = (body: string) => fetch(`${server.url}/get_observation`, { method: 'POST', body });
    expect((await post('{not json')).status).toBe(400);
    const malformed = await post(JSON.stringify({ trajectory_ids: ['a'] }));
    expect(malformed.status).toBe(422);
    expect(((await malformed.json()) as { detail: string }).detail).toContain('actions');
  });

  it('refuses bodies above the size limit with 413', async () => {
    const small = await startToolServer({ port: 0, maxBodyBytes: 64 });
    try {
      const response = await fetch(`${small.url}/get_observation`, {
        method: 'POST',
        body: JSON.stringify({ trajectory_ids: ['a'], actions: ['x'.repeat(200)] }),
      });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('parseToolServerArgs', () => {
  it('reads caps, preset, box mode and aliases', () => {
    const options = parseToolServerArgs([
      '--image-root',
      '/data',
      '--port',
      '0',
      '--preset',
      'eval',
      '--box-mode',
      'reference-heuristic',
      '--alias',
      'crop_image=crop_image_normalized',
      '--ttl-seconds',
      '30',
      '--max-state-mb',
      '512',
      '--max-trajectories',
      '100',
    ]);
    expect(options).toMatchObject({
      imageRoot: '/data',
      port: 0,
      ttlMs: 30_000,
      maxBytes: 512 * 1024 * 1024,
      maxTrajectories: 100,
      toolAliases: { crop_image: 'crop_image_normalized' },
      toolOptions: { boxMode: 'reference-heuristic', cropMinPixels: 256 * 784 },
    });
  });

  it.each([
    [['--port', '70000'], '--port'],
    [['--preset', 'fast'], '--preset'],
    [['--alias', 'crop_image'], '--alias'],
    [['--ttl-seconds', '0'], '--ttl-seconds'],
    [['--box-mode', 'corners'], '--box-mode'],
  ])('rejects %j naming %s', (argv, option) => {
    expect(() => parseToolServerArgs(argv)).toThrow(InvalidOptionError);
    expect(() => parseToolServerArgs(argv)).toThrow(option);
  });
});
