import type { ChatImage, ChatMessage, ChatPart } from '@pixel-reasoner/model-runtime';
import { notoolProfile } from '@pixel-reasoner/model-runtime';
import type { TinyVLM } from '@pixel-reasoner/model-runtime/local';
import {
  COLOR_NAMES,
  DEFAULT_OPERATION_VIEW_PIXELS,
  DIGITS,
  generateScene,
  generateTagSheet,
  LETTERS,
  type NormalizedBox,
  SCENE_FAMILIES,
  type SceneFamily,
  type SceneImage,
  type SceneItem,
  type SceneObject,
  type SceneOptions,
  type SceneSplit,
  SeededRandom,
} from '@pixel-reasoner/scenes';
import {
  cropImageRaw,
  EVAL_CROP_RESIZE,
  type SmartResizeOptions,
} from '@pixel-reasoner/visual-ops';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingChat, TrajectorySource } from './data.js';
import { encodeTrajectory } from './encode.js';
import { InvalidSftOptionError } from './errors.js';

/**
 * Classes of the auxiliary per-image-token heads a perception base is trained with: what the
 * object at a token holds (`content`: its glyph or dot colour) and its plate colour (`plate`).
 * Class 0 is "nothing here". Give a model `auxiliaryHeads: perceptionHeadSizes()` to train them.
 */
export const PERCEPTION_HEADS = {
  content: ['none', ...DIGITS, ...LETTERS, ...COLOR_NAMES],
  plate: ['none', ...COLOR_NAMES],
} as const satisfies Record<string, readonly string[]>;

export type PerceptionHead = keyof typeof PERCEPTION_HEADS;

export function perceptionHeadSizes(): Record<PerceptionHead, number> {
  return { content: PERCEPTION_HEADS.content.length, plate: PERCEPTION_HEADS.plate.length };
}

/**
 * The text each class of `PERCEPTION_HEADS` stands for in prompts and answers, for a TinyVLM's
 * `groundedHeads`: a glyph or colour as the answer writes it, a plate as the question names it
 * ("orange tag"); "nothing here" adds nothing.
 */
export function perceptionGroundedHeads(): Record<PerceptionHead, string[]> {
  return {
    content: PERCEPTION_HEADS.content.map((name) => (name === 'none' ? '' : name)),
    plate: PERCEPTION_HEADS.plate.map((name) => (name === 'none' ? '' : `${name} tag`)),
  };
}

/**
 * The perception tasks of the base: what the paper's base VLM already can before any tool use.
 * `vision` trains only the image encoder: the global view and a zoom on every object, with the
 * object labels of the auxiliary heads and no text to answer (families that record objects).
 * `sheet` trains it the same way on zooms of a tag sheet (`generateTagSheet`): the pixels of a real
 * zoom with a dozen labelled tags in each instead of one. `options` is text only: the question,
 * then what a close look shows ("Up close: 7."), answered as `read` answers ("So the answer is 7,
 * option C."), so the base learns to find a value among the options apart from seeing it
 * (multiple-choice families).
 */
export type PerceptionTask =
  | 'read'
  | 'answer'
  | 'locate'
  | 'frames'
  | 'vision'
  | 'sheet'
  | 'options';

export const PERCEPTION_TASKS: readonly PerceptionTask[] = [
  'read',
  'answer',
  'locate',
  'frames',
  'vision',
  'sheet',
  'options',
];

export interface PerceptionSourceOptions {
  /** Families cycled through (default all five). */
  families?: readonly SceneFamily[];
  /** Scene settings (pixel budgets); `needsOperation` is set per task. */
  sceneOptions?: Omit<SceneOptions, 'seed' | 'split' | 'needsOperation'>;
  /** Scene seed of item 0 (default 0); item `i` uses `startSeed + i`. */
  startSeed?: number;
  /** Relative weight of each task (default read 4, locate 3, answer 2, frames 1). */
  taskWeights?: Partial<Record<PerceptionTask, number>>;
  /** Seeds the task draws and crop jitter (default 0). */
  randomSeed?: number | string;
}

const DEFAULT_TASK_WEIGHTS: Record<PerceptionTask, number> = {
  read: 4,
  locate: 3,
  answer: 2,
  frames: 1,
  vision: 0,
  sheet: 0,
  options: 0,
};

/** The tasks an item of `family` can be turned into. */
function tasksOf(family: SceneFamily): PerceptionTask[] {
  if (family === 'frames') return ['read', 'answer', 'frames', 'options'];
  if (family === 'zoom-attribute') {
    return ['read', 'answer', 'locate', 'vision', 'sheet', 'options'];
  }
  if (family === 'relative-position') return ['read', 'answer', 'locate', 'options'];
  return ['read', 'answer', 'locate'];
}

/**
 * An image the chat carries only inside this process: its pixels are attached as `raw` (which
 * the local model resizes directly) and no PNG is encoded, since training chats are never sent.
 */
function inProcessImage(image: { data: Uint8Array; width: number; height: number }): ChatImage {
  return {
    data: new Uint8Array(0),
    mediaType: 'image/png',
    width: image.width,
    height: image.height,
    raw: { data: image.data, width: image.width, height: image.height, channels: 3 },
  };
}

function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A box as the tool calls write `bbox_2d` (two decimals, rounded outward). */
export function formatBox(box: NormalizedBox): string {
  const [x1, y1, x2, y2] = box;
  const down = (value: number) => Math.max(0, Math.floor(value * 100 + 1e-9) / 100);
  const up = (value: number) => Math.min(1, Math.ceil(value * 100 - 1e-9) / 100);
  return `[${[down(x1), down(y1), up(x2), up(y2)].map(formatNumber).join(', ')}]`;
}

/** The option text of a choice item's letter, else the answer itself. */
function answerTextOf(item: SceneItem): string {
  if (item.answerType !== 'choice' || item.options === undefined) return item.answer;
  return item.options[item.answer.charCodeAt(0) - 65] ?? item.answer;
}

/** The final turn of every perception answer, phrased as the synthesized trajectories end. */
export function perceptionConclusion(item: SceneItem): string {
  const text = answerTextOf(item);
  const statement =
    item.answerType === 'choice'
      ? `So the answer is ${text}, option ${item.answer}.`
      : `So the answer is ${text}.`;
  return `${statement}\n\n\\boxed{${item.answer}}`;
}

function questionStem(item: SceneItem): string {
  return item.question.split('\n')[0] ?? item.question;
}

/** Token labels of one image for one auxiliary head: regions (normalized boxes) and their class. */
export interface ImageLabels {
  /** Index of the image among the chat's images and video frames, in order. */
  image: number;
  head: string;
  /** Class of tokens that no region touches (default 0, "nothing here"). */
  background?: number;
  regions: { box: NormalizedBox; label: number }[];
}

/** Object labels of an image showing `window` (a normalized box) of the item's image. */
function objectLabels(
  item: { objects?: readonly SceneObject[] },
  image: number,
  window: NormalizedBox,
  options: { content: boolean },
): ImageLabels[] {
  // Only families that record their objects can say where nothing is.
  if (item.objects === undefined) return [];
  const [left, top, right, bottom] = window;
  const width = right - left;
  const height = bottom - top;
  const map = (box: NormalizedBox): NormalizedBox => [
    (box[0] - left) / width,
    (box[1] - top) / height,
    (box[2] - left) / width,
    (box[3] - top) / height,
  ];
  const inside = (box: NormalizedBox) => {
    const x = (box[0] + box[2]) / 2;
    const y = (box[1] + box[3]) / 2;
    return x >= 0 && x < 1 && y >= 0 && y < 1;
  };
  const plate: ImageLabels = { image, head: 'plate', regions: [] };
  const content: ImageLabels = { image, head: 'content', regions: [] };
  for (const object of item.objects) {
    const box = map(object.box);
    const contentBox = map(object.contentBox);
    if (inside(box)) {
      plate.regions.push({
        box,
        label: (PERCEPTION_HEADS.plate as readonly string[]).indexOf(object.color),
      });
    }
    if (inside(contentBox)) {
      content.regions.push({
        box: contentBox,
        label: (PERCEPTION_HEADS.content as readonly string[]).indexOf(object.content),
      });
    }
  }
  return options.content ? [plate, content] : [plate];
}

function userTurn(media: ChatPart[], text: string): ChatMessage {
  return { role: 'user', content: [...media, { type: 'text', text }] };
}

/** A crop box around the cue with the random margin and shift of a good but imperfect zoom. */
function jitteredCueBox(cue: NormalizedBox, random: SeededRandom): NormalizedBox {
  const width = cue[2] - cue[0];
  const height = cue[3] - cue[1];
  const shiftX = random.real(-0.04, 0.04);
  const shiftY = random.real(-0.04, 0.04);
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  return [
    clamp(cue[0] - width * random.real(0.05, 0.4) + shiftX),
    clamp(cue[1] - height * random.real(0.05, 0.4) + shiftY),
    clamp(cue[2] + width * random.real(0.05, 0.4) + shiftX),
    clamp(cue[3] + height * random.real(0.05, 0.4) + shiftY),
  ];
}

function pickTask(
  family: SceneFamily,
  weights: Record<PerceptionTask, number>,
  random: SeededRandom,
): PerceptionTask | undefined {
  const tasks = tasksOf(family).filter((task) => weights[task] > 0);
  const total = tasks.reduce((sum, task) => sum + weights[task], 0);
  if (total === 0) return undefined;
  let draw = random.real(0, total);
  for (const task of tasks) {
    draw -= weights[task];
    if (draw < 0) return task;
  }
  return tasks.at(-1);
}

/** One perception example: a no-tool chat whose answer turn is trained, with token labels. */
export async function perceptionExample(options: {
  family: SceneFamily;
  task: PerceptionTask;
  seed: number;
  /** Default `train`; held-out evaluation uses `test`. */
  split?: SceneSplit;
  sceneOptions?: PerceptionSourceOptions['sceneOptions'];
  random: SeededRandom;
}): Promise<TrainingChat & { item: SceneItem }> {
  const { family, task, seed, random } = options;
  const system: ChatMessage = { role: 'system', content: notoolProfile.systemPrompt };
  if (task === 'sheet') return sheetExample({ ...options, system });
  const item = generateScene(family, {
    ...options.sceneOptions,
    seed,
    split: options.split ?? 'train',
    needsOperation: task === 'answer' ? false : task === 'read' ? true : undefined,
  });
  const id = `${item.id}#perception-${task}`;
  const chat = (
    user: ChatMessage,
    answer: string,
    imageLabels: ImageLabels[] = [],
  ): TrainingChat & { item: SceneItem } => ({
    id,
    item,
    turns: [
      { message: system, trainable: false },
      { message: user, trainable: false },
      { message: { role: 'assistant', content: answer }, trainable: true },
    ],
    ...(imageLabels.length > 0 && { imageLabels }),
  });
  const question = notoolProfile.userText(item.question);
  if (task === 'options') {
    return chat(
      userTurn([], notoolProfile.userText(`${item.question}\nUp close: ${answerTextOf(item)}.`)),
      perceptionConclusion(item),
    );
  }
  if (item.media.type === 'video') {
    const frames = item.media.frames;
    const cueFrames = item.cue.type === 'frames' ? item.cue.frames : [];
    if (task === 'frames') {
      return chat(
        userTurn(
          [{ type: 'video', frames: frames.map(inProcessImage) }],
          `${questionStem(item)}\nWhich frames show it? Answer with the frame numbers.`,
        ),
        `[${cueFrames.join(', ')}]`,
      );
    }
    if (task === 'read') {
      const shown = cueFrames.map((frame) => frames[frame - 1] as SceneImage);
      return chat(
        userTurn(
          shown.map((frame) => ({
            type: 'image',
            image: inProcessImage(frame),
            origin: 'operation',
          })),
          question,
        ),
        perceptionConclusion(item),
      );
    }
    return chat(
      userTurn([{ type: 'video', frames: frames.map(inProcessImage) }], question),
      perceptionConclusion(item),
    );
  }
  const image = item.media.image;
  const whole: NormalizedBox = [0, 0, 1, 1];
  if (task === 'answer') {
    return chat(
      userTurn([{ type: 'image', image: inProcessImage(image), origin: 'input' }], question),
      perceptionConclusion(item),
      objectLabels(item, 0, whole, { content: true }),
    );
  }
  if (item.cue.type !== 'box') {
    throw new InvalidSftOptionError('families', `${item.id} has no box cue to ${task}`);
  }
  if (task === 'locate') {
    return chat(
      userTurn(
        [{ type: 'image', image: inProcessImage(image), origin: 'input' }],
        `${questionStem(item)}\nWhere should one zoom in to answer? Give the bbox_2d.`,
      ),
      formatBox(item.cue.box),
      objectLabels(item, 0, whole, { content: !item.needsOperation }),
    );
  }
  if (task === 'vision') {
    // The global view and a zoom on every tag: object labels only, no answer to train.
    return zoomsExample({
      id,
      item,
      system,
      image,
      objects: item,
      boxes: (item.objects ?? []).map((object) => object.box),
      media: [{ type: 'image', image: inProcessImage(image), origin: 'input' }],
      labels: objectLabels(item, 0, whole, { content: !item.needsOperation }),
      random,
      sceneOptions: options.sceneOptions,
    });
  }
  const crop = await zoomOn(item, image, jitteredCueBox(item.cue.box, random));
  return chat(
    userTurn([{ type: 'image', image: crop.image, origin: 'operation' }], question),
    perceptionConclusion(item),
    objectLabels(item, 0, crop.window, { content: true }),
  );
}

/** Zooms the vision task would make, on tags of a tag sheet instead of an item's few tags. */
async function sheetExample(options: {
  family: SceneFamily;
  seed: number;
  split?: SceneSplit;
  sceneOptions?: PerceptionSourceOptions['sceneOptions'];
  random: SeededRandom;
  system: ChatMessage;
}): Promise<TrainingChat & { item: SceneItem }> {
  const { random } = options;
  // The item is the zoom-attribute scene of the same seed: what the example is about in reports.
  const item = generateScene('zoom-attribute', {
    ...options.sceneOptions,
    seed: options.seed,
    split: options.split ?? 'train',
  });
  const sheet = generateTagSheet({
    seed: options.seed,
    split: options.split ?? 'train',
    ...(options.sceneOptions && { sceneOptions: options.sceneOptions }),
  });
  // Drawn lazily, so each tag is picked just before its zoom's jitter.
  function* tags() {
    for (let zoom = 0; zoom < SHEET_ZOOMS; zoom += 1) yield random.pick(sheet.objects).box;
  }
  return zoomsExample({
    id: `${item.id}#perception-sheet`,
    item,
    system: options.system,
    image: sheet.image,
    objects: sheet,
    boxes: tags(),
    media: [],
    labels: [],
    random,
    sceneOptions: options.sceneOptions,
  });
}

/**
 * An images-only chat for the object heads: `media` followed by a jittered zoom on each of `boxes`
 * of `image`, labelled from `objects`. Zooms are resized straight to the operation budget (the
 * tool's larger intermediate size is skipped: same pixels up to interpolation, a third of the cost).
 */
async function zoomsExample(options: {
  id: string;
  item: SceneItem;
  system: ChatMessage;
  image: SceneImage;
  objects: { objects?: readonly SceneObject[] };
  boxes: Iterable<NormalizedBox>;
  media: ChatPart[];
  labels: ImageLabels[];
  random: SeededRandom;
  sceneOptions: PerceptionSourceOptions['sceneOptions'] | undefined;
}): Promise<TrainingChat & { item: SceneItem }> {
  const { item, media, labels, random } = options;
  for (const box of options.boxes) {
    const crop = await zoomOn(item, options.image, jitteredCueBox(box, random), {
      factor: 16,
      minPixels: 16 * 16,
      maxPixels: options.sceneOptions?.operationViewPixels ?? DEFAULT_OPERATION_VIEW_PIXELS,
    });
    labels.push(...objectLabels(options.objects, media.length, crop.window, { content: true }));
    media.push({ type: 'image', image: crop.image, origin: 'operation' });
  }
  return {
    id: options.id,
    item,
    turns: [
      { message: options.system, trainable: false },
      { message: { role: 'user', content: media }, trainable: false },
    ],
    imageLabels: labels,
  };
}

/** Zooms per sheet example: about the image tokens of a vision example. */
const SHEET_ZOOMS = 4;

/** What `crop_image_normalized` shows of `box`, and the region of the image it shows. */
async function zoomOn(
  item: SceneItem,
  image: SceneImage,
  box: NormalizedBox,
  resize: SmartResizeOptions = EVAL_CROP_RESIZE,
): Promise<{ image: ChatImage; window: NormalizedBox }> {
  const source = inProcessImage(image);
  const crop = await cropImageRaw({ ...source, raw: source.raw! }, box, { resize });
  if (!crop.ok) throw new InvalidSftOptionError('families', `${item.id}: ${crop.error}`);
  const [left, top, right, bottom] = crop.pixelBox;
  return {
    image: inProcessImage(crop.raw),
    window: [left / image.width, top / image.height, right / image.width, bottom / image.height],
  };
}

/**
 * The base model's pretraining data: an endless, deterministic stream of perception examples from
 * fresh procedural scenes — read the answer from the cue's crop (or selected frames), answer an
 * answerable item from the global view, give the box (or frames) of the cue — each a no-tool chat
 * with its answer turn trained, plus per-token object labels for the auxiliary heads. No tool call
 * is ever shown: tool use is what SFT teaches on top of this base. The cursor is the item index.
 */
export function perceptionSource(options: PerceptionSourceOptions = {}): TrajectorySource {
  const families = options.families ?? SCENE_FAMILIES;
  if (families.length === 0) {
    throw new InvalidSftOptionError('families', 'must name at least one scene family');
  }
  const weights = { ...DEFAULT_TASK_WEIGHTS, ...options.taskWeights };
  for (const [task, weight] of Object.entries(weights)) {
    if (!(Number.isFinite(weight) && weight >= 0)) {
      throw new InvalidSftOptionError(`taskWeights.${task}`, `must be ≥ 0, got ${weight}`);
    }
  }
  if (!families.some((family) => tasksOf(family).some((task) => weights[task] > 0))) {
    throw new InvalidSftOptionError(
      'taskWeights',
      `no task with a positive weight applies to ${families.join(', ')}`,
    );
  }
  const startSeed = options.startSeed ?? 0;
  const randomSeed = String(options.randomSeed ?? 0);
  return {
    kind: 'trajectory-source',
    async *open(cursor: number) {
      for (let index = cursor; ; index += 1) {
        const family = families[index % families.length] as SceneFamily;
        const random = SeededRandom.fromLabel(`perception|${randomSeed}|${index}`);
        const task = pickTask(family, weights, random);
        if (task === undefined) continue;
        const trajectory = await perceptionExample({
          family,
          task,
          seed: startSeed + index,
          random,
          ...(options.sceneOptions && { sceneOptions: options.sceneOptions }),
        });
        yield { trajectory, next: index + 1 };
      }
    },
  };
}

/** Held-out perception scores of one task on one family, with a 95% Wilson interval. */
export interface PerceptionScore {
  family: SceneFamily;
  task: PerceptionTask;
  n: number;
  correct: number;
  accuracy: number;
  interval: [number, number];
}

/** 95% Wilson score interval of `correct` successes in `n` trials. */
export function wilsonInterval(correct: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959963984540054;
  const p = correct / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [
    correct === 0 ? 0 : Math.max(0, centre - half),
    correct === n ? 1 : Math.min(1, centre + half),
  ];
}

function numbersIn(text: string): number[] {
  return (text.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
}

/**
 * Whether a perception answer is right: the boxed answer for `read`/`answer`; for `locate`, four
 * numbers whose box, padded as the crop tool pads it (0.1 per side), contains the cue; for
 * `frames`, at most 8 frame numbers that include every cue frame.
 */
export function scorePerceptionAnswer(
  task: PerceptionTask,
  item: SceneItem,
  text: string,
): boolean {
  if (task === 'locate') {
    const numbers = numbersIn(text);
    if (numbers.length !== 4 || item.cue.type !== 'box') return false;
    const [x1, y1, x2, y2] = numbers as [number, number, number, number];
    const [c1, c2, c3, c4] = item.cue.box;
    return (
      x1 < x2 && y1 < y2 && x1 - 0.1 <= c1 && y1 - 0.1 <= c2 && x2 + 0.1 >= c3 && y2 + 0.1 >= c4
    );
  }
  if (task === 'frames') {
    const frames = new Set(numbersIn(text));
    const cue = item.cue.type === 'frames' ? item.cue.frames : [];
    return frames.size <= 8 && cue.every((frame) => frames.has(frame));
  }
  const boxed = /\\boxed\{([^}]*)\}/.exec(text);
  return boxed !== null && boxed[1]?.trim() === item.answer;
}

/** Something that answers a no-tool chat (a local model, a remote one). */
export type PerceptionResponder = (messages: ChatMessage[]) => Promise<string>;

/**
 * Scores a model on held-out (`test` split) perception examples of each family and task: the
 * base model's own evaluation, reported with 95% intervals.
 */
export async function evaluatePerception(options: {
  respond: PerceptionResponder;
  families?: readonly SceneFamily[];
  tasks?: readonly PerceptionTask[];
  itemsPerTask: number;
  startSeed?: number;
  sceneOptions?: PerceptionSourceOptions['sceneOptions'];
  /** Items answered at once (default 1; more keeps a worker pool busy). */
  concurrency?: number;
  onItem?: (done: number, total: number) => void;
}): Promise<PerceptionScore[]> {
  const families = options.families ?? SCENE_FAMILIES;
  const tasks =
    options.tasks ??
    PERCEPTION_TASKS.filter((task) => task !== 'vision' && task !== 'sheet' && task !== 'options');
  const pairs = families.flatMap((family) =>
    tasksOf(family)
      .filter((task) => tasks.includes(task))
      .map((task) => ({ family, task })),
  );
  const total = pairs.length * options.itemsPerTask;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  let done = 0;
  const score = async (family: SceneFamily, task: PerceptionTask, index: number) => {
    const seed = (options.startSeed ?? 0) + index;
    const example = await perceptionExample({
      family,
      task,
      seed,
      split: 'test',
      random: SeededRandom.fromLabel(`perception-eval|${family}|${task}|${seed}`),
      ...(options.sceneOptions && { sceneOptions: options.sceneOptions }),
    });
    const prompt = example.turns.filter((turn) => !turn.trainable).map((turn) => turn.message);
    const right = scorePerceptionAnswer(task, example.item, await options.respond(prompt));
    done += 1;
    options.onItem?.(done, total);
    return right;
  };
  const scores: PerceptionScore[] = [];
  for (const { family, task } of pairs) {
    let correct = 0;
    for (let start = 0; start < options.itemsPerTask; start += concurrency) {
      const indices = Array.from(
        { length: Math.min(concurrency, options.itemsPerTask - start) },
        (_, offset) => start + offset,
      );
      const results = await Promise.all(indices.map((index) => score(family, task, index)));
      correct += results.filter(Boolean).length;
    }
    const n = options.itemsPerTask;
    scores.push({
      family,
      task,
      n,
      correct,
      accuracy: n === 0 ? 0 : correct / n,
      interval: wilsonInterval(correct, n),
    });
  }
  return scores;
}

/** Accuracy of a model's auxiliary object heads on labelled object tokens of held-out scenes. */
export interface ObjectHeadScores {
  /** Glyph or dot read at the centre token of each object in a zoom on it. */
  contentInZoom: PerceptionAccuracy;
  /** Plate colour at the centre token of each object in the global view (where it is). */
  plateInView: PerceptionAccuracy;
}

export interface PerceptionAccuracy {
  n: number;
  correct: number;
  accuracy: number;
  interval: [number, number];
}

function accuracyOf(correct: number, n: number): PerceptionAccuracy {
  return { n, correct, accuracy: n === 0 ? 0 : correct / n, interval: wilsonInterval(correct, n) };
}

/**
 * Scores the object heads (see `PERCEPTION_HEADS`) of `model` on `items` held-out zoom-attribute
 * scenes (`test` split): the learning curve of the vision phase, without any text generation.
 */
export async function evaluateObjectHeads(options: {
  model: TinyVLM;
  items: number;
  startSeed?: number;
  sceneOptions?: PerceptionSourceOptions['sceneOptions'];
}): Promise<ObjectHeadScores> {
  const { model } = options;
  let content = 0;
  let contentN = 0;
  let plate = 0;
  let plateN = 0;
  for (let index = 0; index < options.items; index += 1) {
    const seed = (options.startSeed ?? 0) + index;
    const example = await perceptionExample({
      family: 'zoom-attribute',
      task: 'vision',
      seed,
      split: 'test',
      random: SeededRandom.fromLabel(`object-heads|${seed}`),
      ...(options.sceneOptions && { sceneOptions: options.sceneOptions }),
    });
    const encoded = await encodeTrajectory(model, example);
    const predictions: Record<string, Int32Array> = {};
    for (const head of ['content', 'plate'] as const) {
      predictions[head] = tf.tidy(
        () => tf.argMax(model.auxiliaryLogits(head, encoded.images), 1).dataSync() as Int32Array,
      );
    }
    let offset = 0;
    encoded.images.forEach((image, imageIndex) => {
      const size = image.gridWidth * image.gridHeight;
      for (let token = offset; token < offset + size; token += 1) {
        const contentLabel = encoded.imageTargets?.content?.[token] ?? -1;
        const plateLabel = encoded.imageTargets?.plate?.[token] ?? -1;
        if (imageIndex > 0 && contentLabel > 0) {
          contentN += 1;
          if (predictions.content![token] === contentLabel) content += 1;
        }
        if (imageIndex === 0 && plateLabel > 0) {
          plateN += 1;
          if (predictions.plate![token] === plateLabel) plate += 1;
        }
      }
      offset += size;
    });
  }
  return { contentInZoom: accuracyOf(content, contentN), plateInView: accuracyOf(plate, plateN) };
}
