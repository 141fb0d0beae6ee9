import {
  type BoxMode,
  cropImage,
  DEFAULT_CROP_PADDING,
  EVAL_CROP_RESIZE,
  validateCropBoxOptions,
} from './crop.js';
import { InvalidOptionError, InvalidVisualInputError } from './errors.js';
import {
  type EncodeImageOptions,
  encodeImage,
  ensureDecoded,
  keepRawIfLossless,
  resizeRaw,
} from './image-io.js';
import {
  CROP_TOOL_NAME,
  EMPTY_SEQUENCE_MAX_ERROR,
  formatArgumentsNotSubscriptableError,
  formatFramesOutOfRangeError,
  formatListIndexTypeError,
  formatMissingArgumentError,
  formatNoLengthError,
  formatNotComparableGreaterError,
  formatSelectFramesOnImageError,
  formatTargetImageAfterVideoError,
  formatTargetImageOutOfRangeError,
  formatTooManyFramesError,
  formatUnknownToolError,
  formatUnsupportedSubtractionError,
  formatVideoFrameOutOfRangeError,
  LIST_INDEX_OUT_OF_RANGE_ERROR,
  MAX_SELECTED_FRAMES,
  SELECT_FRAMES_TOOL_NAME,
} from './reference-texts.js';
import { QWEN_FACTOR, QWEN_MAX_PIXELS, QWEN_MIN_PIXELS, smartResize } from './smart-resize.js';
import type { EncodedImage, ToolCall, ToolOutcome, VisualInput } from './types.js';

export interface ExecuteToolOptions {
  /** How `bbox_2d` is read; default `normalized` (see `BoxMode`). */
  boxMode?: BoxMode;
  /** Normalized padding per side of a crop; default 0.1. */
  padding?: number;
  /** `smartResize` budget of crop outputs; default 256·784 … 5120·784 (reference eval). */
  cropMinPixels?: number;
  cropMaxPixels?: number;
  /**
   * `smartResize` budget of selected frames. When neither is set, frames are returned as they are
   * (the reference at eval); training resizes them into 4·784 … 400·784.
   */
  selectedFrameMinPixels?: number;
  selectedFrameMaxPixels?: number;
  /**
   * `blank` replaces every image a successful operation returns by a uniform gray image of the
   * same size and media type: a counterfactual that tells whether the operations' pixels help.
   * Default `pixels`.
   */
  observationImages?: 'pixels' | 'blank';
  /**
   * How crops are encoded. Default PNG, lossless, so the model sees the reference's pixels;
   * `{ format: 'jpeg', quality }` for a profile or server where a lossy crop is acceptable (a
   * photo crop is 5–10× smaller than its PNG, and it is sent on every later turn). A JPEG crop
   * carries no `raw`: a crop of it decodes what the model was shown.
   */
  cropEncoding?: EncodeImageOptions;
}

/** The fill of a blanked observation image (mid-gray, so neither white nor black reads as content). */
export const BLANK_OBSERVATION_GRAY = 128;

/** A uniform gray image with the size and media type of `image` (see `observationImages`). */
export async function blankImageLike(image: EncodedImage): Promise<EncodedImage> {
  const data = new Uint8Array(image.width * image.height * 3).fill(BLANK_OBSERVATION_GRAY);
  return encodeImage(
    { width: image.width, height: image.height, channels: 3, data },
    { format: image.mediaType === 'image/jpeg' ? 'jpeg' : 'png' },
  );
}

/** The reference's evaluation settings (also the defaults). */
export const REFERENCE_EVAL_OPTIONS: Readonly<ExecuteToolOptions> = Object.freeze({
  boxMode: 'normalized',
  padding: DEFAULT_CROP_PADDING,
  cropMinPixels: EVAL_CROP_RESIZE.minPixels,
  cropMaxPixels: EVAL_CROP_RESIZE.maxPixels,
});

/** The reference's RL training settings (`zoom_maxsize` 1000, `select_maxsize` 400, min 4). */
export const REFERENCE_TRAIN_OPTIONS: Readonly<ExecuteToolOptions> = Object.freeze({
  boxMode: 'normalized',
  padding: DEFAULT_CROP_PADDING,
  cropMinPixels: 4 * 28 * 28,
  cropMaxPixels: 1000 * 28 * 28,
  selectedFrameMinPixels: 4 * 28 * 28,
  selectedFrameMaxPixels: 400 * 28 * 28,
});

function checkPixelBudget(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new InvalidOptionError(`${name} must be a positive number, got ${value}`);
  }
}

function validateInputs(inputs: readonly VisualInput[]): void {
  inputs.forEach((input, position) => {
    if (input.type === 'video') {
      if (position !== 0) {
        throw new InvalidVisualInputError(
          `visual input ${position + 1} is a video; a video may only be the first item`,
        );
      }
      if (input.frames.length === 0) {
        throw new InvalidVisualInputError('visual input 1 is a video without frames');
      }
    } else if (input.type !== 'image') {
      throw new InvalidVisualInputError(
        `visual input ${position + 1} has unknown type ${JSON.stringify((input as { type: unknown }).type)}`,
      );
    }
  });
}

type Lookup = { ok: true; value: unknown } | { ok: false; error: string };

/** `args[key]` with the Python exception text when `args` is not a dict or lacks the key. */
function lookup(args: unknown, key: string): Lookup {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return { ok: false, error: formatArgumentsNotSubscriptableError(args) };
  }
  if (!Object.hasOwn(args, key)) return { ok: false, error: formatMissingArgumentError(key) };
  return { ok: true, value: (args as Record<string, unknown>)[key] };
}

/** `tgt - 1` as Python evaluates it (bools are ints), or the TypeError text. */
function zeroBasedIndex(
  target: unknown,
): { ok: true; index: number } | { ok: false; error: string } {
  if (typeof target === 'number') return { ok: true, index: target - 1 };
  if (typeof target === 'boolean') return { ok: true, index: Number(target) - 1 };
  return { ok: false, error: formatUnsupportedSubtractionError(target) };
}

function fail(name: string, error: string): ToolOutcome {
  return { ok: false, name, error };
}

/** Picks the image `target_image` refers to, following the reference's list rules. */
function pickCropTarget(
  inputs: readonly VisualInput[],
  target: unknown,
): { ok: true; image: EncodedImage; label: string } | { ok: false; error: string } {
  const converted = zeroBasedIndex(target);
  if (!converted.ok) return converted;
  const { index } = converted;
  const first = inputs[0];
  if (first?.type === 'video') {
    if (inputs.length === 1) {
      const frameCount = first.frames.length;
      // The reference only checks the upper end; Python would wrap a negative index silently.
      if (index >= frameCount || index < 0) {
        return { ok: false, error: formatVideoFrameOutOfRangeError(frameCount, target) };
      }
      if (!Number.isInteger(index)) return { ok: false, error: formatListIndexTypeError(target) };
      return { ok: true, image: first.frames[index]!, label: `video frame ${index + 1}` };
    }
    if (index < 1) {
      return { ok: false, error: formatTargetImageAfterVideoError(inputs.length, target) };
    }
    if (!Number.isInteger(index)) return { ok: false, error: formatListIndexTypeError(target) };
    if (index >= inputs.length) return { ok: false, error: LIST_INDEX_OUT_OF_RANGE_ERROR };
    const item = inputs[index]!;
    if (item.type !== 'image')
      throw new InvalidVisualInputError(`visual input ${index + 1} is not an image`);
    return { ok: true, image: item.image, label: `image ${index + 1}` };
  }
  if (index >= inputs.length || index < 0) {
    return { ok: false, error: formatTargetImageOutOfRangeError(inputs.length) };
  }
  if (!Number.isInteger(index)) return { ok: false, error: formatListIndexTypeError(target) };
  const item = inputs[index]!;
  if (item.type !== 'image')
    throw new InvalidVisualInputError(`visual input ${index + 1} is not an image`);
  return { ok: true, image: item.image, label: `image ${index + 1}` };
}

async function executeCrop(
  args: unknown,
  inputs: readonly VisualInput[],
  options: ExecuteToolOptions,
): Promise<ToolOutcome> {
  const target = lookup(args, 'target_image');
  if (!target.ok) return fail(CROP_TOOL_NAME, target.error);
  const picked = pickCropTarget(inputs, target.value);
  if (!picked.ok) return fail(CROP_TOOL_NAME, picked.error);
  const bbox = lookup(args, 'bbox_2d');
  if (!bbox.ok) return fail(CROP_TOOL_NAME, bbox.error);
  const result = await cropImage(picked.image, bbox.value, {
    boxMode: options.boxMode,
    padding: options.padding,
    label: picked.label,
    ...(options.cropEncoding !== undefined ? { encoding: options.cropEncoding } : {}),
    resize: {
      factor: QWEN_FACTOR,
      minPixels: options.cropMinPixels ?? EVAL_CROP_RESIZE.minPixels,
      maxPixels: options.cropMaxPixels ?? EVAL_CROP_RESIZE.maxPixels,
    },
  });
  if (!result.ok) return fail(CROP_TOOL_NAME, result.error);
  return {
    ok: true,
    name: CROP_TOOL_NAME,
    images: [keepRawIfLossless(result.image)],
    targetImage: Number(target.value),
    pixelBox: result.pixelBox,
  };
}

function isPythonNumber(value: unknown): value is number | boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

/**
 * The frame numbers as the reference's checks see them: `len(tgt) > 8`, then `max(tgt) > n`, then
 * indexing. Returns the reference text of the first check that fails.
 */
function validateFrameSelection(
  targetFrames: unknown,
  frameCount: number,
): { ok: true; frames: number[] } | { ok: false; error: string } {
  let items: unknown[];
  if (Array.isArray(targetFrames)) items = targetFrames;
  else if (typeof targetFrames === 'string') items = [...targetFrames];
  else if (targetFrames !== null && typeof targetFrames === 'object')
    items = Object.keys(targetFrames);
  else return { ok: false, error: formatNoLengthError(targetFrames) };
  if (items.length > MAX_SELECTED_FRAMES)
    return { ok: false, error: formatTooManyFramesError(items.length) };
  if (items.length === 0) return { ok: false, error: EMPTY_SEQUENCE_MAX_ERROR };
  // Python's max() compares each item with the running maximum using '>'.
  let maximum = items[0];
  for (const item of items.slice(1)) {
    const comparable =
      (isPythonNumber(item) && isPythonNumber(maximum)) ||
      (typeof item === 'string' && typeof maximum === 'string');
    if (!comparable) return { ok: false, error: formatNotComparableGreaterError(item, maximum) };
    if (
      Number(item) > Number(maximum) ||
      (typeof item === 'string' && item > (maximum as string))
    ) {
      maximum = item;
    }
  }
  if (!isPythonNumber(maximum))
    return { ok: false, error: formatNotComparableGreaterError(maximum, frameCount) };
  const numbers = items.map(Number);
  // The reference checks only the upper bound; below 1 Python would wrap to frames at the end.
  if (Number(maximum) > frameCount || numbers.some((frame) => frame < 1)) {
    return { ok: false, error: formatFramesOutOfRangeError(frameCount, targetFrames) };
  }
  const fractional = items.find((item) => typeof item === 'number' && !Number.isInteger(item));
  if (fractional !== undefined) return { ok: false, error: formatListIndexTypeError(fractional) };
  return { ok: true, frames: numbers };
}

async function resizeFrame(
  frame: EncodedImage,
  label: string,
  budget: { minPixels: number; maxPixels: number },
): Promise<EncodedImage> {
  const target = smartResize(frame, { factor: QWEN_FACTOR, ...budget });
  if (target.width === frame.width && target.height === frame.height) return frame;
  const decoded = await ensureDecoded(frame, label);
  return encodeImage(await resizeRaw(decoded.raw, target));
}

async function executeSelectFrames(
  args: unknown,
  inputs: readonly VisualInput[],
  options: ExecuteToolOptions,
): Promise<ToolOutcome> {
  const video = inputs[0];
  if (video?.type !== 'video')
    return fail(SELECT_FRAMES_TOOL_NAME, formatSelectFramesOnImageError());
  const targetFrames = lookup(args, 'target_frames');
  if (!targetFrames.ok) return fail(SELECT_FRAMES_TOOL_NAME, targetFrames.error);
  const selection = validateFrameSelection(targetFrames.value, video.frames.length);
  if (!selection.ok) return fail(SELECT_FRAMES_TOOL_NAME, selection.error);
  const resize =
    options.selectedFrameMinPixels !== undefined || options.selectedFrameMaxPixels !== undefined;
  const budget = {
    minPixels: options.selectedFrameMinPixels ?? QWEN_MIN_PIXELS,
    maxPixels: options.selectedFrameMaxPixels ?? QWEN_MAX_PIXELS,
  };
  const images = await Promise.all(
    selection.frames.map((frameNumber) => {
      const frame = video.frames[frameNumber - 1]!;
      return resize ? resizeFrame(frame, `video frame ${frameNumber}`, budget) : frame;
    }),
  );
  return { ok: true, name: SELECT_FRAMES_TOOL_NAME, images, frameIndices: selection.frames };
}

/**
 * Runs one tool call of an episode against its running visual list (`inputs`, 1-based for
 * `target_image`; a video is item 1 and, while it is the only item, `target_image` picks one of its
 * frames). A model's mistake never throws: the outcome is `{ ok: false, error }` with the exact text
 * the reference shows the model. Throws only for caller errors: invalid options, a malformed
 * `inputs` list, or image bytes that cannot be decoded.
 */
export async function executeToolCall(
  call: ToolCall,
  inputs: readonly VisualInput[],
  options: ExecuteToolOptions = {},
): Promise<ToolOutcome> {
  checkPixelBudget('cropMinPixels', options.cropMinPixels);
  checkPixelBudget('cropMaxPixels', options.cropMaxPixels);
  checkPixelBudget('selectedFrameMinPixels', options.selectedFrameMinPixels);
  checkPixelBudget('selectedFrameMaxPixels', options.selectedFrameMaxPixels);
  validateCropBoxOptions(options);
  validateInputs(inputs);
  if (
    options.observationImages !== undefined &&
    options.observationImages !== 'pixels' &&
    options.observationImages !== 'blank'
  ) {
    throw new InvalidOptionError(
      `observationImages must be 'pixels' or 'blank', got ${String(options.observationImages)}`,
    );
  }
  const encoding = options.cropEncoding;
  if (
    encoding !== undefined &&
    (!['png', 'jpeg', undefined].includes(encoding.format) ||
      (encoding.quality !== undefined &&
        !(Number.isInteger(encoding.quality) && encoding.quality >= 1 && encoding.quality <= 100)))
  ) {
    throw new InvalidOptionError(
      `cropEncoding must be { format: 'png' | 'jpeg', quality: 1–100 }, got ${JSON.stringify(encoding)}`,
    );
  }
  const outcome =
    call.name === CROP_TOOL_NAME
      ? await executeCrop(call.arguments, inputs, options)
      : call.name === SELECT_FRAMES_TOOL_NAME
        ? await executeSelectFrames(call.arguments, inputs, options)
        : fail(call.name, formatUnknownToolError(call.name));
  if (!outcome.ok || options.observationImages !== 'blank') return outcome;
  if (outcome.name === CROP_TOOL_NAME) {
    return { ...outcome, images: [await blankImageLike(outcome.images[0])] };
  }
  return { ...outcome, images: await Promise.all(outcome.images.map(blankImageLike)) };
}
