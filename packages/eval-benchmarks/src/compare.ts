import { join } from 'node:path';
import { Mulberry32, readTextIfExists } from '@pixel-reasoner/model-runtime/internal';
import { BenchmarkDataNotFoundError, InvalidRunOptionsError } from './errors.js';
import type { ResultRecord } from './results.js';
import { readResults } from './results-store.js';
import { RUN_SETTINGS_FILE } from './run-settings.js';
import { aggregateUnits, type ScoredUnit, scoredUnits } from './summary.js';
import type { Aggregation, MetricName } from './types.js';

export interface CompareOptions {
  /** Output folder of the baseline run (A). */
  a: string;
  /** Output folder of the run compared with it (B). */
  b: string;
  /** Bootstrap resamples (default 10 000). */
  bootstrapSamples?: number;
  /** Seed of the resampling (default 0), so a comparison reproduces exactly. */
  seed?: number;
}

export interface BenchmarkComparison {
  benchmark: string;
  metric: MetricName;
  /** `micro` or `macro:<group>`, read from A's summary.json. */
  aggregation: string;
  /** Items scored in both runs; the comparison uses only these. */
  n: number;
  onlyInA: number;
  onlyInB: number;
  scoreA: number | null;
  scoreB: number | null;
  /** B − A on the paired items. */
  difference: number | null;
  /** Paired bootstrap 95% percentile interval of the difference (items resampled together). */
  interval: { low: number; high: number; level: number; method: 'paired-bootstrap' } | null;
  /** Two-sided bootstrap p-value for "no difference" (twice the share on the far side of 0). */
  bootstrapPValue: number | null;
  /**
   * Exact McNemar test on the discordant items when every paired score is 0 or 1: `bOnly` right
   * only in B, `aOnly` right only in A; `null` for fractional scores (ANLS, repeats).
   */
  mcnemar: { aOnly: number; bOnly: number; pValue: number } | null;
}

export interface CompareResult {
  a: string;
  b: string;
  bootstrapSamples: number;
  seed: number;
  benchmarks: BenchmarkComparison[];
  /** Pinned run settings (run.json) that differ between A and B, besides the model. */
  settingsDifferences: string[];
}

/**
 * Two-sided exact McNemar p-value: with `b` and `c` discordant pairs, twice the binomial(b + c,
 * ½) tail at min(b, c), capped at 1 (1 when there is no discordant pair).
 */
export function mcnemarExactPValue(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let logChoose = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logChoose - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}

interface Pair {
  a: ScoredUnit;
  b: ScoredUnit;
}

function difference(pairs: readonly Pair[], metric: MetricName, aggregation: Aggregation): number {
  const a =
    aggregateUnits(
      metric,
      pairs.map((pair) => pair.a),
      aggregation,
    ).score ?? 0;
  const b =
    aggregateUnits(
      metric,
      pairs.map((pair) => pair.b),
      aggregation,
    ).score ?? 0;
  return b - a;
}

/**
 * Paired bootstrap of B − A: items are resampled with replacement (within each group of a macro
 * aggregation, so every group keeps its size), each resample's difference computed with the
 * benchmark's own aggregation. Returns the 2.5/97.5 percentiles and the two-sided p-value.
 */
export function pairedBootstrap(
  pairs: readonly Pair[],
  options: { metric: MetricName; aggregation: Aggregation; samples: number; seed: number },
): { low: number; high: number; pValue: number } {
  const strata = new Map<string, Pair[]>();
  for (const pair of pairs) {
    const key =
      options.aggregation.kind === 'macro' ? (pair.a.groups[options.aggregation.over] ?? '') : '';
    strata.set(key, [...(strata.get(key) ?? []), pair]);
  }
  const random = new Mulberry32(options.seed);
  const differences: number[] = [];
  for (let sample = 0; sample < options.samples; sample++) {
    const resampled: Pair[] = [];
    for (const members of strata.values()) {
      for (let index = 0; index < members.length; index++) {
        resampled.push(members[Math.floor(random.next() * members.length)]!);
      }
    }
    differences.push(difference(resampled, options.metric, options.aggregation));
  }
  differences.sort((x, y) => x - y);
  const at = (quantile: number) =>
    differences[Math.min(differences.length - 1, Math.floor(quantile * differences.length))]!;
  const below = differences.filter((value) => value <= 0).length / differences.length;
  const above = differences.filter((value) => value >= 0).length / differences.length;
  return { low: at(0.025), high: at(0.975), pValue: Math.min(1, 2 * Math.min(below, above)) };
}

function parseAggregation(text: unknown): Aggregation {
  if (typeof text === 'string' && text.startsWith('macro:')) {
    return { kind: 'macro', over: text.slice('macro:'.length) };
  }
  return { kind: 'micro' };
}

async function readRun(folder: string): Promise<{
  records: ResultRecord[];
  summary: Record<string, { aggregation?: string; metric?: MetricName }>;
  settings: Record<string, unknown>;
}> {
  const resultsFile = join(folder, 'results.jsonl');
  const records = await readResults(resultsFile);
  if (records.length === 0) {
    throw new BenchmarkDataNotFoundError(resultsFile, 'results of an evaluation run');
  }
  const summaryText = await readTextIfExists(join(folder, 'summary.json'));
  const settingsText = await readTextIfExists(join(folder, RUN_SETTINGS_FILE));
  const parse = (text: string | undefined, file: string) => {
    if (text === undefined) return {};
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new InvalidRunOptionsError(`${join(folder, file)}: ${(error as Error).message}`);
    }
  };
  return {
    records,
    summary: parse(summaryText, 'summary.json') as Record<string, { aggregation?: string }>,
    settings: parse(settingsText, RUN_SETTINGS_FILE),
  };
}

function flatten(value: unknown, prefix = ''): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { [prefix]: JSON.stringify(value) };
  }
  const flat: Record<string, string> = {};
  for (const [key, inner] of Object.entries(value)) {
    Object.assign(flat, flatten(inner, prefix === '' ? key : `${prefix}.${key}`));
  }
  return flat;
}

/**
 * Is B better than A? Pairs the items both output folders scored (per benchmark, rotations
 * collapsed and repeats averaged as in summary.json) and reports both scores, the difference, a
 * paired bootstrap interval and, for 0/1 scores, the exact McNemar test. Benchmarks found in only
 * one folder are left out; settings that differ between the two runs are listed.
 */
export async function compareResultFolders(options: CompareOptions): Promise<CompareResult> {
  const samples = options.bootstrapSamples ?? 10_000;
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(samples) && samples >= 1)) {
    throw new InvalidRunOptionsError(`bootstrapSamples must be an integer ≥ 1, got ${samples}`);
  }
  const [runA, runB] = await Promise.all([readRun(options.a), readRun(options.b)]);
  const names = [...new Set(runA.records.map((record) => record.benchmark))].filter((name) =>
    runB.records.some((record) => record.benchmark === name),
  );
  const benchmarks: BenchmarkComparison[] = [];
  for (const name of names) {
    const unitsA = scoredUnits(runA.records.filter((record) => record.benchmark === name)).units;
    const unitsB = scoredUnits(runB.records.filter((record) => record.benchmark === name)).units;
    const byIdB = new Map(unitsB.map((unit) => [unit.id, unit]));
    const pairs: Pair[] = unitsA.flatMap((a) => {
      const b = byIdB.get(a.id);
      return b ? [{ a, b }] : [];
    });
    const metric =
      runA.summary[name]?.metric ??
      runA.records.find((record) => record.benchmark === name)!.metric;
    const aggregation = parseAggregation(runA.summary[name]?.aggregation);
    const binary = pairs.every(
      ({ a, b }) => (a.score === 0 || a.score === 1) && (b.score === 0 || b.score === 1),
    );
    const bootstrap =
      pairs.length === 0 ? null : pairedBootstrap(pairs, { metric, aggregation, samples, seed });
    const aOnly = pairs.filter(({ a, b }) => a.score === 1 && b.score === 0).length;
    const bOnly = pairs.filter(({ a, b }) => a.score === 0 && b.score === 1).length;
    const scoreA = aggregateUnits(
      metric,
      pairs.map((pair) => pair.a),
      aggregation,
    ).score;
    const scoreB = aggregateUnits(
      metric,
      pairs.map((pair) => pair.b),
      aggregation,
    ).score;
    benchmarks.push({
      benchmark: name,
      metric,
      aggregation: aggregation.kind === 'macro' ? `macro:${aggregation.over}` : 'micro',
      n: pairs.length,
      onlyInA: unitsA.length - pairs.length,
      onlyInB: unitsB.length - pairs.length,
      scoreA,
      scoreB,
      difference: scoreA === null || scoreB === null ? null : scoreB - scoreA,
      interval: bootstrap
        ? { low: bootstrap.low, high: bootstrap.high, level: 0.95, method: 'paired-bootstrap' }
        : null,
      bootstrapPValue: bootstrap?.pValue ?? null,
      mcnemar:
        binary && pairs.length > 0
          ? { aOnly, bOnly, pValue: mcnemarExactPValue(aOnly, bOnly) }
          : null,
    });
  }
  const flatA = flatten(runA.settings);
  const flatB = flatten(runB.settings);
  const settingsDifferences = [...new Set([...Object.keys(flatA), ...Object.keys(flatB)])]
    .filter((key) => key !== 'model' && flatA[key] !== flatB[key])
    .sort()
    .map((key) => `${key}: ${flatA[key] ?? 'unset'} → ${flatB[key] ?? 'unset'}`);
  return {
    a: options.a,
    b: options.b,
    bootstrapSamples: samples,
    seed,
    benchmarks,
    settingsDifferences,
  };
}
