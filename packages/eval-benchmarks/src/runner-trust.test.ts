import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { VisionLanguageModelV1 } from '@pixel-reasoner/model-runtime';
import { createScriptedModel } from '@pixel-reasoner/test-utils';
import { describe, expect, test } from 'vitest';
import { proceduralBenchmarks, vstarBenchmark } from './benchmarks.js';
import { RunSettingsMismatchError } from './errors.js';
import { readResults } from './results-store.js';
import { runBenchmarks } from './runner.js';
import { temporaryDir, writeVstarFixture } from './test-helpers/fixtures.js';
import type { Benchmark } from './types.js';

const nanCrop =
  '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [NaN, 0.1, 0.6, 0.7], "target_image": 1}}\n</tool_call>';

describe('what counts in n', () => {
  test('a NaN box or 3 KB of nesting from the model is scored, not dropped', async () => {
    const data = await temporaryDir('trust-nan-data');
    await writeVstarFixture(data);
    const model = createScriptedModel({
      script: (context) => {
        const text = JSON.stringify(context.messages);
        if (context.turnIndex > 0) return '\\boxed{C}';
        return text.includes('cup') ? nanCrop : `<tool_call>${'['.repeat(3000)}</tool_call>`;
      },
    });
    const { summary } = await runBenchmarks({
      model,
      benchmarks: [vstarBenchmark({ dataDir: data })],
      outDir: await temporaryDir('trust-nan-out'),
      progress: false,
    });
    expect(summary.vstar).toMatchObject({ n: 2, failed: 0, modelErrors: 0, operationsValid: 0 });
  });

  test('a throw after the model answered scores 0 and stays in the denominator', async () => {
    const data = await temporaryDir('trust-throw-data');
    await writeVstarFixture(data);
    const plain = vstarBenchmark({ dataDir: data });
    const fragile: Benchmark = {
      ...plain,
      load: () => plain.load(),
      buildPrompt: (item) => plain.buildPrompt(item),
      extract(output, item) {
        if (output.includes('weird')) throw new TypeError(`cannot read "${output}"`);
        return plain.extract(output, item);
      },
      score: (extracted, item, output) => plain.score(extracted, item, output),
    };
    const out = await temporaryDir('trust-throw-out');
    const model = createScriptedModel({
      script: (context) =>
        JSON.stringify(context.messages).includes('cup') ? 'weird \\boxed{C}' : '\\boxed{B}',
    });
    const { summary } = await runBenchmarks({
      model,
      benchmarks: [fragile],
      outDir: out,
      progress: false,
    });
    expect(summary.vstar).toMatchObject({ n: 2, failed: 0, modelErrors: 1, accuracy: 0.5 });
    const records = await readResults(join(out, 'results.jsonl'));
    const thrown = records.find((record) => record.error !== undefined)!;
    expect(thrown).toMatchObject({ score: 0, extracted: null });
    expect(thrown.error).toContain('TypeError: cannot read "weird');
  });

  test('every failed model call is listed with its reason and the API key redacted', async () => {
    const key = 'sk-live-0123456789abcdef';
    const refusing: VisionLanguageModelV1 = {
      ...createScriptedModel(),
      async doGenerate() {
        throw new Error(`HTTP 401: invalid key ${key} for this server`);
      },
    };
    const out = await temporaryDir('trust-refused');
    const { summary } = await runBenchmarks({
      model: refusing,
      benchmarks: proceduralBenchmarks({ families: ['count'], itemsPerFamily: 25 }),
      outDir: out,
      progress: false,
      redact: [key],
    });
    const tally = summary['procedural/tallyqa']!;
    expect(tally).toMatchObject({ n: 0, selected: 25, failed: 25 });
    expect(tally.failures).toHaveLength(25);
    expect(tally.failures![0]!.error).toBe('HTTP 401: invalid key [redacted] for this server');
    for (const file of ['summary.json', 'report.md', 'report.html']) {
      const text = await readFile(join(out, file), 'utf8');
      expect(text).not.toContain(key);
    }
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain(
      'Failed items (25, no result, retried by the next run)',
    );
  });
});

describe('an output folder pins its run settings', () => {
  const run = (model: VisionLanguageModelV1, outDir: string, extra: object = {}) =>
    runBenchmarks({
      model,
      benchmarks: proceduralBenchmarks({ families: ['count'], itemsPerFamily: 2 }),
      outDir,
      progress: false,
      ...extra,
    });

  test('refuses to resume with another model, profile or setting, naming it', async () => {
    const out = await temporaryDir('pin');
    await run(createScriptedModel({ script: ['\\boxed{2}'], modelId: 'model-a' }), out);
    const other = createScriptedModel({ script: ['\\boxed{2}'], modelId: 'model-b' });
    await expect(run(other, out)).rejects.toSatisfy(
      (error) =>
        RunSettingsMismatchError.isInstance(error) &&
        error.message.includes('model: "model-a" → "model-b"'),
    );
    await expect(
      run(createScriptedModel({ script: ['\\boxed{2}'], modelId: 'model-a' }), out, {
        profile: 'notool',
      }),
    ).rejects.toThrow(/profile: "pixel-reasoner-v1" → "notool"/);
    await expect(
      run(createScriptedModel({ script: ['\\boxed{2}'], modelId: 'model-a' }), out, {
        limits: { maxOperations: 1 },
      }),
    ).rejects.toThrow(/limits\.maxOperations: 4 → 1/);
    await expect(
      runBenchmarks({
        model: createScriptedModel({ script: ['\\boxed{2}'], modelId: 'model-a' }),
        benchmarks: proceduralBenchmarks({ families: ['count'], itemsPerFamily: 2, startSeed: 9 }),
        outDir: out,
        progress: false,
      }),
    ).rejects.toThrow(/procedural\/tallyqa\.startSeed: 0 → 9/);
    expect(other.calls).toHaveLength(0);
    // The selection may change: more items of the same suite resume into the folder.
    const more = await runBenchmarks({
      model: createScriptedModel({ script: ['\\boxed{2}'], modelId: 'model-a' }),
      benchmarks: proceduralBenchmarks({ families: ['count'], itemsPerFamily: 3 }),
      outDir: out,
      progress: false,
    });
    expect(more.summary['procedural/tallyqa']!.n).toBe(3);
  });

  test('refuses a folder written before pinning when its results name another model', async () => {
    const out = await temporaryDir('pin-legacy');
    await run(createScriptedModel({ script: ['\\boxed{2}'], modelId: 'model-a' }), out);
    await rm(join(out, 'run.json'));
    await expect(
      run(createScriptedModel({ script: ['\\boxed{2}'], modelId: 'model-b' }), out),
    ).rejects.toThrow(/results\.jsonl.*model: "model-a" → "model-b"/);
  });
});

describe('progress off a terminal', () => {
  test('prints plain done/total lines with rate and ETA', async () => {
    const lines: string[] = [];
    await runBenchmarks({
      model: createScriptedModel({ script: ['\\boxed{2}'] }),
      benchmarks: proceduralBenchmarks({ families: ['count'], itemsPerFamily: 3 }),
      outDir: await temporaryDir('progress-lines'),
      concurrency: 1,
      progress: 'lines',
      progressIntervalMs: 0,
      progressWrite: (text) => lines.push(text),
    });
    expect(lines[0]).toMatch(/^eval 0\/3 \(0\.0%\) \| 0\.00 items\/s \| eta \?\n$/);
    expect(lines.some((line) => line.startsWith('eval 2/3 (66.7%)'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^eval 3\/3 \(100\.0%\) \| [\d.]+ items\/s \| eta 0s/);
  });
});
