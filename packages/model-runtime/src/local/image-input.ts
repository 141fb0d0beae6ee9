import { smartResize } from '@pixel-reasoner/visual-ops';
import sharp from 'sharp';
import type { ChatImage } from '../spec/chat.js';
import { InvalidImageError } from './errors.js';

/** An image resized to its pixel budget and normalised to [-1, 1], channels last (RGB). */
export interface PreparedImage {
  pixels: Float32Array;
  width: number;
  height: number;
  gridWidth: number;
  gridHeight: number;
}

export interface PrepareImageOptions {
  patchSize: number;
  /** Upper bound on width·height after resizing. */
  maxPixels: number;
}

/**
 * Decodes and resizes `image` the smart-resize way (sides multiples of the patch size, aspect
 * ratio kept, area within the budget) so it becomes `gridWidth·gridHeight` patch tokens.
 */
export async function prepareImage(
  image: ChatImage,
  options: PrepareImageOptions,
): Promise<PreparedImage> {
  const { patchSize, maxPixels } = options;
  const minPixels = patchSize * patchSize;
  let target: { width: number; height: number };
  try {
    target = smartResize(
      { width: image.width, height: image.height },
      { factor: patchSize, minPixels, maxPixels: Math.max(minPixels, maxPixels) },
    );
  } catch (error) {
    throw new InvalidImageError(
      `cannot fit a ${image.width}x${image.height} image into ${maxPixels} pixels: ${(error as Error).message}`,
      error,
    );
  }
  let raw: Buffer;
  try {
    const source =
      image.raw !== undefined
        ? sharp(image.raw.data, {
            raw: { width: image.raw.width, height: image.raw.height, channels: 3 },
          })
        : sharp(image.data);
    raw = await source
      .removeAlpha()
      .toColourspace('srgb')
      .resize(target.width, target.height, { fit: 'fill' })
      .raw()
      .toBuffer();
  } catch (error) {
    throw new InvalidImageError(
      `cannot decode ${image.mediaType} image (${image.data.byteLength} bytes): ${(error as Error).message}`,
      error,
    );
  }
  const expected = target.width * target.height * 3;
  if (raw.length !== expected) {
    throw new InvalidImageError(
      `decoded ${image.mediaType} image has ${raw.length} bytes, expected ${expected} (RGB ${target.width}x${target.height})`,
    );
  }
  const pixels = new Float32Array(expected);
  for (let index = 0; index < expected; index += 1) pixels[index] = raw[index]! / 127.5 - 1;
  return {
    pixels,
    width: target.width,
    height: target.height,
    gridWidth: target.width / patchSize,
    gridHeight: target.height / patchSize,
  };
}
