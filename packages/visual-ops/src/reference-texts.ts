/**
 * Every string the model sees from a visual operation, as the reference implementation
 * (TIGER-AI-Lab/Pixel-Reasoner, `curiosity_driven_rl/openrlhf/trainer/ppo_utils/experience_maker.py`)
 * produces it. The released model was trained on these exact bytes, so they live here as data and
 * tests pin them. Where the reference surfaces a raw Python exception, the formatter reproduces
 * `str(exception)` for that case.
 */
import { pythonRepr, pythonStringRepr, pythonTypeName } from './python-repr.js';

export const CROP_TOOL_NAME = 'crop_image_normalized';
export const SELECT_FRAMES_TOOL_NAME = 'select_frames';

export const CROP_TOOL_DESCRIPTION =
  'Zoom in on the image based on the bounding box coordinates. It is useful when the object or text in the image is too small to be seen.';
export const CROP_BBOX_DESCRIPTION =
  'coordinates for bounding box of the area you want to zoom in. Values should be within [0.0,1.0].';
export const CROP_TARGET_IMAGE_DESCRIPTION =
  'The index of the image to crop. Index from 1 to the number of images. Choose 1 to operate on original image.';
export const SELECT_FRAMES_TOOL_DESCRIPTION = 'Select frames from a video.';
export const SELECT_FRAMES_TARGET_FRAMES_DESCRIPTION =
  'List of frame indices to select from the video (no more than 8 frames in total).';
export const SELECT_FRAMES_ITEM_DESCRIPTION = 'Frame index from 1 to 16.';

/** The reference refuses to return more frames than this from one `select_frames` call. */
export const MAX_SELECTED_FRAMES = 8;
/** Crops whose width or height is at most this many pixels are refused. */
export const MIN_CROP_SIDE = 28;

// --- Error texts of `execute_tool` / `crop_image_normalized` ---------------------------------

/** `target_image` outside `[1, N]` when the list holds only images. */
export function formatTargetImageOutOfRangeError(imageCount: number): string {
  return `Execution Error: Incorrect \`target_image\` argument in \`crop_image_normalized\` operation. You can only pick an image within [1,${imageCount}]`;
}

/** `target_image` beyond the frames when the list is just the video. */
export function formatVideoFrameOutOfRangeError(frameCount: number, targetImage: unknown): string {
  return `Execution Error: Incorrect \`target_image\` argument in \`crop_image_normalized\` operation. You can only pick an image **from** the video within [1,${frameCount}], but the current argument \`target_image=${pythonRepr(targetImage)}\`.`;
}

/** `target_image` 1 (the video) once crops have been appended after a video. */
export function formatTargetImageAfterVideoError(itemCount: number, targetImage: unknown): string {
  return `Execution Error: Incorrect \`target_image\` argument in \`crop_image_normalized\` operation. You can only pick an image within range [2,${itemCount}], but the current argument \`target_image=${pythonRepr(targetImage)}\`.`;
}

export const SELECT_FRAMES_ON_IMAGE_ERROR =
  'Execution Error: You attempted to `select_frames` from **image** not **video**. You should use `crop_image_normalized` instead for inspecting **image**.';

export function formatSelectFramesOnImageError(): string {
  return SELECT_FRAMES_ON_IMAGE_ERROR;
}

export function formatTooManyFramesError(selectedCount: number): string {
  return `Execution Error: You have selected ${selectedCount} frames in total. Think again which frames you need to check in details (no more than 8 frames)`;
}

export function formatFramesOutOfRangeError(frameCount: number, targetFrames: unknown): string {
  return `Execution Error: There are ${frameCount} frames numbered in range [1,${frameCount}]. Your selection \`target_frames=${pythonRepr(targetFrames)}\` is out of range.`;
}

export function formatCropTooSmallError(width: number, height: number): string {
  return `Cropped image is too small: ${width}x${height}`;
}

/**
 * `qwen_vl_utils.smart_resize`'s `ValueError` for a crop more than 200 times wider than tall (or
 * the reverse); Python prints the ratio as a float (`201.0`).
 */
export function formatAspectRatioError(width: number, height: number): string {
  const ratio = Math.max(width, height) / Math.min(width, height);
  const text = Number.isInteger(ratio) ? `${ratio}.0` : String(ratio);
  return `absolute aspect ratio must be smaller than 200, got ${text}`;
}

/** The reference looks the tool up in a dict, so an unknown name surfaces as `str(KeyError(name))`. */
export function formatUnknownToolError(name: string): string {
  return pythonStringRepr(name);
}

/** A missing key (`name`, `arguments`, `target_image`, `bbox_2d`, `target_frames`): `str(KeyError)`. */
export function formatMissingArgumentError(key: string): string {
  return pythonStringRepr(key);
}

/** PIL's `Image.crop` check for a box whose right edge lies left of its left edge. */
export const INVERTED_BOX_HORIZONTAL_ERROR = "Coordinate 'right' is less than 'left'";
/** PIL's `Image.crop` check for a box whose bottom edge lies above its top edge. */
export const INVERTED_BOX_VERTICAL_ERROR = "Coordinate 'lower' is less than 'upper'";

export function formatInvertedBoxError(axis: 'horizontal' | 'vertical'): string {
  return axis === 'horizontal' ? INVERTED_BOX_HORIZONTAL_ERROR : INVERTED_BOX_VERTICAL_ERROR;
}

/**
 * A tool call whose JSON could not be parsed. The reference shows `str(json.JSONDecodeError)`;
 * the parser lives with the prompt profile, so the caller passes its own message and this keeps it
 * verbatim (no prefix), as the reference does.
 */
export function formatMalformedToolCallError(detail: string): string {
  return detail;
}

// --- Python exception texts for malformed argument values ---------------------------------------

/** `IndexError` of a short list (`bbox_2d` with fewer than four numbers, an index past the list). */
export const LIST_INDEX_OUT_OF_RANGE_ERROR = 'list index out of range';
/** `round(nan)` (PIL rounds float crop coordinates): a `bbox_2d` holding NaN. */
export const NAN_TO_INTEGER_ERROR = 'cannot convert float NaN to integer';
/** `max([])` on an empty `target_frames` (Python 3.11 wording). */
export const EMPTY_SEQUENCE_MAX_ERROR = 'max() arg is an empty sequence';

/** Indexing into a non-container, e.g. `bbox_2d: 5` or `arguments: null`. */
export function formatNotSubscriptableError(value: unknown): string {
  return `'${pythonTypeName(value)}' object is not subscriptable`;
}

/**
 * Reading a key out of a non-object `arguments` (`args['target_image']` on a list, string, number
 * or null), in Python 3.11 wording.
 */
export function formatArgumentsNotSubscriptableError(args: unknown): string {
  if (Array.isArray(args)) return 'list indices must be integers or slices, not str';
  if (typeof args === 'string') return "string indices must be integers, not 'str'";
  return formatNotSubscriptableError(args);
}

/** `tgt - 1` on a non-number `target_image`. */
export function formatUnsupportedSubtractionError(value: unknown): string {
  return `unsupported operand type(s) for -: '${pythonTypeName(value)}' and 'int'`;
}

/** Comparing a non-number with a number (`bbox_2d[0] < 1`, `max(target_frames) > n`). */
export function formatNotComparableError(left: unknown, right: unknown): string {
  return `'<' not supported between instances of '${pythonTypeName(left)}' and '${pythonTypeName(right)}'`;
}

/** `'>'` variant used by the frame-range check. */
export function formatNotComparableGreaterError(left: unknown, right: unknown): string {
  return `'>' not supported between instances of '${pythonTypeName(left)}' and '${pythonTypeName(right)}'`;
}

/** `len()` of a value without a length, e.g. `target_frames: 3`. */
export function formatNoLengthError(value: unknown): string {
  return `object of type '${pythonTypeName(value)}' has no len()`;
}

/** Indexing a list with a non-integer (`target_image: 1.5`, `target_frames: [2.5]`). */
export function formatListIndexTypeError(value: unknown): string {
  return `list indices must be integers or slices, not ${pythonTypeName(value)}`;
}

// --- Observation texts (the user turn that carries a tool result back) --------------------------

export function formatCropObservation(width: number, height: number): string {
  return `\nHere is the cropped image (Image Size: ${width}x${height}):`;
}

/**
 * The reference numbers selected frames from the current image count, which is off by one from the
 * `target_image` needed to crop them later; kept as is because the model was trained on it.
 */
export function formatSelectedFramesObservation(options: {
  width: number;
  height: number;
  imageCountBefore: number;
  selectedCount: number;
}): string {
  const first = options.imageCountBefore;
  const last = options.selectedCount + options.imageCountBefore - 1;
  return `\nHere are the selected frames (Frame Size: ${options.width}x${options.height}, Numbered ${first} to ${last}):`;
}

export function formatExecutionErrorObservation(error: string): string {
  return `\nExecution error:\n${error}\n`;
}
