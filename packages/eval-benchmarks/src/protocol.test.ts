import { describe, expect, it } from 'vitest';
import { mcnemarExactPValue, pairedBootstrap } from './compare.js';
import { InvalidRunOptionsError } from './errors.js';
import { stratifiedMeanInterval } from './intervals.js';
import { formatOptions } from './loaders/records.js';
import { applyOptionOrder, parseOptionOrder, rotationId } from './protocol.js';
import type { ResultRecord } from './results.js';
import { aggregateUnits, type ScoredUnit, summarizeBenchmark } from './summary.js';
import type { BenchmarkItem } from './types.js';

function choiceItem(id: string, options: string[], label: string): BenchmarkItem {
  return {
    id,
    category: 'c',
    question: `Q ${id}\n${formatOptions(options)}`,
    media: [],
    groundTruth: { kind: 'choice', label, options },
    location: { file: 'f' },
    choicePrompt: { format: (shown) => `Q ${id}\n${formatOptions(shown)}` },
  };
}

const correctText = (item: BenchmarkItem) => {
  if (item.groundTruth.kind !== 'choice') throw new Error('not a choice item');
  return item.groundTruth.options['ABCDE'.indexOf(item.groundTruth.label)];
};

describe('option order', () => {
  const items = [
    choiceItem('cup', ['blue', 'white', 'red', 'green'], 'C'),
    choiceItem('dog', ['right', 'left'], 'B'),
  ];

  it('shuffles with a seed: the label follows the correct option, the question shows the new order', () => {
    const shuffled = applyOptionOrder(items, { kind: 'shuffle', seed: 7 }, 'vstar');
    expect(shuffled).toEqual(applyOptionOrder(items, { kind: 'shuffle', seed: 7 }, 'vstar'));
    for (const [index, item] of shuffled.entries()) {
      expect(correctText(item)).toBe(correctText(items[index]!));
      if (item.groundTruth.kind !== 'choice') throw new Error('kind');
      expect(item.question).toBe(`Q ${item.id}\n${formatOptions(item.groundTruth.options)}`);
    }
    const orders = [0, 1, 2, 3, 4, 5].map((seed) =>
      JSON.stringify(applyOptionOrder(items, { kind: 'shuffle', seed }, 'vstar')[0]!.groundTruth),
    );
    expect(new Set(orders).size).toBeGreaterThan(1);
  });

  it('circular evaluation asks every rotation, each with its own correct letter', () => {
    const rotations = applyOptionOrder(items, { kind: 'circular' }, 'vstar');
    expect(rotations.map((item) => item.id)).toEqual([
      rotationId('cup', 0),
      rotationId('cup', 1),
      rotationId('cup', 2),
      rotationId('cup', 3),
      rotationId('dog', 0),
      rotationId('dog', 1),
    ]);
    expect(rotations.map((item) => (item.groundTruth as { label: string }).label)).toEqual([
      'C',
      'B',
      'A',
      'D',
      'B',
      'A',
    ]);
    for (const item of rotations)
      expect(correctText(item)).toBe(item.variantOf === 'cup' ? 'red' : 'left');
  });

  it('refuses choice items whose options the loader cannot reorder, and unknown orders', () => {
    const { choicePrompt: _, ...opaque } = items[0]!;
    expect(() => applyOptionOrder([opaque], { kind: 'circular' }, 'procedural/vstar')).toThrow(
      /benchmark "procedural\/vstar" item cup: its loader does not expose the options/,
    );
    expect(applyOptionOrder([opaque], { kind: 'original' }, 'x')).toEqual([opaque]);
    expect(parseOptionOrder('shuffle:3')).toEqual({ kind: 'shuffle', seed: 3 });
    expect(() => parseOptionOrder('random')).toThrow(InvalidRunOptionsError);
  });
});

function record(fields: Partial<ResultRecord> & { id: string; score: number }): ResultRecord {
  return {
    benchmark: 'b',
    category: 'c',
    metric: 'accuracy',
    extracted: null,
    groundTruth: { kind: 'choice', label: 'A', options: ['x', 'y'] },
    question: '',
    episode: {
      inputImages: [],
      isVideo: false,
      steps: [],
      finalOutput: '',
      operationsAttempted: 0,
      operationsValid: 0,
      usedPixelReasoning: false,
    },
    durationMs: 0,
    model: 'm',
    profile: 'p',
    ...fields,
  };
}

const summarize = (
  records: ResultRecord[],
  aggregation?: Parameters<typeof summarizeBenchmark>[0]['aggregation'],
) =>
  summarizeBenchmark({
    name: 'b',
    title: 'B',
    metric: 'accuracy',
    settings: {},
    selected: records.length,
    failed: 0,
    missingMedia: [],
    records,
    aggregation,
  });

describe('summaries', () => {
  it('averages per cycle_category, then over cycles, with a stratified interval', () => {
    const groups = (cycle: string) => ({ groups: { cycle_category: cycle } });
    const records = [
      record({ id: '0', score: 1, ...groups('0') }),
      record({ id: '1', score: 1, ...groups('0') }),
      record({ id: '2', score: 0, ...groups('0') }),
      record({ id: '3', score: 1, ...groups('1') }),
    ];
    const summary = summarize(records, { kind: 'macro', over: 'cycle_category' });
    expect(summary.accuracy).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(summary.aggregation).toBe('macro:cycle_category');
    expect(summary.byGroup.cycle_category!['0']!.score).toBeCloseTo(2 / 3, 12);
    // Σ s²_g/n_g / G²: cycle 0 has s² = 1/3 over 3 items, cycle 1 one item (0).
    const half = 1.959963984540054 * Math.sqrt(1 / 3 / 3 / 4);
    expect(summary.interval).toMatchObject({ method: 'stratified' });
    expect(summary.interval!.low).toBeCloseTo(5 / 6 - half, 12);
    expect(summary.interval!.high).toBe(1);
    expect(summarize(records).accuracy).toBe(0.75);
  });

  it('counts a circular item right only when every rotation is, and leaves incomplete ones out', () => {
    const rotation = (base: string, index: number, score: number, options = 2) =>
      record({
        id: rotationId(base, index),
        variantOf: base,
        score,
        groundTruth: {
          kind: 'choice',
          label: 'A',
          options: Array.from({ length: options }, (_, i) => `o${i}`),
        },
      });
    const summary = summarize([
      rotation('a', 0, 1),
      rotation('a', 1, 1),
      rotation('b', 0, 1),
      rotation('b', 1, 0),
      rotation('c', 0, 1, 3),
    ]);
    expect(summary).toMatchObject({
      accuracy: 0.5,
      n: 2,
      circular: { complete: 2, incomplete: 1, rotations: 5 },
    });
  });

  it('reports Avg@k over repeats with per-repeat seeds and scores', () => {
    const records = ['x', 'y'].flatMap((id) =>
      [0, 1, 2].map((repeat) =>
        record({
          id,
          repeat,
          seed: 10 + repeat,
          score: (repeat === 1 && id === 'x') || repeat === 2 ? 0 : 1,
        }),
      ),
    );
    const summary = summarize(records);
    expect(summary.avgAtK!.k).toBe(3);
    expect(summary.avgAtK!.perRepeat).toEqual([
      { repeat: 0, seed: 10, score: 1, n: 2 },
      { repeat: 1, seed: 11, score: 0.5, n: 2 },
      { repeat: 2, seed: 12, score: 0, n: 2 },
    ]);
    expect(summary.avgAtK!.score).toBeCloseTo(0.5, 12);
    expect(summary.accuracy).toBeCloseTo(0.5, 12);
    expect(summary.avgAtK!.spread).toBeCloseTo(0.5, 12);
    expect(summary.avgAtK!.interval).toMatchObject({ method: 'normal' });
    expect(summary.n).toBe(2);
  });
});

describe('paired comparison statistics', () => {
  it('computes the exact McNemar p-value', () => {
    expect(mcnemarExactPValue(0, 6)).toBeCloseTo(2 / 64, 12);
    expect(mcnemarExactPValue(1, 5)).toBeCloseTo((2 * 7) / 64, 12);
    expect(mcnemarExactPValue(3, 3)).toBe(1);
    expect(mcnemarExactPValue(0, 0)).toBe(1);
    expect(mcnemarExactPValue(40, 60)).toBeCloseTo(0.0569, 3);
  });

  it('bootstraps the paired difference reproducibly, per stratum under macro aggregation', () => {
    const unit = (id: string, score: number, cycle = '0'): ScoredUnit => ({
      id,
      category: 'c',
      groups: { cycle_category: cycle },
      needsOperation: null,
      score,
    });
    const pairs = Array.from({ length: 40 }, (_, index) => ({
      a: unit(String(index), index % 2, String(index % 4)),
      b: unit(String(index), index % 4 === 3 ? 0 : 1, String(index % 4)),
    }));
    const options = {
      metric: 'accuracy' as const,
      aggregation: { kind: 'macro' as const, over: 'cycle_category' },
      samples: 2000,
      seed: 1,
    };
    const first = pairedBootstrap(pairs, options);
    expect(pairedBootstrap(pairs, options)).toEqual(first);
    const difference =
      (aggregateUnits(
        'accuracy',
        pairs.map((pair) => pair.b),
        options.aggregation,
      ).score ?? 0) -
      (aggregateUnits(
        'accuracy',
        pairs.map((pair) => pair.a),
        options.aggregation,
      ).score ?? 0);
    expect(difference).toBeCloseTo(0.25, 12);
    expect(first.low).toBeLessThanOrEqual(difference);
    expect(first.high).toBeGreaterThanOrEqual(difference);
    expect(first.low).toBeGreaterThan(0);
    expect(first.pValue).toBeLessThan(0.05);
    const same = pairs.map((pair) => ({ a: pair.a, b: pair.a }));
    expect(pairedBootstrap(same, options)).toMatchObject({ low: 0, high: 0, pValue: 1 });
  });

  it('stratified interval of one group is the normal interval of its mean', () => {
    const interval = stratifiedMeanInterval([[1, 0, 1, 1]]);
    const half = 1.959963984540054 * Math.sqrt(0.25 / 4);
    expect(interval!.low).toBeCloseTo(0.75 - half, 12);
  });
});
