import { COLOR_NAMES, namedColor } from './colors.js';
import { drawClutter, drawTag, noisyCanvas, tagObject, tagSize } from './families/common.js';
import { hiddenTagCell, ZOOM_CANVAS_SIZE } from './families/zoom-attribute.js';
import { DIGITS, LETTERS } from './glyphs.js';
import { SeededRandom } from './random.js';
import type { SceneImage } from './raster.js';
import { resolveSceneOptions } from './scene-context.js';
import type { SceneObject, SceneOptions, SceneSplit } from './types.js';

export interface TagSheetOptions {
  seed: number;
  /** Default `train`: sheets of different splits never share a random stream. */
  split?: SceneSplit;
  /** Pixel budgets that decide the font cell, as for zoom-attribute (default the scene defaults). */
  sceneOptions?: Omit<SceneOptions, 'seed' | 'split' | 'needsOperation'>;
}

export interface TagSheet {
  image: SceneImage;
  /** Every tag on the sheet, with its plate colour, content and boxes. */
  objects: SceneObject[];
}

/**
 * A zoom-attribute canvas packed with tags — a glyph, a letter or a colour dot on each, at the
 * font cell of the needs-operation items, among the same background noise and clutter — so that a
 * zoom anywhere on it shows a dozen labelled tags instead of one. Perception pretraining reads
 * its object heads from these: the same pixels as a real zoom, an order of magnitude more labels
 * per image token.
 */
export function generateTagSheet(options: TagSheetOptions): TagSheet {
  const split = options.split ?? 'train';
  const random = SeededRandom.fromLabel(
    `pixel-reasoner/scenes/v1/${split}/tag-sheet/${options.seed}`,
  );
  const cell = hiddenTagCell(
    resolveSceneOptions({ ...options.sceneOptions, seed: options.seed, split }),
  );
  const canvas = { width: ZOOM_CANVAS_SIZE, height: ZOOM_CANVAS_SIZE };
  const image = noisyCanvas(canvas.width, canvas.height, random);
  const tag = tagSize(cell);
  // Spacing varies per sheet: some zooms are crowded with tags, others show a few among clutter.
  const gap = random.int(2 * cell, 10 * cell);
  const pitchX = tag.width + gap;
  const pitchY = tag.height + gap;
  const rects: { x: number; y: number; width: number; height: number }[] = [];
  for (let y = random.int(0, gap); y + tag.height <= canvas.height; y += pitchY) {
    for (let x = random.int(0, gap); x + tag.width <= canvas.width; x += pitchX) {
      if (random.chance(0.15)) continue;
      const jitter = Math.floor(gap / 2);
      rects.push({
        x: Math.min(canvas.width - tag.width, x + random.int(0, jitter)),
        y: Math.min(canvas.height - tag.height, y + random.int(0, jitter)),
        ...tag,
      });
    }
  }
  drawClutter(image, random, { count: random.int(40, 80), minSize: 6, maxSize: 60, avoid: rects });
  const objects = rects.map((rect) => {
    const plateName = random.pick(COLOR_NAMES);
    const kind = random.int(0, 2);
    if (kind === 2) {
      const dotName = random.pick(COLOR_NAMES.filter((name) => name !== plateName));
      drawTag(image, random, {
        ...rect,
        cell,
        plate: namedColor(plateName),
        content: { dot: namedColor(dotName) },
      });
      return tagObject(canvas, rect, cell, plateName, dotName, true);
    }
    const glyph = random.pick(kind === 0 ? DIGITS : LETTERS);
    drawTag(image, random, { ...rect, cell, plate: namedColor(plateName), content: { glyph } });
    return tagObject(canvas, rect, cell, plateName, glyph, false);
  });
  return { image, objects };
}
