import { clutterColor, inkFor } from '../colors.js';
import type { SeededRandom } from '../random.js';
import {
  createImage,
  drawText,
  fillBackground,
  fillCircle,
  fillRect,
  type Rgb,
  type SceneImage,
} from '../raster.js';
import { normalizeBox, overlaps, type Rect } from '../scene-context.js';
import type { SceneObject } from '../types.js';

/** A tag is a plate holding one glyph (or a colour dot) with a two-cell margin. */
export const TAG_COLUMNS = 9;
export const TAG_ROWS = 11;

export function tagSize(cell: number): { width: number; height: number } {
  return { width: TAG_COLUMNS * cell, height: TAG_ROWS * cell };
}

export function noisyCanvas(width: number, height: number, random: SeededRandom): SceneImage {
  const image = createImage(width, height);
  const top = random.int(90, 170);
  const bottom = random.int(90, 170);
  const tint = () => random.int(-12, 12);
  fillBackground(image, random, {
    top: [top + tint(), top + tint(), top + tint()],
    bottom: [bottom + tint(), bottom + tint(), bottom + tint()],
    noise: 22,
  });
  return image;
}

/** Random muted rectangles and discs, kept off the `avoid` rectangles. */
export function drawClutter(
  image: SceneImage,
  random: SeededRandom,
  options: { count: number; minSize: number; maxSize: number; avoid: readonly Rect[] },
): void {
  for (let index = 0; index < options.count; index++) {
    const size = random.int(options.minSize, options.maxSize);
    const other = random.int(options.minSize, options.maxSize);
    const rect = {
      x: random.int(-size / 2, image.width - size / 2),
      y: random.int(-size / 2, image.height - size / 2),
      width: size,
      height: random.chance(0.5) ? size : other,
    };
    if (options.avoid.some((area) => overlaps(rect, area, 2))) continue;
    const color = clutterColor(random);
    if (random.chance(0.5)) fillRect(image, rect.x, rect.y, rect.width, rect.height, color);
    else fillCircle(image, rect.x + size / 2, rect.y + size / 2, size / 2, color);
  }
}

export type TagContent = { glyph: string } | { dot: Rgb };

/** Draws a tag whose top-left corner is `(x, y)`; text ink contrast is random (see `inkFor`). */
export function drawTag(
  image: SceneImage,
  random: SeededRandom,
  options: { x: number; y: number; cell: number; plate: Rgb; content: TagContent },
): void {
  const { x, y, cell, plate, content } = options;
  const size = tagSize(cell);
  fillRect(image, x, y, size.width, size.height, plate);
  if ('glyph' in content) {
    drawText(image, content.glyph, x + 2 * cell, y + 2 * cell, cell, inkFor(plate, random));
  } else {
    fillRect(image, x + 3 * cell, y + 4 * cell, 3 * cell, 3 * cell, content.dot);
  }
}

/** The ground truth of a tag drawn at `rect` with font cell `cell` on `canvas` (image 1). */
export function tagObject(
  canvas: { width: number; height: number },
  rect: Rect,
  cell: number,
  color: string,
  content: string,
  dot: boolean,
): SceneObject {
  const contentRect = dot
    ? { x: rect.x + 3 * cell, y: rect.y + 4 * cell, width: 3 * cell, height: 3 * cell }
    : { x: rect.x + 2 * cell, y: rect.y + 2 * cell, width: 5 * cell, height: 7 * cell };
  return {
    kind: 'tag',
    box: normalizeBox(canvas, rect.x, rect.y, rect.width, rect.height),
    image: 1,
    color,
    content,
    contentBox: normalizeBox(
      canvas,
      contentRect.x,
      contentRect.y,
      contentRect.width,
      contentRect.height,
    ),
  };
}
