import type { ChatMessage } from '@pixel-reasoner/model-runtime';
import {
  type PlannerOptions,
  type SceneSeedOptions,
  type SeedItem,
  sceneSeeds,
  synthesizeTrajectory,
  type Trajectory,
  type TrajectoryKind,
  TrajectoryPlanner,
  TrajectorySynthError,
} from '@pixel-reasoner/trajectory-synth';
import { InvalidSftOptionError } from './errors.js';
import type { ImageLabels } from './perception.js';

/**
 * What the trainer needs of a training example: the chat, turn by turn, with the turns that carry
 * loss, and optionally token labels for the model's auxiliary image heads. A `Trajectory` is one.
 */
export interface TrainingChat {
  id: string;
  turns: readonly { message: ChatMessage; trainable: boolean }[];
  imageLabels?: readonly ImageLabels[];
}

/** One example from a source and the cursor that resumes right after it. */
export interface SourceItem<T extends TrainingChat = TrainingChat> {
  trajectory: T;
  next: number;
}

/**
 * A resumable, possibly endless stream of trajectories. `open(cursor)` must yield the same items
 * for the same cursor, so a resumed run sees exactly the data an uninterrupted one would.
 */
export interface TrajectorySource<T extends TrainingChat = TrainingChat> {
  readonly kind: 'trajectory-source';
  open(cursor: number): AsyncIterable<SourceItem<T>>;
}

/** What `trainSft` accepts as data. */
export type SftData =
  | TrajectorySource
  | Iterable<Trajectory>
  | AsyncIterable<Trajectory>
  | (() => Iterable<Trajectory> | AsyncIterable<Trajectory>);

function isSource(data: SftData): data is TrajectorySource {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as Partial<TrajectorySource>).kind === 'trajectory-source'
  );
}

/**
 * A source over a finite collection, repeated epoch after epoch: a factory is called again for
 * each epoch; an array is re-read; a one-shot iterable (a generator) ends the data after one pass.
 * The cursor counts trajectories since the first epoch began.
 */
export function toTrajectorySource(data: SftData): TrajectorySource {
  if (isSource(data)) return data;
  const open = typeof data === 'function' ? data : () => data;
  return {
    kind: 'trajectory-source',
    async *open(cursor: number) {
      let position = 0;
      for (;;) {
        let yielded = 0;
        for await (const trajectory of open()) {
          yielded += 1;
          position += 1;
          if (position > cursor) yield { trajectory, next: position };
        }
        if (yielded === 0) return;
      }
    },
  };
}

export interface SceneTrajectorySourceOptions extends PlannerOptions {
  /** Scene families to cycle through (default all five). */
  families?: SceneSeedOptions['families'];
  /** Default `train`; the held-out suite uses `test`. */
  split?: SceneSeedOptions['split'];
  /** Scene seed of the first item (default 0); item `i` uses `startSeed + i`. */
  startSeed?: number;
  /** Pixel budgets and answerable share of the generated scenes. */
  sceneOptions?: Omit<SceneSeedOptions, 'families' | 'split' | 'startSeed' | 'count'>;
  /** Seeds the synthesizer's phrasing and wrong-box draws (default 0). */
  randomSeed?: number | string;
  /** Trajectories synthesized ahead (default 2). */
  concurrency?: number;
  /**
   * Trajectory types are planned per block of this many scenes, so a resumed stream plans the
   * same types as an uninterrupted one (default 32).
   */
  planBlock?: number;
}

const ENDLESS = Number.MAX_SAFE_INTEGER;

/**
 * Fresh trajectories synthesized on the fly from procedural scenes: an endless, deterministic
 * stream (a fixed pool is memorised by a tiny model; fresh scenes keep held-out accuracy rising).
 * The cursor is the scene index; a scene whose trajectory cannot be built is passed over.
 */
export function sceneTrajectorySource(
  options: SceneTrajectorySourceOptions = {},
): TrajectorySource<Trajectory> {
  const startSeed = options.startSeed ?? 0;
  const planBlock = options.planBlock ?? 32;
  const concurrency = options.concurrency ?? 2;
  if (!(Number.isInteger(planBlock) && planBlock >= 1)) {
    throw new InvalidSftOptionError('planBlock', `must be a positive integer, got ${planBlock}`);
  }
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new InvalidSftOptionError(
      'concurrency',
      `must be a positive integer, got ${concurrency}`,
    );
  }
  const families = options.families ?? [
    'zoom-attribute',
    'relative-position',
    'count',
    'frames',
    'infographic',
  ];
  if (families.length === 0) {
    throw new InvalidSftOptionError('families', 'must name at least one scene family');
  }
  const synthesize = async (seed: SeedItem, kind: TrajectoryKind) => {
    const common = {
      ...(options.randomSeed !== undefined && { randomSeed: options.randomSeed }),
    };
    try {
      return await synthesizeTrajectory(seed, { ...common, kind });
    } catch (error) {
      const unsatisfiable =
        TrajectorySynthError.isInstance(error) && error.name === 'UnsatisfiableTrajectoryError';
      if (!unsatisfiable) throw error;
      if (kind === 'single-pass') return undefined;
      try {
        return await synthesizeTrajectory(seed, { ...common, kind: 'single-pass' });
      } catch (fallbackError) {
        if (TrajectorySynthError.isInstance(fallbackError)) return undefined;
        throw fallbackError;
      }
    }
  };
  return {
    kind: 'trajectory-source',
    async *open(cursor: number) {
      const blockStart = cursor - (cursor % planBlock);
      // Rotate the families so scene `i` has the family it has in an uninterrupted stream.
      const rotated = families.map((_, index) => families[(blockStart + index) % families.length]!);
      let planner = new TrajectoryPlanner(options);
      let index = blockStart;
      const window: { pending: Promise<Trajectory | undefined>; next: number }[] = [];
      const seeds = sceneSeeds({
        ...options.sceneOptions,
        families: rotated,
        split: options.split ?? 'train',
        startSeed: startSeed + blockStart,
        count: ENDLESS - startSeed - blockStart,
      });
      for await (const seed of seeds) {
        if (index > blockStart && index % planBlock === 0) planner = new TrajectoryPlanner(options);
        const kind = planner.next(seed);
        index += 1;
        if (index <= cursor) continue;
        const pending = synthesize(seed, kind);
        pending.catch(() => {});
        window.push({ pending, next: index });
        if (window.length >= concurrency) {
          const head = window.shift()!;
          const trajectory = await head.pending;
          if (trajectory !== undefined) yield { trajectory, next: head.next };
        }
      }
    },
  };
}
