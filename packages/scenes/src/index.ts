export { answerableDetailSize, hiddenDetailSize, LEGIBILITY } from './calibration.js';
export { COLOR_NAMES, NAMED_COLORS } from './colors.js';
export {
  InvalidSceneOptionsError,
  ScenesError,
  UncalibratableSceneError,
  UnknownSceneFamilyError,
  UnsupportedGlyphError,
} from './errors.js';
export { FRAME_COUNT } from './families/frames.js';
export { generateScene, SCENE_FAMILIES, type SceneStreamOptions, sceneStream } from './generate.js';
export {
  DIGITS,
  GLYPH_CHARACTERS,
  GLYPH_COLUMNS,
  GLYPH_ROWS,
  glyphBitmap,
  LETTERS,
  measureText,
} from './glyphs.js';
export { encodeScenePng, type SceneEncodedImage, toEncodedImage, toVisualInput } from './png.js';
export { hashString128, SeededRandom } from './random.js';
export {
  createImage,
  cropImage,
  drawText,
  type Rgb,
  resizeArea,
  resizeNearest,
  type SceneImage,
} from './raster.js';
export {
  DEFAULT_ANSWERABLE_SHARE,
  DEFAULT_FRAME_VIEW_PIXELS,
  DEFAULT_OPERATION_VIEW_PIXELS,
  DEFAULT_VIEW_PIXELS,
  SCENE_SPLITS,
} from './scene-context.js';
export { generateTagSheet, type TagSheet, type TagSheetOptions } from './tag-sheet.js';
export type {
  SceneCue,
  SceneFamily,
  SceneItem,
  SceneMedia,
  SceneObject,
  SceneOptions,
  SceneSplit,
} from './types.js';
export {
  fitToPixelBudget,
  globalView,
  globalViewScale,
  type NormalizedBox,
  paddedPixelBox,
  REFERENCE_CROP_PADDING,
  referenceCrop,
  referenceCropScale,
} from './views.js';
