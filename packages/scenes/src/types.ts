import type { SceneImage } from './raster.js';
import type { NormalizedBox } from './views.js';

export type SceneFamily =
  | 'zoom-attribute'
  | 'relative-position'
  | 'count'
  | 'frames'
  | 'infographic';

export type SceneSplit = 'train' | 'validation' | 'test';

export type SceneMedia =
  | { type: 'image'; image: SceneImage }
  | { type: 'video'; frames: SceneImage[] };

/**
 * Where the answer is: a normalized `[x1, y1, x2, y2]` box on image `targetImage` (1-based, as
 * `crop_image_normalized` counts), or the 1-based frames that show the event.
 */
export type SceneCue =
  | { type: 'box'; box: NormalizedBox; targetImage: number }
  | { type: 'frames'; frames: number[] };

/**
 * One drawn object of an item's image and what it holds: ground truth for perception training
 * (where each tag is, its plate colour and the glyph or dot colour on it).
 */
export interface SceneObject {
  kind: 'tag';
  /** Normalized box of the whole object on image `image` (1-based). */
  box: NormalizedBox;
  image: number;
  /** Plate colour name. */
  color: string;
  /** The glyph drawn on it, or the dot's colour name. */
  content: string;
  /** Normalized box of the glyph or dot. */
  contentBox: NormalizedBox;
}

export interface SceneItem {
  /** `${family}/${split}/${seed}`: unique within a family and split. */
  id: string;
  family: SceneFamily;
  seed: number;
  split: SceneSplit;
  media: SceneMedia;
  /** For choice items the text lists the options as `(A) …` lines, V*-style. */
  question: string;
  /** Option texts in the order the question lists them (choice items only). */
  options?: string[];
  /** Choice: the option letter (`'A'`…); integer: decimal digits; text: the exact string. */
  answer: string;
  answerType: 'choice' | 'integer' | 'text';
  cue: SceneCue;
  /** True when the answer is illegible at the global view and legible after the cued operation. */
  needsOperation: boolean;
  /** Every tag drawn, the target among them (families that draw tags; absent elsewhere). */
  objects?: SceneObject[];
  /** Sub-type, e.g. `attribute/digit`, `count/complex`. */
  category: string;
  /** Count items: TallyQA's simple (one attribute) vs complex (a conjunction). */
  simple?: boolean;
}

export interface SceneOptions {
  /** Non-negative safe integer; with `split` and the family it fixes every byte of the item. */
  seed: number;
  split: SceneSplit;
  /** Pixel budget of the model's global view of an image (default 64×64). */
  viewPixels?: number;
  /** Pixel budget of an operation's output: a crop, or a selected frame (default 128×128). */
  operationViewPixels?: number;
  /** Pixel budget of each of the 16 frames in the global view of a video (default 32×32). */
  frameViewPixels?: number;
  /** Probability that an item is answerable without an operation (default 0.3). */
  answerableShare?: number;
  /** Force the item to need (true) or not need (false) an operation, ignoring `answerableShare`. */
  needsOperation?: boolean;
}

export interface ResolvedSceneOptions {
  seed: number;
  split: SceneSplit;
  viewPixels: number;
  operationViewPixels: number;
  frameViewPixels: number;
  answerableShare: number;
  needsOperation: boolean | undefined;
}
