import type { GroundTruth, MetricName } from './types.js';

/** An image kept for the trajectory viewer, stored under the output folder. */
export interface StoredImage {
  /** Path relative to the output folder (`media/<sha256>.png`); `null` when not kept. */
  file: string | null;
  mediaType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

/** One visual operation the model asked for in a turn. */
export interface OperationRecord {
  name: string;
  arguments: unknown;
  valid: boolean;
  /**
   * Whether the call's arguments are exactly well-formed (`isWellFormedToolCall`), independent of
   * whether the reference-compatible executor accepted them. Absent in records of older runs.
   */
  wellFormed?: boolean;
  /** The error observation text when the operation failed. */
  error?: string;
}

export interface StepRecord {
  /** The assistant text of the turn. */
  text: string;
  operation?: OperationRecord;
  /** Images the operation's observation added to the chat. */
  images: StoredImage[];
}

export interface EpisodeRecord {
  /** The prompt's images, or a video's sampled frames, in chat order. */
  inputImages: StoredImage[];
  isVideo: boolean;
  steps: StepRecord[];
  /** The text the answer is extracted from (the last assistant turn). */
  finalOutput: string;
  operationsAttempted: number;
  operationsValid: number;
  usedPixelReasoning: boolean;
}

/** One line of `results.jsonl`: a finished, scored item. */
export interface ResultRecord {
  benchmark: string;
  id: string;
  category: string;
  metric: MetricName;
  /** Item score in [0, 1]; `null` for items without answers (InfoVQA test). */
  score: number | null;
  extracted: string | null;
  groundTruth: GroundTruth;
  question: string;
  /** From the item (procedural scenes); `null` when the benchmark cannot tell. */
  needsOperation?: boolean | null;
  episode: EpisodeRecord;
  durationMs: number;
  /**
   * Set when the episode threw on the model's own output (the item then scores 0 and stays in the
   * denominator); the message of what was thrown.
   */
  error?: string;
  model: string;
  profile: string;
  /** From the item: breakdowns beside `category` (see `BenchmarkItem.groups`). */
  groups?: Record<string, string>;
  /** On a rotation of a circularly evaluated item: the original item's id. */
  variantOf?: string;
  /** 0-based repeat of a `repeats` run (absent: 0) and the sampling seed it used. */
  repeat?: number;
  seed?: number | null;
}

export function resultKey(benchmark: string, id: string, repeat = 0): string {
  return repeat === 0 ? `${benchmark}\u0000${id}` : `${benchmark}\u0000${id}\u0000${repeat}`;
}
