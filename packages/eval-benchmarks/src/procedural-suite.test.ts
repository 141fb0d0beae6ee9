import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createScriptedModel } from '@pixel-reasoner/test-utils';
import { describe, expect, test } from 'vitest';
import { benchmarksFromSpec, proceduralBenchmarks } from './benchmarks.js';
import { InvalidRunOptionsError, UnknownBenchmarkError } from './errors.js';
import { normalMeanInterval, scoreInterval, wilsonInterval } from './intervals.js';
import { ProgressLines } from './progress-lines.js';
import { readResults } from './results-store.js';
import { runBenchmarks } from './runner.js';
import { temporaryDir } from './test-helpers/fixtures.js';

describe('proceduralBenchmarks options', () => {
  test('selects families, starts at a seed and sizes each family on its own', async () => {
    const benchmarks = proceduralBenchmarks({
      families: ['zoom-attribute', 'count'],
      startSeed: 1000,
      itemsPerFamily: { 'zoom-attribute': 3, default: 2 },
    });
    expect(benchmarks.map((benchmark) => benchmark.name)).toEqual([
      'procedural/vstar',
      'procedural/tallyqa',
    ]);
    expect(benchmarks[0]!.settings).toMatchObject({
      families: 'zoom-attribute',
      startSeed: 1000,
      itemsPerFamily: 3,
    });
    const vstar = await benchmarks[0]!.load();
    expect(vstar.items.map((item) => item.id)).toEqual([
      'zoom-attribute/test/1000',
      'zoom-attribute/test/1001',
      'zoom-attribute/test/1002',
    ]);
    expect(vstar.items.every((item) => typeof item.needsOperation === 'boolean')).toBe(true);
    const tallyqa = await benchmarks[1]!.load();
    expect(tallyqa.items.map((item) => item.id)).toEqual(['count/test/1000', 'count/test/1001']);
  });

  test('names per-family counts in the settings when a part mixes them', () => {
    const [vstar] = proceduralBenchmarks({
      parts: ['vstar'],
      itemsPerFamily: { 'zoom-attribute': 200, default: 100 },
    });
    expect(vstar!.settings.itemsPerFamily).toBe('zoom-attribute=200+relative-position=100');
  });

  test('refuses unknown families, parts and bad counts by name', () => {
    expect(() => proceduralBenchmarks({ families: ['zoom' as never] })).toThrow(/"zoom"/);
    expect(() => proceduralBenchmarks({ parts: ['vqa' as never] })).toThrow(/"vqa"/);
    expect(() => proceduralBenchmarks({ itemsPerFamily: { counts: 3 } as never })).toThrow(
      /"counts"/,
    );
    expect(() => proceduralBenchmarks({ itemsPerFamily: -1 })).toThrow(InvalidRunOptionsError);
    expect(() => proceduralBenchmarks({ parts: ['tallyqa'], families: ['frames'] })).toThrow(
      /no procedural benchmark left/,
    );
  });

  test('reads families and parts from a procedural: spec', () => {
    const benchmarks = benchmarksFromSpec('procedural:zoom-attribute,count', {
      proceduralStartSeed: 7,
      proceduralItemsPerFamily: 4,
    });
    expect(benchmarks.map((benchmark) => [benchmark.name, benchmark.settings.families])).toEqual([
      ['procedural/vstar', 'zoom-attribute'],
      ['procedural/tallyqa', 'count'],
    ]);
    expect(benchmarks[0]!.settings.startSeed).toBe(7);
    expect(benchmarksFromSpec('procedural:mvbench').map((benchmark) => benchmark.name)).toEqual([
      'procedural/mvbench',
    ]);
    expect(benchmarksFromSpec('procedural')).toHaveLength(4);
    expect(() => benchmarksFromSpec('procedural:zoom')).toThrow(UnknownBenchmarkError);
  });
});

describe('confidence intervals', () => {
  test('Wilson interval matches the closed form (7 of 10)', () => {
    // p = 0.7, z = 1.96: centre 0.6445, half-width 0.2474 (Wilson 1927; standard tables).
    const interval = wilsonInterval(7, 10)!;
    expect(interval.low).toBeCloseTo(0.3968, 3);
    expect(interval.high).toBeCloseTo(0.8922, 3);
    expect(interval.method).toBe('wilson');
    expect(wilsonInterval(0, 20)!.low).toBe(0);
    expect(wilsonInterval(0, 20)!.high).toBeGreaterThan(0.1);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  test('normal interval on a mean uses the sample standard deviation', () => {
    // mean 0.5, s = √(0.5 / 3) = 0.40825, n = 4: half-width 1.96 · s / √4 = 0.40008.
    const interval = normalMeanInterval([0, 0.5, 0.5, 1])!;
    expect(interval.low).toBeCloseTo(0.09992, 4);
    expect(interval.high).toBeCloseTo(0.90008, 4);
    expect(normalMeanInterval([1, 1, 1, 0.9])!.high).toBe(1);
    expect(scoreInterval('anls', [0.2, 0.4])!.method).toBe('normal');
    expect(scoreInterval('accuracy', [1, 0])!.method).toBe('wilson');
  });
});

describe('a procedural run', () => {
  test('records needsOperation, splits the summary by it and counts well-formed calls apart from valid ones', async () => {
    const out = await temporaryDir('procedural-run');
    // Turn 1: a crop with five numbers (the executor uses the first four and calls it valid);
    // turn 2: an exact crop; then the answer.
    const model = createScriptedModel({
      script: (context) =>
        context.turnIndex === 0
          ? '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.7, 0.7, 0.5], "target_image": 1}}\n</tool_call>'
          : context.turnIndex === 1
            ? '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.7, 0.7], "target_image": 2}}\n</tool_call>'
            : '\\boxed{A}',
    });
    const { summary } = await runBenchmarks({
      model,
      benchmarks: proceduralBenchmarks({
        families: ['zoom-attribute'],
        itemsPerFamily: 6,
        startSeed: 40,
      }),
      outDir: out,
      limits: { maxOperations: 2 },
      progress: false,
    });
    const records = await readResults(join(out, 'results.jsonl'));
    expect(records).toHaveLength(6);
    expect(records.every((record) => typeof record.needsOperation === 'boolean')).toBe(true);
    const vstar = summary['procedural/vstar']!;
    const needing = records.filter((record) => record.needsOperation === true);
    const answerable = records.filter((record) => record.needsOperation === false);
    expect(vstar.needsOperation!.n).toBe(needing.length);
    expect(vstar.answerable!.n).toBe(answerable.length);
    expect(vstar.needsOperation!.n + vstar.answerable!.n).toBe(vstar.n);
    const correct = records.filter((record) => record.score === 1).length;
    expect(vstar.interval).toEqual(wilsonInterval(correct, 6));
    expect(vstar.operationsAttempted).toBe(12);
    expect(vstar.operationsValid).toBe(12);
    expect(vstar.operationsWellFormed).toBe(6);
    expect(vstar.wellFormedRate).toBe(0.5);
    expect(vstar.rapr).toBe(1);
    expect(records[0]!.episode.steps.map((step) => step.operation?.wellFormed)).toEqual([
      false,
      true,
      undefined,
    ]);
    expect(vstar.settings.maxOperations).toBe(2);
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('Well-formed calls');
    expect(markdown).toContain('| 50.0 |');
  });

  test('leaves needsOperation null and the splits out for benchmarks that cannot tell', async () => {
    const out = await temporaryDir('procedural-run-null');
    const [benchmark] = proceduralBenchmarks({ parts: ['tallyqa'], itemsPerFamily: 1 });
    const loaded = await benchmark!.load();
    const blind = {
      ...benchmark!,
      load: async () => ({
        ...loaded,
        items: loaded.items.map(({ needsOperation: _, ...item }) => item),
      }),
    };
    const { summary } = await runBenchmarks({
      model: createScriptedModel({ script: ['\\boxed{3}'] }),
      benchmarks: [blind],
      outDir: out,
      progress: false,
    });
    const records = await readResults(join(out, 'results.jsonl'));
    expect(records[0]!.needsOperation).toBeNull();
    expect(summary['procedural/tallyqa']!.needsOperation).toBeNull();
    expect(summary['procedural/tallyqa']!.answerable).toBeNull();
  });
});

describe('ProgressLines', () => {
  test('prints at most once per interval between items, and at start and end', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = new ProgressLines({
      total: 4,
      write: (text) => lines.push(text),
      intervalMs: 30_000,
      now: () => now,
    });
    now = 10_000;
    progress.increment('a');
    now = 31_000;
    progress.increment('a');
    now = 40_000;
    progress.increment('b');
    progress.stop();
    expect(lines).toEqual([
      'eval 0/4 (0.0%) | 0.00 items/s | eta ?\n',
      'eval 2/4 (50.0%) | 0.06 items/s | eta 31s | a\n',
      'eval 3/4 (75.0%) | 0.07 items/s | eta 13s | b\n',
    ]);
  });
});
