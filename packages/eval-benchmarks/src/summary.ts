import type { EndpointStats } from '@pixel-reasoner/model-runtime';
import {
  type ConfidenceInterval,
  normalMeanInterval,
  scoreInterval,
  stratifiedMeanInterval,
} from './intervals.js';
import type { ResultRecord } from './results.js';
import type { Aggregation, BenchmarkSettings, MetricName, MissingMedia } from './types.js';

export interface CategorySummary {
  /** Mean item score of the category (the benchmark's metric). */
  score: number | null;
  n: number;
  /** 95% interval of `score` (Wilson for accuracy, normal on the mean for ANLS). */
  interval: ConfidenceInterval | null;
}

/** Scores of the items that need an operation, or of those answerable without one. */
export interface ScoreSplit {
  score: number | null;
  /** Scored items in the split. */
  n: number;
  interval: ConfidenceInterval | null;
  /** RaPR within the split. */
  rapr: number | null;
}

/** One benchmark's entry in `summary.json`; the metric is a key of its own (`accuracy` or `anls`). */
export interface BenchmarkSummary {
  title: string;
  metric: MetricName;
  accuracy?: number | null;
  anls?: number | null;
  /** 95% interval of the headline score (Wilson for accuracy, normal on the mean for ANLS). */
  interval: ConfidenceInterval | null;
  /** Items whose answer needs an operation; `null` when the benchmark cannot tell (real data). */
  needsOperation: ScoreSplit | null;
  /** Items answerable without an operation; `null` when the benchmark cannot tell. */
  answerable: ScoreSplit | null;
  /** Share of episodes with at least one valid visual operation. */
  rapr: number | null;
  /**
   * Share of attempted tool calls whose arguments are exactly well-formed
   * (`isWellFormedToolCall`); `null` when none was attempted. Beside RaPR, which counts what the
   * reference-compatible executor accepts (e.g. the first four numbers of a longer `bbox_2d`).
   */
  wellFormedRate: number | null;
  operationsWellFormed: number;
  /** Invalid operations over attempted operations; `null` when none was attempted. */
  operationErrorRate: number | null;
  /** Scored items. */
  n: number;
  /** Items run whose ground truth is hidden (InfoVQA test): answered, not scored. */
  unscored: number;
  /** Items selected for this run (after limit and shard). */
  selected: number;
  /**
   * Selected items without a result: infrastructure or media failures (server unreachable, HTTP
   * 401/5xx after retries, unreadable media). They are not in `n`; rerun to retry them.
   */
  failed: number;
  /**
   * Scored items whose episode threw on the model's own output; they score 0 and stay in `n`
   * (should be 0: a bad tool call is an error observation, never an exception).
   */
  modelErrors: number;
  operationsAttempted: number;
  operationsValid: number;
  byCategory: Record<string, CategorySummary>;
  /**
   * `micro`, or `macro:<group>` (the headline is the mean over that group's values of their
   * means, as HR-Bench averages over `cycle_category`).
   */
  aggregation: string;
  /** Per further breakdown of the items (`cycle_category`, MME-RealWorld `task`, …). */
  byGroup: Record<string, Record<string, CategorySummary>>;
  /** Set when options were rotated (circular evaluation). */
  circular: CircularSummary | null;
  /** Set when every item ran `k` > 1 times with different seeds. */
  avgAtK: AvgAtKSummary | null;
  missingMedia: MissingMedia[];
  settings: BenchmarkSettings;
  /** Why items failed in the last run (every failed item). */
  failures?: ItemFailure[];
  /**
   * Run-wide counts of each endpoint when the model was spread over several (requests answered,
   * failed, times taken out), as the run that wrote this summary saw them.
   */
  endpoints?: EndpointStats[];
}

/** Circular evaluation: an item counts as correct only if every rotation of its options is. */
export interface CircularSummary {
  /** Items whose every rotation has a result (they are the items in `n`). */
  complete: number;
  /** Items with some rotation still missing (left out of `n`; rerun to finish them). */
  incomplete: number;
  /** Episodes run, one per rotation. */
  rotations: number;
}

/** Avg@k: every item run k times (seeds in `perRepeat`); the headline is the mean over repeats. */
export interface AvgAtKSummary {
  k: number;
  /** Mean over repeats of the headline; equals the headline when every item ran k times. */
  score: number | null;
  /**
   * 95% interval of `score`, over items (each item's mean across repeats; the normal or, for
   * macro aggregation, the stratified interval), so it counts item and sampling variance both.
   */
  interval: ConfidenceInterval | null;
  /** Sample standard deviation of the per-repeat headlines (run-to-run spread). */
  spread: number | null;
  perRepeat: { repeat: number; seed: number | null; score: number | null; n: number }[];
}

export type RunSummary = Record<string, BenchmarkSummary>;

/** An item that has no result, and why. */
export interface ItemFailure {
  itemId: string;
  error: string;
}

export interface SummarizeInput {
  name: string;
  title: string;
  metric: MetricName;
  settings: BenchmarkSettings;
  selected: number;
  failed: number;
  missingMedia: MissingMedia[];
  records: readonly ResultRecord[];
  /** Default micro. */
  aggregation?: Aggregation;
}

/** One scored item: its rotations collapsed (all must be right), its repeats averaged. */
export interface ScoredUnit {
  id: string;
  category: string;
  groups: Record<string, string>;
  needsOperation: boolean | null;
  score: number;
}

/**
 * Scored items of one benchmark's records: rotations of a circularly evaluated item (records with
 * `variantOf`) score the minimum over its rotations, and only once every rotation has a result;
 * repeats (`repeat`) are averaged per item. `repeat` keeps only that repeat's records.
 */
export function scoredUnits(
  records: readonly ResultRecord[],
  options: { repeat?: number } = {},
): { units: ScoredUnit[]; incomplete: number } {
  const perRepeat = new Map<string, { record: ResultRecord; scores: number[]; expected: number }>();
  for (const record of records) {
    if (record.score === null) continue;
    const repeat = record.repeat ?? 0;
    if (options.repeat !== undefined && repeat !== options.repeat) continue;
    const base = record.variantOf ?? record.id;
    const key = `${repeat}\u0000${base}`;
    const expected =
      record.variantOf !== undefined && record.groundTruth.kind === 'choice'
        ? record.groundTruth.options.length
        : 1;
    const entry = perRepeat.get(key) ?? { record, scores: [], expected };
    entry.scores.push(record.score);
    perRepeat.set(key, entry);
  }
  const perItem = new Map<string, { record: ResultRecord; scores: number[] }>();
  const incompleteItems = new Set<string>();
  for (const { record, scores, expected } of perRepeat.values()) {
    const base = record.variantOf ?? record.id;
    if (scores.length < expected) {
      incompleteItems.add(base);
      continue;
    }
    const entry = perItem.get(base) ?? { record, scores: [] };
    entry.scores.push(Math.min(...scores));
    perItem.set(base, entry);
  }
  const units = [...perItem.entries()].map(([id, { record, scores }]) => ({
    id,
    category: record.category,
    groups: record.groups ?? {},
    needsOperation: typeof record.needsOperation === 'boolean' ? record.needsOperation : null,
    score: scores.reduce((sum, score) => sum + score, 0) / scores.length,
  }));
  for (const unit of units) incompleteItems.delete(unit.id);
  return { units, incomplete: incompleteItems.size };
}

function isBinary(scores: readonly number[]): boolean {
  return scores.every((score) => score === 0 || score === 1);
}

/** Mean and interval of units: Wilson for 0/1 accuracy, normal otherwise. */
function microOf(metric: MetricName, scores: readonly number[]) {
  return {
    score: mean(scores),
    interval:
      metric === 'accuracy' && !isBinary(scores)
        ? normalMeanInterval(scores)
        : scoreInterval(metric, scores),
  };
}

/** The headline of units under an aggregation, with its interval. */
export function aggregateUnits(
  metric: MetricName,
  units: readonly ScoredUnit[],
  aggregation: Aggregation = { kind: 'micro' },
): { score: number | null; interval: ConfidenceInterval | null } {
  if (aggregation.kind === 'micro')
    return microOf(
      metric,
      units.map((unit) => unit.score),
    );
  const byValue = new Map<string, number[]>();
  for (const unit of units) {
    const value = unit.groups[aggregation.over] ?? '(none)';
    byValue.set(value, [...(byValue.get(value) ?? []), unit.score]);
  }
  const groups = [...byValue.values()];
  const means = groups.map((scores) => mean(scores) as number);
  return { score: mean(means), interval: stratifiedMeanInterval(groups) };
}

function breakdown(
  metric: MetricName,
  units: readonly ScoredUnit[],
  keyOf: (unit: ScoredUnit) => string | undefined,
): Record<string, CategorySummary> {
  const byKey = new Map<string, number[]>();
  for (const unit of units) {
    const key = keyOf(unit);
    if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), unit.score]);
  }
  const result: Record<string, CategorySummary> = {};
  for (const key of [...byKey.keys()].sort()) {
    const scores = byKey.get(key)!;
    result[key] = { ...microOf(metric, scores), n: scores.length };
  }
  return result;
}

function describeAggregation(aggregation: Aggregation | undefined): string {
  return aggregation?.kind === 'macro' ? `macro:${aggregation.over}` : 'micro';
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** RaPR over episodes: the share that made at least one valid visual operation. */
export function rateOfPixelReasoning(records: readonly ResultRecord[]): number | null {
  return mean(records.map((record) => (record.episode.operationsValid > 0 ? 1 : 0)));
}

function split(
  metric: MetricName,
  records: readonly ResultRecord[],
  units: readonly ScoredUnit[],
  needsOperation: boolean,
): ScoreSplit {
  const scores = units
    .filter((unit) => unit.needsOperation === needsOperation)
    .map((unit) => unit.score);
  const { score, interval } = microOf(metric, scores);
  return {
    score,
    n: scores.length,
    interval,
    rapr: rateOfPixelReasoning(
      records.filter((record) => record.needsOperation === needsOperation),
    ),
  };
}

/** Attempted tool calls whose arguments were exactly well-formed, over a run's records. */
export function countWellFormed(records: readonly ResultRecord[]): number {
  let count = 0;
  for (const record of records) {
    for (const step of record.episode.steps) if (step.operation?.wellFormed === true) count++;
  }
  return count;
}

/**
 * One benchmark's summary. Items are scored units (rotations collapsed, repeats averaged; see
 * {@link scoredUnits}); the headline is their micro average (V*'s official script, MVBench `Avg`,
 * MME-RealWorld overall) or, with `aggregation` macro, the mean of the group means (HR-Bench).
 */
export function summarizeBenchmark(input: SummarizeInput): BenchmarkSummary {
  const { units, incomplete } = scoredUnits(input.records);
  const headline = aggregateUnits(input.metric, units, input.aggregation);
  const groupKeys = [...new Set(units.flatMap((unit) => Object.keys(unit.groups)))].sort();
  const byGroup: Record<string, Record<string, CategorySummary>> = {};
  for (const key of groupKeys)
    byGroup[key] = breakdown(input.metric, units, (unit) => unit.groups[key]);
  const attempted = input.records.reduce((sum, r) => sum + r.episode.operationsAttempted, 0);
  const valid = input.records.reduce((sum, r) => sum + r.episode.operationsValid, 0);
  const wellFormed = countWellFormed(input.records);
  const knowsNeed = input.records.some((record) => typeof record.needsOperation === 'boolean');
  const rotations = input.records.filter((record) => record.variantOf !== undefined).length;
  const repeats = [...new Set(input.records.map((record) => record.repeat ?? 0))].sort(
    (a, b) => a - b,
  );
  let avgAtK: AvgAtKSummary | null = null;
  if (repeats.length > 1) {
    const perRepeat = repeats.map((repeat) => {
      const ofRepeat = scoredUnits(input.records, { repeat }).units;
      return {
        repeat,
        seed: input.records.find((record) => (record.repeat ?? 0) === repeat)?.seed ?? null,
        score: aggregateUnits(input.metric, ofRepeat, input.aggregation).score,
        n: ofRepeat.length,
      };
    });
    const values = perRepeat.flatMap((entry) => (entry.score === null ? [] : [entry.score]));
    const average = mean(values);
    avgAtK = {
      k: repeats.length,
      score: average,
      interval:
        input.aggregation?.kind === 'macro'
          ? headline.interval
          : normalMeanInterval(units.map((unit) => unit.score)),
      spread:
        values.length < 2 || average === null
          ? null
          : Math.sqrt(
              values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1),
            ),
      perRepeat,
    };
  }
  return {
    title: input.title,
    metric: input.metric,
    [input.metric]: headline.score,
    interval: headline.interval,
    needsOperation: knowsNeed ? split(input.metric, input.records, units, true) : null,
    answerable: knowsNeed ? split(input.metric, input.records, units, false) : null,
    rapr: rateOfPixelReasoning(input.records),
    wellFormedRate: attempted === 0 ? null : wellFormed / attempted,
    operationsWellFormed: wellFormed,
    operationErrorRate: attempted === 0 ? null : (attempted - valid) / attempted,
    n: units.length,
    unscored: input.records.filter((record) => record.score === null).length,
    selected: input.selected,
    failed: input.failed,
    modelErrors: input.records.filter((record) => record.error !== undefined).length,
    operationsAttempted: attempted,
    operationsValid: valid,
    byCategory: breakdown(input.metric, units, (unit) => unit.category),
    aggregation: describeAggregation(input.aggregation),
    byGroup,
    circular: rotations > 0 ? { complete: units.length, incomplete, rotations } : null,
    avgAtK,
    missingMedia: input.missingMedia,
    settings: input.settings,
  };
}

/** The headline value of a benchmark summary. */
export function headlineValue(summary: BenchmarkSummary): number | null {
  return summary[summary.metric] ?? null;
}
