import type { ChatImage } from '@pixel-reasoner/model-runtime';
import type { SceneFamily, SceneOptions } from '@pixel-reasoner/scenes';
import type { RecordLocation } from './errors.js';
import type { PromptMedia } from './media.js';

/** The headline metric of a benchmark. */
export type MetricName = 'accuracy' | 'anls';

/** A time window in seconds (MVBench "bound" tasks). */
export interface TimeBound {
  start: number;
  end: number;
}

/** Where an item's media comes from; resolved to chat parts only when the item is run. */
export type MediaSource =
  | { kind: 'image-file'; path: string }
  | { kind: 'image-bytes'; data: Uint8Array; name: string }
  /** A base64 image cell of a large TSV, read from the file only when the item runs. */
  | { kind: 'base64-range'; path: string; start: number; end: number; name: string }
  | { kind: 'video-file'; path: string; frameCount: number; bound?: TimeBound }
  | {
      kind: 'frame-folder';
      path: string;
      fps: number;
      frameCount: number;
      bound?: TimeBound;
    }
  | { kind: 'frame-files'; paths: string[] }
  | { kind: 'chat-image'; image: ChatImage }
  | { kind: 'chat-frames'; frames: ChatImage[] }
  /** A procedural scene, regenerated (deterministically) when the item runs to keep memory flat. */
  | { kind: 'scene'; family: SceneFamily; options: SceneOptions };

/** What a correct answer looks like, per benchmark family. */
export type GroundTruth =
  /** Multiple choice: `label` is the correct letter, `options` in the order shown. */
  | { kind: 'choice'; label: string; options: string[] }
  /** A count compared as an integer (TallyQA). */
  | { kind: 'count'; value: number }
  /** Acceptable answers scored with ANLS (InfoVQA). */
  | { kind: 'texts'; values: string[] }
  /** The reference trainer's answer field, scored with its loose correctness rule (parquet data). */
  | { kind: 'reference'; values: string[] };

export interface BenchmarkItem {
  /** Unique within its benchmark; the resume key together with the benchmark name. */
  id: string;
  /** Breakdown key: V* folder, TallyQA simple/complex, MVBench task, qid prefix, scene family. */
  category: string;
  /** Question text as shown to the model, options included. */
  question: string;
  media: MediaSource[];
  groundTruth: GroundTruth;
  location: RecordLocation;
  /**
   * Whether the answer is illegible without a visual operation (procedural scenes know this);
   * absent when the benchmark cannot tell.
   */
  needsOperation?: boolean;
  /**
   * Further breakdowns beside `category` (HR-Bench `cycle_category`, MME-RealWorld task); the
   * benchmark's `aggregation` may average over one of them.
   */
  groups?: Record<string, string>;
  /**
   * For multiple-choice items whose options the loader knows structurally: the question text for
   * the options in another order (option shuffling and circular evaluation rebuild it).
   */
  choicePrompt?: { format(options: readonly string[]): string };
  /** Set on the rotations of a circularly evaluated item: the id of the item they came from. */
  variantOf?: string;
}

/** A media file an item refers to that is not on disk; the item is left out of the run. */
export interface MissingMedia {
  itemId: string;
  path: string;
}

export interface LoadedBenchmark {
  items: BenchmarkItem[];
  missingMedia: MissingMedia[];
}

/** The benchmark's half of the first user turn; the prompt profile adds its own guideline text. */
export interface BenchmarkPrompt {
  question: string;
  media: PromptMedia[];
}

/**
 * How item scores become the headline: `micro` (mean over items; V*, MME-RealWorld) or `macro`
 * (mean over the values of the group `over` of each value's mean; HR-Bench over `cycle_category`).
 */
export type Aggregation = { kind: 'micro' } | { kind: 'macro'; over: string };

/** Settings that move scores and are logged with every result (pixel budgets, frame counts). */
export type BenchmarkSettings = Record<string, string | number | boolean | null>;

/**
 * One benchmark: load records, build the prompt, extract the answer from the model's output,
 * score it. `extract` and `score` are pure so they can be tested on hand-worked outputs.
 */
export interface Benchmark {
  readonly name: string;
  /** Column title in the Table-1 style report. */
  readonly title: string;
  readonly metric: MetricName;
  readonly settings: BenchmarkSettings;
  /** Default micro. */
  readonly aggregation?: Aggregation;
  load(): Promise<LoadedBenchmark>;
  buildPrompt(item: BenchmarkItem): Promise<BenchmarkPrompt>;
  extract(output: string, item: BenchmarkItem): string | null;
  score(extracted: string | null, item: BenchmarkItem, output: string): number;
}
