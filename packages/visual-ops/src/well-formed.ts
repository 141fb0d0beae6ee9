import { CROP_TOOL_NAME, MAX_SELECTED_FRAMES, SELECT_FRAMES_TOOL_NAME } from './reference-texts.js';
import type { ToolCall } from './types.js';

export interface WellFormedOptions {
  /** Frames of the video `select_frames` picks from (default 16, the reference's sampling). */
  frameCount?: number;
  /** Items in the visual list `target_image` may name; unknown when absent (any integer ≥ 1). */
  imageCount?: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasExactlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((key) => Object.hasOwn(value, key));
}

function isUnitNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

function isPositiveInteger(value: unknown, maximum: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maximum;
}

/**
 * Whether a tool call's arguments are exactly what the tool spec describes, as opposed to what
 * the reference-compatible executor tolerates (it crops with the first four numbers of a longer
 * `bbox_2d`, reads `true` as 1, and pads an inverted-by-padding box). Well-formed means:
 * - `crop_image_normalized`: the arguments are `{ bbox_2d, target_image }` and nothing else;
 *   `bbox_2d` is exactly 4 finite numbers in [0, 1] with x1 < x2 and y1 < y2; `target_image` is an
 *   integer ≥ 1 (and ≤ `imageCount` when given).
 * - `select_frames`: the arguments are `{ target_frames }`, a non-empty list of at most 8 distinct
 *   integers in 1..`frameCount`.
 * Any other tool name is not well-formed. Used to report, beside RaPR, how many calls a model
 * writes correctly rather than how many the executor forgives.
 */
export function isWellFormedToolCall(call: ToolCall, options: WellFormedOptions = {}): boolean {
  const args = call.arguments;
  if (!isPlainObject(args)) return false;
  if (call.name === CROP_TOOL_NAME) {
    if (!hasExactlyKeys(args, ['bbox_2d', 'target_image'])) return false;
    const box = args.bbox_2d;
    if (!Array.isArray(box) || box.length !== 4 || !box.every(isUnitNumber)) return false;
    const [x1, y1, x2, y2] = box as [number, number, number, number];
    if (!(x1 < x2 && y1 < y2)) return false;
    return isPositiveInteger(args.target_image, options.imageCount ?? Number.MAX_SAFE_INTEGER);
  }
  if (call.name === SELECT_FRAMES_TOOL_NAME) {
    if (!hasExactlyKeys(args, ['target_frames'])) return false;
    const frames = args.target_frames;
    const frameCount = options.frameCount ?? 16;
    if (!Array.isArray(frames) || frames.length === 0 || frames.length > MAX_SELECTED_FRAMES) {
      return false;
    }
    if (!frames.every((frame) => isPositiveInteger(frame, frameCount))) return false;
    return new Set(frames).size === frames.length;
  }
  return false;
}
