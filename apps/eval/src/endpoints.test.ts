import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EndpointStats,
  type RunningServer,
  serve,
  type VisionLanguageModelV1,
} from '@pixel-reasoner/model-runtime';
import { createScriptedModel } from '@pixel-reasoner/test-utils';
import { afterEach, describe, expect, test } from 'vitest';
import { parseEvalArgs } from './args.js';
import { runEvalCli } from './run.js';

const MODEL = 'replicated-model';
let servers: RunningServer[] = [];
let root: string | undefined;
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close().catch(() => {})));
  servers = [];
  if (root) await rm(root, { recursive: true, force: true });
});

/** A replica: a scripted model served over HTTP, counting the generations it was asked for. */
async function replica(onCall?: (call: number) => void) {
  const scripted = createScriptedModel({ modelId: MODEL, tokenDelayMs: 2 });
  let calls = 0;
  const model: VisionLanguageModelV1 = {
    ...scripted,
    doGenerate(options) {
      calls += 1;
      onCall?.(calls);
      return scripted.doGenerate(options);
    },
  };
  const server = await serve({ model, log: () => {} });
  servers.push(server);
  return { server, calls: () => calls };
}

function collect() {
  const lines: string[] = [];
  return {
    lines,
    io: { stdout: (text: string) => lines.push(text), stderr: (text: string) => lines.push(text) },
  };
}

describe('pixel-reasoner-eval over several endpoints', () => {
  test('one replica killed mid-run: every item is scored exactly once by the others', async () => {
    root = await mkdtemp(join(tmpdir(), 'eval-endpoints-'));
    const first = await replica();
    let killed: Promise<void> | undefined;
    // The second replica dies while its third generation is in flight.
    const doomed = await replica((call) => {
      if (call === 3)
        killed ??= new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
          doomed.server.close(),
        );
    });
    const third = await replica();
    const out = join(root, 'out');
    const { io, lines } = collect();
    const result = await runEvalCli(
      parseEvalArgs([
        '--bench',
        'procedural',
        '--procedural-items',
        '3',
        '--model',
        `openai:${first.server.url},${doomed.server.url}`,
        '--model',
        `openai:${third.server.url}`,
        '--model-name',
        MODEL,
        '--concurrency',
        '6',
        '--no-progress',
        '--out',
        out,
      ]),
      io,
    );
    await killed;
    expect(killed).toBeDefined();

    const entries = Object.values(result.summary);
    const selected = entries.reduce((sum, entry) => sum + entry.selected, 0);
    expect(selected).toBe(15);
    for (const entry of entries) {
      expect(entry.failed).toBe(0);
      expect(entry.n).toBe(entry.selected);
    }
    // Scored once: one results.jsonl line per item, no item twice.
    const records = (await readFile(join(out, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { benchmark: string; id: string });
    expect(records).toHaveLength(15);
    expect(new Set(records.map((record) => `${record.benchmark}/${record.id}`)).size).toBe(15);

    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as Record<
      string,
      { endpoints?: EndpointStats[] }
    >;
    const endpoints = Object.values(summary)[0]!.endpoints!;
    expect(endpoints.map((stats) => stats.url)).toEqual([
      first.server.url,
      doomed.server.url,
      third.server.url,
    ]);
    const [a, b, c] = endpoints as [EndpointStats, EndpointStats, EndpointStats];
    expect(b.failed).toBeGreaterThanOrEqual(1);
    expect(b.timesTakenOut).toBeGreaterThanOrEqual(1);
    expect(b.available).toBe(false);
    expect(a.succeeded).toBeGreaterThan(0);
    expect(c.succeeded).toBeGreaterThan(0);
    // The live replicas answered every generation they were sent; the dead one left some unanswered.
    expect(a.succeeded).toBe(first.calls());
    expect(c.succeeded).toBe(third.calls());
    expect(b.succeeded).toBeLessThan(doomed.calls());
    for (const entry of Object.values(summary)) expect(entry.endpoints).toEqual(endpoints);
    expect(lines.join('')).toContain(`endpoint ${doomed.server.url}:`);
  });

  test('an endpoint down from the start is left out with a warning; the run goes ahead', async () => {
    root = await mkdtemp(join(tmpdir(), 'eval-endpoints-'));
    const live = await replica();
    const { io, lines } = collect();
    const result = await runEvalCli(
      parseEvalArgs([
        '--bench',
        'procedural:count',
        '--procedural-items',
        '2',
        '--model',
        `openai:http://127.0.0.1:1/v1,${live.server.url}`,
        '--model-name',
        MODEL,
        '--no-progress',
        '--out',
        join(root, 'out'),
      ]),
      io,
    );
    for (const entry of Object.values(result.summary)) expect(entry.failed).toBe(0);
    expect(live.calls()).toBeGreaterThanOrEqual(2);
    expect(lines.join('')).toContain('endpoint http://127.0.0.1:1/v1 is unreachable');
  });

  test('parses repeated and comma-listed endpoints, refusing mixtures and repeats by name', () => {
    const base = ['--bench', 'procedural', '--model-name', MODEL];
    expect(
      parseEvalArgs([
        ...base,
        '--model',
        'openai:http://a/v1,http://b/v1',
        '--model',
        'openai:http://c/v1',
      ]).model,
    ).toEqual({
      kind: 'openai',
      baseURL: 'http://a/v1',
      modelName: MODEL,
      baseURLs: ['http://a/v1', 'http://b/v1', 'http://c/v1'],
    });
    expect(parseEvalArgs([...base, '--model', 'openai:http://a/v1']).model).toEqual({
      kind: 'openai',
      baseURL: 'http://a/v1',
      modelName: MODEL,
    });
    expect(() =>
      parseEvalArgs([...base, '--model', 'openai:http://a/v1', '--model', 'openai:http://a/v1']),
    ).toThrow(/endpoint "http:\/\/a\/v1" is given twice/);
    expect(() =>
      parseEvalArgs([...base, '--model', 'openai:http://a/v1', '--model', 'ckpt']),
    ).toThrow(/either one checkpoint folder or openai: endpoints/);
    expect(() => parseEvalArgs(['--bench', 'procedural', '--model', 'a', '--model', 'b'])).toThrow(
      /one checkpoint folder, got "a", "b"/,
    );
    expect(() =>
      parseEvalArgs([...base, '--model', 'openai:http://a/v1', '--endpoint-cooldown', '5']),
    ).toThrow(/--endpoint-cooldown only applies to several/);
    expect(
      parseEvalArgs([
        ...base,
        '--model',
        'openai:http://a/v1,http://b/v1',
        '--endpoint-cooldown',
        '2.5',
      ]).endpointCooldownMs,
    ).toBe(2500);
  });
});
