import { glyphCell, hiddenDetailSize, LEGIBILITY } from '../calibration.js';
import { COLOR_NAMES, namedColor } from '../colors.js';
import { DIGITS, LETTERS } from '../glyphs.js';
import {
  decideNeedsOperation,
  multipleChoice,
  normalizeBox,
  placeRect,
  type Rect,
  sceneId,
  sceneRandom,
} from '../scene-context.js';
import type { ResolvedSceneOptions, SceneItem, SceneObject } from '../types.js';
import { globalViewScale, referenceCropScale } from '../views.js';
import {
  drawClutter,
  drawTag,
  noisyCanvas,
  type TagContent,
  tagObject,
  tagSize,
} from './common.js';

export const ZOOM_CANVAS_SIZE = 1024;

type Attribute = 'digit' | 'letter' | 'color';

/**
 * Font cell of a tag that is hidden globally but readable in the reference crop of the tag: the
 * largest such cell, so the zoom is as legible (and the tag as visible to find) as the global
 * view's illegibility allows.
 */
export function hiddenTagCell(
  options: ResolvedSceneOptions,
  canvasSize = ZOOM_CANVAS_SIZE,
): number {
  const canvas = { width: canvasSize, height: canvasSize };
  return hiddenDetailSize({
    family: 'zoom-attribute',
    viewScale: globalViewScale(canvas, options.viewPixels),
    operationScale: (cell) =>
      referenceCropScale(canvas, tagSize(cell), options.operationViewPixels),
    hiddenPx: LEGIBILITY.hiddenCellPx,
    readablePx: LEGIBILITY.readableCellPx,
    prefer: 'largest',
  });
}

/** V*-like attribute question: read the glyph (or the dot colour) on one small tag among clutter. */
export function generateZoomAttribute(options: ResolvedSceneOptions): SceneItem {
  const { seed, split } = options;
  const random = sceneRandom('zoom-attribute', split, seed);
  const needsOperation = decideNeedsOperation(options, random);
  const canvas = { width: ZOOM_CANVAS_SIZE, height: ZOOM_CANVAS_SIZE };
  const smallCell = hiddenTagCell(options);
  const cell = glyphCell({
    needsOperation,
    hiddenCell: smallCell,
    canvas,
    viewPixels: options.viewPixels,
  });
  const attribute = random.pick<Attribute>(['digit', 'letter', 'color']);
  const [plateName, ...otherPlateNames] = random.shuffle(COLOR_NAMES);
  const plate = namedColor(plateName as string);
  const image = noisyCanvas(canvas.width, canvas.height, random);

  const target = tagSize(cell);
  const margin = Math.round(canvas.width * 0.02);
  const targetRect = placeRect(
    random,
    { x: margin, y: margin, width: canvas.width - 2 * margin, height: canvas.height - 2 * margin },
    target.width,
    target.height,
    [],
    0,
  ) as Rect;
  const distractorCount = random.int(3, 6);
  const small = tagSize(smallCell);
  const taken: Rect[] = [targetRect];
  const distractorRects: Rect[] = [];
  for (let index = 0; index < distractorCount; index++) {
    const rect = placeRect(random, { x: 0, y: 0, ...canvas }, small.width, small.height, taken, 8);
    if (rect) {
      taken.push(rect);
      distractorRects.push(rect);
    }
  }
  drawClutter(image, random, {
    count: random.int(40, 80),
    minSize: 6,
    maxSize: 60,
    avoid: taken,
  });

  const vocabulary =
    attribute === 'digit'
      ? DIGITS
      : attribute === 'letter'
        ? LETTERS
        : COLOR_NAMES.filter((name) => name !== plateName);
  const [answer, ...distractors] = random.sample(vocabulary, 4) as [string, ...string[]];
  const contentOf = (value: string): TagContent =>
    attribute === 'color' ? { dot: namedColor(value) } : { glyph: value };

  const objects: SceneObject[] = [];
  const record = (rect: Rect, tagCell: number, color: string, content: string) => {
    objects.push(tagObject(canvas, rect, tagCell, color, content, attribute === 'color'));
  };
  distractorRects.forEach((rect, index) => {
    const value = distractors[index % distractors.length] as string;
    const distractorPlateName = otherPlateNames[index % otherPlateNames.length] as string;
    const distractorPlate = namedColor(distractorPlateName);
    const dotOfPlate = attribute === 'color' && distractorPlateName === value;
    const content: TagContent = dotOfPlate
      ? { dot: namedColor(plateName as string) }
      : contentOf(value);
    record(rect, smallCell, distractorPlateName, dotOfPlate ? (plateName as string) : value);
    drawTag(image, random, {
      x: rect.x,
      y: rect.y,
      cell: smallCell,
      plate: distractorPlate,
      content,
    });
  });
  drawTag(image, random, {
    x: targetRect.x,
    y: targetRect.y,
    cell,
    plate,
    content: contentOf(answer),
  });
  record(targetRect, cell, plateName as string, answer);

  const stem =
    attribute === 'digit'
      ? `What is the digit on the ${plateName} tag?`
      : attribute === 'letter'
        ? `What is the letter on the ${plateName} tag?`
        : `What is the color of the dot on the ${plateName} tag?`;
  const choice = multipleChoice(random, stem, answer, distractors);
  return {
    id: sceneId('zoom-attribute', split, seed),
    family: 'zoom-attribute',
    seed,
    split,
    media: { type: 'image', image },
    question: choice.question,
    options: choice.options,
    answer: choice.answer,
    answerType: 'choice',
    cue: {
      type: 'box',
      box: normalizeBox(canvas, targetRect.x, targetRect.y, target.width, target.height),
      targetImage: 1,
    },
    needsOperation,
    objects,
    category: `attribute/${attribute}`,
  };
}
