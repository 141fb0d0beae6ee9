import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import {
  DecompressionBombError,
  ImageDecodeError,
  InputReadError,
  InvalidDataUrlError,
  InvalidOptionError,
  InvalidRawImageError,
} from './errors.js';
import { type SmartResizeOptions, smartResize } from './smart-resize.js';
import type { DecodedImage, EncodedImage, RawImage } from './types.js';

/**
 * PIL's `Image.MAX_IMAGE_PIXELS * 2`, the size at which PIL refuses to open an image; the reference
 * pipeline inherits that limit, so images it could open open here too.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 2 * 89_478_485;

/**
 * Fixed PNG settings, so the same pixels always give the same bytes. Level 1 without adaptive
 * filtering encodes a 500×360 crop in a few ms. Adaptive filtering at level 4 halves a photo's
 * bytes but costs ~3× the encode time, which measured worse for the harness (client CPU per
 * request 229 → 254 ms, `bench/harness.mjs`) and for scene data, so it is not the default.
 */
const PNG_OPTIONS = { compressionLevel: 1, adaptiveFiltering: false, palette: false } as const;

/**
 * Photos do not deflate without filtering: level 1 wrote a 2240×1568 photo in 10.76 MB, more than
 * its 10.54 MB of pixels, for 94 ms of CPU, where stored blocks (level 0) take 8 ms for 10.56 MB.
 * Pixels whose sample deflates by less than this are stored; scenes and documents (a zoom scene:
 * 57%) keep level 1.
 */
const STORED_PNG_ABOVE_RATIO = 0.95;
const STORED_PNG_OPTIONS = { ...PNG_OPTIONS, compressionLevel: 0 } as const;

/** Bands of consecutive rows, spread over the image, that decide level 1 versus stored. */
const SAMPLE_BANDS = 16;
const SAMPLE_ROWS_PER_BAND = 4;

/**
 * The PNG settings for `raw`: level 1, or stored when the level-1 PNG of a sample of its rows
 * (bands of whole rows spread over the image) is under 5% smaller than the sample's pixels.
 * Deterministic, so the same pixels still give the same bytes.
 */
export async function pngOptionsFor(
  raw: RawImage,
): Promise<typeof PNG_OPTIONS | typeof STORED_PNG_OPTIONS> {
  const rowBytes = raw.width * 3;
  const bandRows = Math.min(SAMPLE_ROWS_PER_BAND, raw.height);
  const bands = Math.min(SAMPLE_BANDS, Math.floor(raw.height / bandRows));
  const sample = new Uint8Array(bands * bandRows * rowBytes);
  for (let band = 0; band < bands; band++) {
    const firstRow = Math.floor((band * (raw.height - bandRows)) / Math.max(1, bands - 1));
    const start = firstRow * rowBytes;
    sample.set(raw.data.subarray(start, start + bandRows * rowBytes), band * bandRows * rowBytes);
  }
  // The PNG writer's own deflate: zlib's level 1 on the same rows estimates it badly.
  const written = await sharp(sample, {
    raw: { width: raw.width, height: bands * bandRows, channels: 3 },
  })
    .png(PNG_OPTIONS)
    .toBuffer();
  return written.byteLength > STORED_PNG_ABOVE_RATIO * sample.byteLength
    ? STORED_PNG_OPTIONS
    : PNG_OPTIONS;
}

export interface ReadImageOptions {
  /** Refuse images with more pixels than this (decompression-bomb guard). */
  maxPixels?: number;
  /** How errors name the input; defaults to the path, or a short description of the bytes. */
  label?: string;
  /**
   * Resize with `smartResize` — the reference's "fetch" step (eval: min 256·784, max 8000·784;
   * train: min 4·784, max 2000·784). Resized bytes are PNG. `readImage` decodes only when the
   * size changes (and then keeps the pixels); an image already at its size is not decoded.
   */
  resize?: SmartResizeOptions;
  /**
   * How `readImage` writes pixels it had to decode (a resize, a format other than PNG or JPEG).
   * Default PNG: lossless, the reference's pixels. JPEG (`{ format: 'jpeg', quality }`) is 5–10×
   * smaller for photos, and every request of an episode carries the image again; the result then
   * keeps no `raw`, so operations decode what the server is sent, not the pixels before the
   * compression.
   */
  encoding?: EncodeImageOptions;
}

/** `decodeImage` keeps the pixels with the image, so what it writes is always lossless PNG. */
export type DecodeImageOptions = Omit<ReadImageOptions, 'encoding'>;

export interface EncodeImageOptions {
  format?: 'png' | 'jpeg';
  /** JPEG quality, 1–100. */
  quality?: number;
}

/** Pixels as produced by a renderer or another library: 1 (gray), 3 (RGB) or 4 (RGBA) channels. */
export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

const DATA_URL_PATTERN = /^data:(image\/[a-z0-9.+-]+);base64,([a-z0-9+/=\s]*)$/i;

function describeBytes(bytes: Uint8Array): string {
  return `<${bytes.byteLength} bytes>`;
}

/**
 * The media type (as written, e.g. `image/png`) and bytes of a base64 `data:image/…` URL, or
 * `undefined` when `url` is not one. The inverse of `toDataUrl`; the bytes are not checked.
 */
export function decodeImageDataUrl(
  url: string,
): { mediaType: string; data: Uint8Array } | undefined {
  const match = DATA_URL_PATTERN.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1]!, data: new Uint8Array(Buffer.from(match[2]!, 'base64')) };
}

/** Bytes of an image given as a file path, a `data:` URL or bytes, plus the label errors use. */
export async function loadImageBytes(
  input: string | Uint8Array,
  label?: string,
): Promise<{ bytes: Uint8Array; label: string }> {
  if (typeof input !== 'string') return { bytes: input, label: label ?? describeBytes(input) };
  if (input.startsWith('data:')) {
    const decoded = decodeImageDataUrl(input);
    if (!decoded)
      throw new InvalidDataUrlError(`${input.slice(0, 48)}${input.length > 48 ? '…' : ''}`);
    const bytes = decoded.data;
    return { bytes, label: label ?? `data URL (${decoded.mediaType}, ${bytes.byteLength} bytes)` };
  }
  try {
    return { bytes: await readFile(input), label: label ?? input };
  } catch (cause) {
    throw new InputReadError({
      label: label ?? input,
      detail: (cause as NodeJS.ErrnoException).code ?? String(cause),
      cause,
    });
  }
}

function checkMaxPixels(maxPixels: number): void {
  if (!(Number.isFinite(maxPixels) && maxPixels > 0)) {
    throw new InvalidOptionError(`maxPixels must be a positive number, got ${maxPixels}`);
  }
}

/** Header check: format, size, pixel limit. Does not decode the pixels. */
async function probe(
  bytes: Uint8Array,
  label: string,
  maxPixels: number,
): Promise<{ format: string; width: number; height: number }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new ImageDecodeError({ label, detail: (cause as Error).message, cause });
  }
  const { format, width, height } = metadata;
  if (!format || !width || !height) {
    throw new ImageDecodeError({ label, detail: 'no image size in the header' });
  }
  if (!['jpeg', 'png', 'webp', 'gif', 'tiff', 'bmp'].includes(format)) {
    throw new ImageDecodeError({ label, detail: `unsupported format ${format}` });
  }
  if (width * height > maxPixels) {
    throw new DecompressionBombError({ label, width, height, maxPixels });
  }
  return { format, width, height };
}

/** Decoded RGB pixels; transparency is composited on white, as the reference's `to_rgb` does. */
async function decodeToRaw(bytes: Uint8Array, label: string): Promise<RawImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: false, failOn: 'error' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
    };
  } catch (cause) {
    throw new ImageDecodeError({ label, detail: (cause as Error).message, cause });
  }
}

/**
 * Reads an image (path, `data:` URL or bytes) into an `EncodedImage` without decoding its pixels:
 * only the header is parsed, so this is cheap even for 12-megapixel JPEGs; operations decode it
 * when they first need pixels. PNG and JPEG bytes are
 * kept as they are; other formats (WebP, GIF, TIFF, BMP) are decoded and re-encoded as PNG.
 */
export async function readImage(
  input: string | Uint8Array,
  options: ReadImageOptions = {},
): Promise<EncodedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  checkMaxPixels(maxPixels);
  const encoding = options.encoding ?? {};
  checkEncodeOptions(encoding, 'encoding.');
  const { bytes, label } = await loadImageBytes(input, options.label);
  const { format, width, height } = await probe(bytes, label, maxPixels);
  if (options.resize) {
    const target = smartResize({ width, height }, options.resize);
    if (target.width !== width || target.height !== height) {
      return keepRawIfLossless(
        await encodeRaw(await resizeRaw(await decodeToRaw(bytes, label), target), encoding),
      );
    }
  }
  if (format === 'png' || format === 'jpeg') {
    return { data: bytes, mediaType: format === 'png' ? 'image/png' : 'image/jpeg', width, height };
  }
  const { raw: _raw, ...encoded } = await encodeRaw(await decodeToRaw(bytes, label), encoding);
  return encoded;
}

/**
 * The image with its pixels when `data` decodes to exactly them (PNG), else without: a JPEG's
 * `raw` would be the pixels before the compression, which neither the server nor a later
 * operation on the image sees.
 */
export function keepRawIfLossless(image: DecodedImage): EncodedImage {
  if (image.mediaType === 'image/png') return image;
  const { raw: _raw, ...encoded } = image;
  return encoded;
}

/**
 * Reads and fully decodes an image, keeping the RGB pixels in `raw` so later crops skip decoding.
 * With `resize`, the pixels are resized by `smartResize` first and `data` is their PNG encoding.
 */
export async function decodeImage(
  input: string | Uint8Array,
  options: DecodeImageOptions = {},
): Promise<DecodedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  checkMaxPixels(maxPixels);
  const { bytes, label } = await loadImageBytes(input, options.label);
  const { format } = await probe(bytes, label, maxPixels);
  let raw = await decodeToRaw(bytes, label);
  if (options.resize) {
    const target = smartResize(raw, options.resize);
    if (target.width !== raw.width || target.height !== raw.height) {
      raw = await resizeRaw(raw, target);
      return encodeRaw(raw, {});
    }
  }
  if (format === 'png' || format === 'jpeg') {
    return {
      data: bytes,
      mediaType: format === 'png' ? 'image/png' : 'image/jpeg',
      width: raw.width,
      height: raw.height,
      raw,
    };
  }
  return encodeRaw(raw, {});
}

/** Makes sure an `EncodedImage` carries its pixels, decoding `data` if needed. */
export async function ensureDecoded(image: EncodedImage, label = 'image'): Promise<DecodedImage> {
  if (image.raw) return image as DecodedImage;
  const raw = await decodeToRaw(image.data, label);
  return { ...image, raw };
}

function toRgb(pixels: RawPixels): RawImage {
  const { data, width, height, channels } = pixels;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new InvalidRawImageError(
      `raw image size must be positive integers, got ${width}x${height}`,
    );
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new InvalidRawImageError(`raw image channels must be 1, 3 or 4, got ${String(channels)}`);
  }
  if (data.byteLength !== width * height * channels) {
    throw new InvalidRawImageError(
      `raw image data has ${data.byteLength} bytes, expected ${width}x${height}x${channels} = ${width * height * channels}`,
    );
  }
  if (channels === 3) return { data, width, height, channels: 3 };
  const rgb = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) {
    if (channels === 1) {
      const gray = data[pixel]!;
      rgb[pixel * 3] = gray;
      rgb[pixel * 3 + 1] = gray;
      rgb[pixel * 3 + 2] = gray;
    } else {
      // Composite on white like the reference's `to_rgb`.
      const alpha = data[pixel * 4 + 3]! / 255;
      for (let channel = 0; channel < 3; channel++) {
        rgb[pixel * 3 + channel] = Math.round(
          data[pixel * 4 + channel]! * alpha + 255 * (1 - alpha),
        );
      }
    }
  }
  return { data: rgb, width, height, channels: 3 };
}

async function encodeRaw(raw: RawImage, options: EncodeImageOptions): Promise<DecodedImage> {
  const format = options.format ?? 'png';
  const pipeline = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } });
  const buffer =
    format === 'png'
      ? await pipeline.png(await pngOptionsFor(raw)).toBuffer()
      : await pipeline.jpeg({ quality: options.quality ?? 90 }).toBuffer();
  return {
    data: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
    mediaType: format === 'png' ? 'image/png' : 'image/jpeg',
    width: raw.width,
    height: raw.height,
    raw,
  };
}

/**
 * Encodes raw pixels (gray, RGB or RGBA; alpha composited on white) as PNG (default, stable bytes)
 * or JPEG. The result keeps the RGB pixels in `raw`.
 */
export async function encodeImage(
  pixels: RawPixels,
  options: EncodeImageOptions = {},
): Promise<DecodedImage> {
  checkEncodeOptions(options);
  return encodeRaw(toRgb(pixels), options);
}

/** Throws `InvalidOptionError` naming `prefix` + the option for a bad format or quality. */
function checkEncodeOptions(options: EncodeImageOptions, prefix = ''): void {
  if (options.format !== undefined && options.format !== 'png' && options.format !== 'jpeg') {
    throw new InvalidOptionError(
      `${prefix}format must be 'png' or 'jpeg', got ${String(options.format)}`,
    );
  }
  if (
    options.quality !== undefined &&
    !(Number.isInteger(options.quality) && options.quality >= 1 && options.quality <= 100)
  ) {
    throw new InvalidOptionError(
      `${prefix}quality must be an integer in [1, 100], got ${options.quality}`,
    );
  }
}

/** Bicubic resize, the kernel PIL's `Image.resize` uses by default in the reference. */
export async function resizeRaw(
  raw: RawImage,
  size: { width: number; height: number },
): Promise<RawImage> {
  const data = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } })
    .resize(size.width, size.height, { kernel: 'cubic', fit: 'fill' })
    .raw()
    .toBuffer();
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: size.width,
    height: size.height,
    channels: 3,
  };
}

/** A `data:` URL of an encoded image, for OpenAI-compatible `image_url` parts. */
export function toDataUrl(image: EncodedImage): string {
  return `data:${image.mediaType};base64,${Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).toString('base64')}`;
}
