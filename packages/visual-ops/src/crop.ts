import sharp from 'sharp';
import { ImageDecodeError, InvalidOptionError } from './errors.js';
import { type EncodeImageOptions, encodeImage } from './image-io.js';
import { roundHalfToEven } from './python-math.js';
import {
  formatAspectRatioError,
  formatCropTooSmallError,
  formatNotComparableError,
  formatNotSubscriptableError,
  INVERTED_BOX_HORIZONTAL_ERROR,
  INVERTED_BOX_VERTICAL_ERROR,
  LIST_INDEX_OUT_OF_RANGE_ERROR,
  MIN_CROP_SIDE,
  NAN_TO_INTEGER_ERROR,
} from './reference-texts.js';
import { type SmartResizeOptions, smartResize } from './smart-resize.js';
import type { DecodedImage, EncodedImage, RawImage } from './types.js';

/**
 * How `bbox_2d` values are read.
 * - `normalized`: fractions of the image size (what the tool spec tells the model).
 * - `pixel`: pixels of the target image as given (already resized).
 * - `reference-heuristic`: the reference executor's rule — normalized when all four values are
 *   below 1, pixels otherwise. It misreads a normalized `[0, 0, 1, 1]` as a 1-px box.
 */
export type BoxMode = 'normalized' | 'pixel' | 'reference-heuristic';

/** Normalized padding the reference adds on every side before clamping. */
export const DEFAULT_CROP_PADDING = 0.1;

export interface CropBoxOptions {
  boxMode?: BoxMode;
  /** Normalized padding per side, default 0.1. */
  padding?: number;
}

export type CropBoxResult =
  | {
      ok: true;
      /** `[left, top, right, bottom]` in pixels, after padding, clamping and PIL's rounding. */
      pixelBox: [number, number, number, number];
      /** The padded and clamped box in [0, 1]. */
      normalizedBox: [number, number, number, number];
    }
  | { ok: false; error: string };

/** Throws `InvalidOptionError` for a padding outside [0, 1) or an unknown box mode. */
export function validateCropBoxOptions(options: CropBoxOptions): void {
  checkPadding(options.padding ?? DEFAULT_CROP_PADDING);
  checkBoxMode(options.boxMode ?? 'normalized');
}

function checkPadding(padding: number): void {
  if (!(Number.isFinite(padding) && padding >= 0 && padding < 1)) {
    throw new InvalidOptionError(`padding must be in [0, 1), got ${padding}`);
  }
}

function checkBoxMode(mode: string): asserts mode is BoxMode {
  if (mode !== 'normalized' && mode !== 'pixel' && mode !== 'reference-heuristic') {
    throw new InvalidOptionError(
      `boxMode must be 'normalized', 'pixel' or 'reference-heuristic', got ${JSON.stringify(mode)}`,
    );
  }
}

function asNumber(value: unknown): number | undefined {
  // Python's float() and `<` accept bools as 0/1, so they pass here too.
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

function clampUnit(value: number): number {
  return Math.min(Math.max(0, value), 1);
}

/**
 * Where `bbox_2d` lands on a `width`×`height` image: padding, clamping to the image and PIL's
 * rounding of float crop coordinates (`round`, halves to even), then the ≤ 28-px refusal. Malformed
 * values give the text of the Python exception the reference would surface. An inverted box fails
 * with PIL's own message even when padding would have un-inverted it.
 */
export function computeCropBox(
  bbox: unknown,
  size: { width: number; height: number },
  options: CropBoxOptions = {},
): CropBoxResult {
  const padding = options.padding ?? DEFAULT_CROP_PADDING;
  const boxMode = options.boxMode ?? 'normalized';
  checkPadding(padding);
  checkBoxMode(boxMode);
  if (typeof bbox === 'string') {
    return {
      ok: false,
      error: bbox.length === 0 ? 'string index out of range' : formatNotComparableError('', 1),
    };
  }
  if (bbox !== null && typeof bbox === 'object' && !Array.isArray(bbox)) {
    // `{}`[0] in Python is a KeyError whose text is the key.
    return { ok: false, error: '0' };
  }
  if (!Array.isArray(bbox)) return { ok: false, error: formatNotSubscriptableError(bbox) };
  const values: number[] = [];
  for (const item of bbox.slice(0, 4)) {
    const value = asNumber(item);
    if (value === undefined) return { ok: false, error: formatNotComparableError(item, 1) };
    values.push(value);
  }
  if (values.length < 4) return { ok: false, error: LIST_INDEX_OUT_OF_RANGE_ERROR };
  const [x1, y1, x2, y2] = values as [number, number, number, number];
  if (x2 < x1) return { ok: false, error: INVERTED_BOX_HORIZONTAL_ERROR };
  if (y2 < y1) return { ok: false, error: INVERTED_BOX_VERTICAL_ERROR };
  const { width, height } = size;
  const normalizedInput =
    boxMode === 'normalized' ||
    (boxMode === 'reference-heuristic' && values.every((value) => value < 1));
  const scaleX = normalizedInput ? 1 : width;
  const scaleY = normalizedInput ? 1 : height;
  const normalizedBox: [number, number, number, number] = [
    clampUnit(x1 / scaleX - padding),
    clampUnit(y1 / scaleY - padding),
    clampUnit(x2 / scaleX + padding),
    clampUnit(y2 / scaleY + padding),
  ];
  // NaN passes every comparison above (as in Python); PIL's rounding is where it fails.
  if (normalizedBox.some(Number.isNaN)) return { ok: false, error: NAN_TO_INTEGER_ERROR };
  const pixelBox: [number, number, number, number] = [
    roundHalfToEven(normalizedBox[0] * width),
    roundHalfToEven(normalizedBox[1] * height),
    roundHalfToEven(normalizedBox[2] * width),
    roundHalfToEven(normalizedBox[3] * height),
  ];
  const cropWidth = pixelBox[2] - pixelBox[0];
  const cropHeight = pixelBox[3] - pixelBox[1];
  if (cropWidth <= MIN_CROP_SIDE || cropHeight <= MIN_CROP_SIDE) {
    return { ok: false, error: formatCropTooSmallError(cropWidth, cropHeight) };
  }
  return { ok: true, pixelBox, normalizedBox };
}

export interface CropImageOptions extends CropBoxOptions {
  /**
   * `smartResize` budget for the crop output. Defaults to the reference's evaluation setting
   * (256·784 to 5120·784); see `REFERENCE_TRAIN_OPTIONS` for the training one.
   */
  resize?: SmartResizeOptions;
  /** How errors name the image. */
  label?: string;
  /** How `cropImage` encodes the crop; default PNG (lossless: the reference's pixels). */
  encoding?: EncodeImageOptions;
}

export type CropImageResult =
  | { ok: true; image: DecodedImage; pixelBox: [number, number, number, number] }
  | { ok: false; error: string };

/** Crop output budget of the reference at evaluation, in pixels. */
export const EVAL_CROP_RESIZE: Required<SmartResizeOptions> = {
  factor: 28,
  minPixels: 256 * 28 * 28,
  maxPixels: 5120 * 28 * 28,
};

/**
 * Crops `[left, top, right, bottom)` out of raw RGB pixels and resizes the crop to `target` with a
 * bicubic kernel (PIL's default for `Image.resize`).
 */
async function cropRaw(
  raw: RawImage,
  pixelBox: [number, number, number, number],
  target: { width: number; height: number },
): Promise<RawImage> {
  const [left, top, right, bottom] = pixelBox;
  let pipeline = sharp(raw.data, {
    raw: { width: raw.width, height: raw.height, channels: 3 },
  }).extract({ left, top, width: right - left, height: bottom - top });
  if (target.width !== right - left || target.height !== bottom - top) {
    pipeline = pipeline.resize(target.width, target.height, { kernel: 'cubic', fit: 'fill' });
  }
  const data = await pipeline.raw().toBuffer();
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: target.width,
    height: target.height,
    channels: 3,
  };
}

/** Same as `cropRaw`, straight from encoded bytes (sharp decodes only what it needs). */
async function cropEncoded(
  image: EncodedImage,
  pixelBox: [number, number, number, number],
  target: { width: number; height: number },
  label: string,
): Promise<RawImage> {
  const [left, top, right, bottom] = pixelBox;
  try {
    const extracted = sharp(image.data, { limitInputPixels: false, failOn: 'error' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .extract({ left, top, width: right - left, height: bottom - top });
    const pipeline =
      target.width !== right - left || target.height !== bottom - top
        ? extracted.resize(target.width, target.height, { kernel: 'cubic', fit: 'fill' })
        : extracted;
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new Error(`expected 3 channels after flattening, got ${info.channels}`);
    }
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: target.width,
      height: target.height,
      channels: 3,
    };
  } catch (cause) {
    throw new ImageDecodeError({ label, detail: (cause as Error).message, cause });
  }
}

export type CropImageRawResult =
  | { ok: true; raw: RawImage; pixelBox: [number, number, number, number] }
  | { ok: false; error: string };

/**
 * The pixel work of `crop_image_normalized` on one image, without encoding: box → padded, clamped
 * pixel box on the image as given (in an episode that is the already-resized image), crop,
 * `smartResize` of the crop. Uses `image.raw` when present (no decoding); otherwise decodes the
 * needed region of `image.data`. Bad boxes give `{ ok: false, error }` with the reference text;
 * undecodable bytes throw `ImageDecodeError`.
 */
export async function cropImageRaw(
  image: EncodedImage,
  bbox: unknown,
  options: CropImageOptions = {},
): Promise<CropImageRawResult> {
  const box = computeCropBox(bbox, image, options);
  if (!box.ok) return box;
  const [left, top, right, bottom] = box.pixelBox;
  const cropSize = { width: right - left, height: bottom - top };
  // A sliver of a very wide image: smart_resize's ValueError, shown to the model as the reference does.
  if (Math.max(cropSize.width, cropSize.height) / Math.min(cropSize.width, cropSize.height) > 200) {
    return { ok: false, error: formatAspectRatioError(cropSize.width, cropSize.height) };
  }
  const target = smartResize(cropSize, { ...EVAL_CROP_RESIZE, ...options.resize });
  const label = options.label ?? 'image';
  if (!image.raw) {
    return {
      ok: true,
      raw: await cropEncoded(image, box.pixelBox, target, label),
      pixelBox: box.pixelBox,
    };
  }
  if (image.raw.width !== image.width || image.raw.height !== image.height) {
    throw new ImageDecodeError({
      label,
      detail: `raw pixels are ${image.raw.width}x${image.raw.height} but the image says ${image.width}x${image.height}`,
    });
  }
  return { ok: true, raw: await cropRaw(image.raw, box.pixelBox, target), pixelBox: box.pixelBox };
}

/** `cropImageRaw` followed by PNG encoding: the image an observation carries. */
export async function cropImage(
  image: EncodedImage,
  bbox: unknown,
  options: CropImageOptions = {},
): Promise<CropImageResult> {
  const cropped = await cropImageRaw(image, bbox, options);
  if (!cropped.ok) return cropped;
  return {
    ok: true,
    image: await encodeImage(cropped.raw, options.encoding),
    pixelBox: cropped.pixelBox,
  };
}
