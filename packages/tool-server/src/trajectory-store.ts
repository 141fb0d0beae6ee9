import type { EncodedImage, VisualInput } from '@pixel-reasoner/visual-ops';
import { InvalidOptionError } from './errors.js';

/** What the server remembers about one trajectory: its running visual list. */
export interface TrajectoryState {
  readonly id: string;
  /** Item 1 is the episode's image (or video); operation outputs are appended in order. */
  readonly visuals: VisualInput[];
  /** Bytes held by `visuals` (encoded data plus decoded pixels), for the memory cap and stats. */
  bytes: number;
  lastUsed: number;
}

export interface TrajectoryStoreOptions {
  /** At most this many trajectories are kept; the least recently used is evicted first. */
  maxTrajectories?: number;
  /** A trajectory untouched for this long is evicted (milliseconds). */
  ttlMs?: number;
  /** At most this many bytes of images are kept over all trajectories (LRU eviction beyond). */
  maxBytes?: number;
  /** Injected clock (milliseconds). */
  now?: () => number;
}

export const DEFAULT_MAX_TRAJECTORIES = 4096;
export const DEFAULT_TRAJECTORY_TTL_MS = 15 * 60_000;
export const DEFAULT_MAX_STATE_BYTES = 4 * 1024 ** 3;

export type EvictionReason = 'finish' | 'last-step' | 'ttl' | 'capacity';

export interface TrajectoryStoreStats {
  trajectories: number;
  bytes: number;
  evicted: Record<EvictionReason, number>;
}

function imageBytes(image: EncodedImage): number {
  return image.data.byteLength + (image.raw?.data.byteLength ?? 0);
}

/** Bytes an item of the visual list holds. */
export function visualBytes(visual: VisualInput): number {
  if (visual.type === 'image') return imageBytes(visual.image);
  return visual.frames.reduce((sum, frame) => sum + imageBytes(frame), 0);
}

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidOptionError(name, `must be a positive number, got ${value}`);
  }
  return value;
}

/**
 * Per-trajectory state with bounded memory: entries go on `finish` / the last step, after a TTL
 * of inactivity, and least-recently-used first when the trajectory or byte cap is reached. A Map
 * keeps insertion order, and every touch re-inserts, so its first key is always the LRU entry.
 */
export class TrajectoryStore {
  private readonly entries = new Map<string, TrajectoryState>();
  private totalBytes = 0;
  private readonly evicted: Record<EvictionReason, number> = {
    finish: 0,
    'last-step': 0,
    ttl: 0,
    capacity: 0,
  };
  readonly maxTrajectories: number;
  readonly ttlMs: number;
  readonly maxBytes: number;
  private readonly now: () => number;

  constructor(options: TrajectoryStoreOptions = {}) {
    this.maxTrajectories = positiveOption(
      'maxTrajectories',
      options.maxTrajectories,
      DEFAULT_MAX_TRAJECTORIES,
    );
    if (!Number.isInteger(this.maxTrajectories)) {
      throw new InvalidOptionError(
        'maxTrajectories',
        `must be an integer, got ${this.maxTrajectories}`,
      );
    }
    this.ttlMs = positiveOption('ttlMs', options.ttlMs, DEFAULT_TRAJECTORY_TTL_MS);
    this.maxBytes = positiveOption('maxBytes', options.maxBytes, DEFAULT_MAX_STATE_BYTES);
    this.now = options.now ?? Date.now;
  }

  /** The live state of `id` (refreshing its TTL and LRU position), or undefined. */
  get(id: string): TrajectoryState | undefined {
    this.sweep();
    const state = this.entries.get(id);
    if (state === undefined) return undefined;
    state.lastUsed = this.now();
    this.entries.delete(id);
    this.entries.set(id, state);
    return state;
  }

  /** Starts tracking a trajectory with its initial visual list, evicting others if needed. */
  create(id: string, visuals: VisualInput[]): TrajectoryState {
    const previous = this.entries.get(id);
    if (previous !== undefined) {
      this.entries.delete(id);
      this.totalBytes -= previous.bytes;
    }
    const state: TrajectoryState = {
      id,
      visuals,
      bytes: visuals.reduce((sum, visual) => sum + visualBytes(visual), 0),
      lastUsed: this.now(),
    };
    this.entries.set(id, state);
    this.totalBytes += state.bytes;
    this.enforceCaps(id);
    return state;
  }

  /** Appends operation outputs to a trajectory's visual list. */
  append(state: TrajectoryState, visuals: readonly VisualInput[]): void {
    const added = visuals.reduce((sum, visual) => sum + visualBytes(visual), 0);
    state.visuals.push(...visuals);
    state.bytes += added;
    if (this.entries.get(state.id) === state) {
      this.totalBytes += added;
      this.enforceCaps(state.id);
    }
  }

  /** Forgets a trajectory; returns whether it was tracked. */
  delete(id: string, reason: EvictionReason): boolean {
    const state = this.entries.get(id);
    if (state === undefined) return false;
    this.entries.delete(id);
    this.totalBytes -= state.bytes;
    this.evicted[reason]++;
    return true;
  }

  /** Evicts every trajectory idle for longer than the TTL. */
  sweep(): number {
    const cutoff = this.now() - this.ttlMs;
    let count = 0;
    for (const [id, state] of this.entries) {
      // LRU order: the first entry that is fresh enough means all later ones are too.
      if (state.lastUsed > cutoff) break;
      this.delete(id, 'ttl');
      count++;
    }
    return count;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  stats(): TrajectoryStoreStats {
    return {
      trajectories: this.entries.size,
      bytes: this.totalBytes,
      evicted: { ...this.evicted },
    };
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private enforceCaps(keep: string): void {
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.maxTrajectories && this.totalBytes <= this.maxBytes) return;
      // The entry being written is kept even when it alone exceeds the byte cap.
      if (id === keep) continue;
      this.delete(id, 'capacity');
    }
  }
}
