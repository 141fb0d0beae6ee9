import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeImage, toDataUrl } from '@pixel-reasoner/visual-ops';

/** RGB colours of the quadrant picture: top-left, top-right, bottom-left, bottom-right. */
export const QUADRANT_COLORS = {
  topLeft: [220, 30, 30],
  topRight: [30, 200, 40],
  bottomLeft: [30, 40, 220],
  bottomRight: [240, 220, 20],
} as const;

/** A `size`×`size` PNG split into four flat-coloured quadrants. */
export async function quadrantPng(size = 448): Promise<Uint8Array> {
  const data = new Uint8Array(size * size * 3);
  const half = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const color =
        y < half
          ? x < half
            ? QUADRANT_COLORS.topLeft
            : QUADRANT_COLORS.topRight
          : x < half
            ? QUADRANT_COLORS.bottomLeft
            : QUADRANT_COLORS.bottomRight;
      data.set(color, (y * size + x) * 3);
    }
  }
  return (await encodeImage({ width: size, height: size, channels: 3, data })).data;
}

/** Frame `index` (1-based) of a 16-frame test video: flat gray of level 10·index. */
export async function grayFramePng(index: number, size = 84): Promise<Uint8Array> {
  const data = new Uint8Array(size * size * 3).fill(10 * index);
  return (await encodeImage({ width: size, height: size, channels: 3, data })).data;
}

export function pngDataUrl(bytes: Uint8Array): string {
  return toDataUrl({ data: bytes, mediaType: 'image/png', width: 0, height: 0 });
}

/** Writes `quadrant.png` and `frames/01.png` … `frames/16.png` into `root`. */
export async function writeFixtureImages(root: string): Promise<void> {
  await mkdir(join(root, 'frames'), { recursive: true });
  await writeFile(join(root, 'quadrant.png'), await quadrantPng());
  for (let index = 1; index <= 16; index++) {
    await writeFile(
      join(root, 'frames', `${String(index).padStart(2, '0')}.png`),
      await grayFramePng(index),
    );
  }
}
