import { MAX_SELECTED_FRAMES } from '@pixel-reasoner/visual-ops';
import {
  type Box,
  boxArea,
  boxContains,
  boxIntoRegion,
  clampBox,
  coverage,
  intersectionOverUnion,
  paddedCropRegion,
} from './geometry.js';
import type { Random } from './random.js';

/** Thresholds that decide whether an operation counts as wrong, right or too loose. */
export interface OperationRules {
  /** A wrong box's IoU with the cue must stay below this (default 0.1). */
  maxWrongIou: number;
  /** The share of the cue a wrong crop may show, padding included (default 0.25). */
  maxWrongCoverage: number;
  /** An oversized box is at least this many times the cue's size per axis (default 2.5). */
  oversizeFactor: number;
  /** A tighter crop must show at most this share of the oversized crop's area (default 0.6). */
  maxTightAreaShare: number;
  /** Padding the crop adds per side, normalized (default 0.1, the reference's). */
  padding: number;
}

export const DEFAULT_OPERATION_RULES: OperationRules = Object.freeze({
  maxWrongIou: 0.1,
  maxWrongCoverage: 0.25,
  oversizeFactor: 2.5,
  maxTightAreaShare: 0.6,
  padding: 0.1,
});

const DECIMALS = 100;

/** Rounds to 2 decimals (plenty, with the crop's 0.1 padding), moving each edge outwards so the box never shrinks. */
export function roundOutward(box: Box): Box {
  return clampBox([
    Math.floor(box[0] * DECIMALS) / DECIMALS,
    Math.floor(box[1] * DECIMALS) / DECIMALS,
    Math.ceil(box[2] * DECIMALS) / DECIMALS,
    Math.ceil(box[3] * DECIMALS) / DECIMALS,
  ]);
}

function roundNearest(box: Box): Box {
  const round = (value: number) => Math.round(value * DECIMALS) / DECIMALS;
  return [round(box[0]), round(box[1]), round(box[2]), round(box[3])];
}

/** A box around the cue with a random margin: what a correct zoom asks for. */
export function proposeCorrectBox(cue: Box, random: Random): Box {
  const width = cue[2] - cue[0];
  const height = cue[3] - cue[1];
  return roundOutward([
    cue[0] - width * random.uniform(0.05, 0.4),
    cue[1] - height * random.uniform(0.05, 0.4),
    cue[2] + width * random.uniform(0.05, 0.4),
    cue[3] + height * random.uniform(0.05, 0.4),
  ]);
}

/** A box of about the cue's size placed anywhere: a candidate for a wrong zoom. */
export function proposeWrongBox(cue: Box, random: Random): Box {
  const width = Math.min(0.5, Math.max(0.06, (cue[2] - cue[0]) * random.uniform(0.8, 1.6)));
  const height = Math.min(0.5, Math.max(0.06, (cue[3] - cue[1]) * random.uniform(0.8, 1.6)));
  const x = random.uniform(0, 1 - width);
  const y = random.uniform(0, 1 - height);
  return roundNearest([x, y, x + width, y + height]);
}

/** A box several times the cue's size that still contains it: a zoom that is too loose. */
export function proposeOversizedBox(cue: Box, random: Random, rules: OperationRules): Box {
  const factor = random.uniform(rules.oversizeFactor, rules.oversizeFactor * 1.6);
  const width = Math.min(1, Math.max(0.25, (cue[2] - cue[0]) * factor));
  const height = Math.min(1, Math.max(0.25, (cue[3] - cue[1]) * factor));
  const x = random.uniform(Math.max(0, cue[2] - width), Math.min(cue[0], 1 - width));
  const y = random.uniform(Math.max(0, cue[3] - height), Math.min(cue[1], 1 - height));
  return roundOutward([x, y, x + width, y + height]);
}

/** Whether a crop request is verifiably wrong: it neither overlaps nor, once padded, shows the cue. */
export function isWrongCrop(requested: Box, shown: Box, cue: Box, rules: OperationRules): boolean {
  return (
    intersectionOverUnion(requested, cue) < rules.maxWrongIou &&
    !boxContains(shown, cue) &&
    coverage(shown, cue) < rules.maxWrongCoverage
  );
}

/** Whether a crop request is right: the requested box and the shown region both contain the cue. */
export function isCorrectCrop(requested: Box, shown: Box, cue: Box): boolean {
  return boxContains(requested, cue) && boxContains(shown, cue);
}

/** Whether an oversized request contains the cue while being clearly larger than it. */
export function isOversizedCrop(requested: Box, cue: Box, rules: OperationRules): boolean {
  const cueArea = boxArea(cue);
  return (
    boxContains(requested, cue) &&
    boxArea(requested) >= Math.min(0.9, cueArea * rules.oversizeFactor ** 2)
  );
}

/** A cheap prediction of what a crop will show, to skip hopeless candidates before executing them. */
export function predictShownRegion(requested: Box, rules: OperationRules): Box {
  return paddedCropRegion(requested, rules.padding);
}

/** The cue in the coordinates of a crop that shows `region` of the seed image. */
export function cueInRegion(cue: Box, region: Box): Box {
  return clampBox(boxIntoRegion(cue, region));
}

/** Frames that together show the cue window: the cue frames, plus neighbours while under 8. */
export function proposeCorrectFrames(
  cue: readonly number[],
  frameCount: number,
  random: Random,
): number[] {
  const sorted = [...new Set(cue)].sort((a, b) => a - b);
  if (sorted.length >= MAX_SELECTED_FRAMES) {
    const step = sorted.length / MAX_SELECTED_FRAMES;
    return Array.from(
      { length: MAX_SELECTED_FRAMES },
      (_, index) => sorted[Math.floor(index * step)] as number,
    );
  }
  const selected = new Set(sorted);
  const extra = random.integer(0, Math.min(2, MAX_SELECTED_FRAMES - sorted.length));
  for (let added = 0; added < extra; added++) {
    const before = (sorted[0] as number) - 1 - added;
    const after = (sorted.at(-1) as number) + 1 + added;
    const candidate = random.next() < 0.5 ? before : after;
    if (candidate >= 1 && candidate <= frameCount) selected.add(candidate);
  }
  return [...selected].sort((a, b) => a - b);
}

/** A run of frames disjoint from the cue window, or undefined when every frame is in the cue. */
export function proposeWrongFrames(
  cue: readonly number[],
  frameCount: number,
  random: Random,
): number[] | undefined {
  const inCue = new Set(cue);
  const outside = Array.from({ length: frameCount }, (_, index) => index + 1).filter(
    (frame) => !inCue.has(frame),
  );
  if (outside.length === 0) return undefined;
  const length = Math.min(MAX_SELECTED_FRAMES, Math.max(1, cue.length), random.integer(2, 4));
  const start = random.pick(outside);
  const run: number[] = [];
  for (
    let frame = start;
    frame <= frameCount && run.length < length && !inCue.has(frame);
    frame++
  ) {
    run.push(frame);
  }
  return run;
}

/** Whether a frame selection is right: it holds every cue frame (or 8 of them when the cue is longer). */
export function isCorrectFrameSelection(
  selected: readonly number[],
  cue: readonly number[],
): boolean {
  const chosen = new Set(selected);
  if (cue.length > MAX_SELECTED_FRAMES) {
    return (
      selected.length === MAX_SELECTED_FRAMES && selected.every((frame) => cue.includes(frame))
    );
  }
  return cue.every((frame) => chosen.has(frame));
}

/** Whether a frame selection is wrong: it shares no frame with the cue window. */
export function isWrongFrameSelection(
  selected: readonly number[],
  cue: readonly number[],
): boolean {
  return selected.length > 0 && selected.every((frame) => !cue.includes(frame));
}
