import { UncalibratableSceneError } from './errors.js';
import { globalViewScale } from './views.js';

/**
 * Legibility thresholds, in pixels of the view a model gets, for the detail an answer depends on
 * (one font cell for text, the object side for shapes). `bench/legibility.mjs` measures them: a
 * reader told where the target is stays at chance at or below `hidden*`, and reads at or above
 * `readable*`.
 */
export const LEGIBILITY = {
  /** A font cell this small (or smaller) in the global view leaves the glyph unreadable. */
  hiddenCellPx: 0.25,
  /**
   * A font cell at least this large in a resampled operation output (a crop) is readable. Resampling
   * blurs a 1-px cell across two pixels, so crops need more than one pixel per cell.
   */
  readableCellPx: 1.4,
  /** A font cell this large is readable at native resolution (selected frames are not resampled). */
  readableNativeCellPx: 1,
  /** A font cell this large in the global view is readable without any operation. */
  answerableCellPx: 2,
  /** A shape this small in the global view cannot be told apart from the other shapes. */
  hiddenShapePx: 1.5,
  /** A shape at least this large after an operation is recognisable. */
  readableShapePx: 5,
  /** A shape this large in the global view is recognisable without any operation. */
  answerableShapePx: 6,
} as const;

/**
 * A detail size (original pixels, integer) that is readable after the operation yet hidden in the
 * global view: the smallest such size, or with `prefer: 'largest'` the largest (the most legible
 * zoom that the global view still hides). `operationScale(size)` gives the operation output's
 * linear scale for a detail of that size, since larger details make larger cue boxes and so
 * smaller zooms.
 */
export function hiddenDetailSize(options: {
  family: string;
  viewScale: number;
  operationScale: (size: number) => number;
  hiddenPx: number;
  readablePx: number;
  prefer?: 'smallest' | 'largest';
}): number {
  const { viewScale, operationScale, hiddenPx, readablePx } = options;
  let found: number | undefined;
  for (let size = 1; size * viewScale <= hiddenPx; size++) {
    if (size * operationScale(size) >= readablePx) {
      found = size;
      if (options.prefer !== 'largest') break;
    }
  }
  if (found !== undefined) return found;
  throw new UncalibratableSceneError(
    `${options.family}: no detail size is hidden at the global view (scale ${viewScale.toFixed(4)}) ` +
      `yet readable after the operation; give the operation a larger pixel budget relative to the view`,
  );
}

/** The smallest detail size (original pixels) readable in the global view itself. */
export function answerableDetailSize(viewScale: number, answerablePx: number): number {
  return Math.ceil(answerablePx / viewScale - 1e-9);
}

/**
 * Font cell of an item's glyphs: the hidden cell when the item needs an operation, otherwise the
 * smallest cell legible in the global view of `canvas`.
 */
export function glyphCell(options: {
  needsOperation: boolean;
  hiddenCell: number;
  canvas: { width: number; height: number };
  viewPixels: number;
}): number {
  return options.needsOperation
    ? options.hiddenCell
    : answerableDetailSize(
        globalViewScale(options.canvas, options.viewPixels),
        LEGIBILITY.answerableCellPx,
      );
}
