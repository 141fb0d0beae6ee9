import { type ConfidenceInterval, scoreInterval } from './intervals.js';
import type { ResultRecord } from './results.js';
import type { BenchmarkSettings, MetricName, MissingMedia } from './types.js';

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
  missingMedia: MissingMedia[];
  settings: BenchmarkSettings;
  /** Why items failed in the last run (every failed item). */
  failures?: ItemFailure[];
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
  needsOperation: boolean,
): ScoreSplit {
  const members = records.filter((record) => record.needsOperation === needsOperation);
  const scores = members.flatMap((record) => (record.score === null ? [] : [record.score]));
  return {
    score: mean(scores),
    n: scores.length,
    interval: scoreInterval(metric, scores),
    rapr: rateOfPixelReasoning(members),
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

/** Micro average over items (as V*'s official script and MVBench's `Avg` do), per category too. */
export function summarizeBenchmark(input: SummarizeInput): BenchmarkSummary {
  const scored = input.records.filter((record) => record.score !== null);
  const byCategory: Record<string, CategorySummary> = {};
  const categories = [...new Set(scored.map((record) => record.category))].sort();
  for (const category of categories) {
    const scores = scored
      .filter((record) => record.category === category)
      .map((record) => record.score as number);
    byCategory[category] = {
      score: mean(scores),
      n: scores.length,
      interval: scoreInterval(input.metric, scores),
    };
  }
  const attempted = input.records.reduce((sum, r) => sum + r.episode.operationsAttempted, 0);
  const valid = input.records.reduce((sum, r) => sum + r.episode.operationsValid, 0);
  const wellFormed = countWellFormed(input.records);
  const scores = scored.map((record) => record.score as number);
  const knowsNeed = input.records.some((record) => typeof record.needsOperation === 'boolean');
  return {
    title: input.title,
    metric: input.metric,
    [input.metric]: mean(scores),
    interval: scoreInterval(input.metric, scores),
    needsOperation: knowsNeed ? split(input.metric, input.records, true) : null,
    answerable: knowsNeed ? split(input.metric, input.records, false) : null,
    rapr: rateOfPixelReasoning(input.records),
    wellFormedRate: attempted === 0 ? null : wellFormed / attempted,
    operationsWellFormed: wellFormed,
    operationErrorRate: attempted === 0 ? null : (attempted - valid) / attempted,
    n: scored.length,
    unscored: input.records.length - scored.length,
    selected: input.selected,
    failed: input.failed,
    modelErrors: input.records.filter((record) => record.error !== undefined).length,
    operationsAttempted: attempted,
    operationsValid: valid,
    byCategory,
    missingMedia: input.missingMedia,
    settings: input.settings,
  };
}

/** The headline value of a benchmark summary. */
export function headlineValue(summary: BenchmarkSummary): number | null {
  return summary[summary.metric] ?? null;
}
