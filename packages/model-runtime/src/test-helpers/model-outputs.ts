import { type ExecuteToolOptions, encodeImage } from '@pixel-reasoner/visual-ops';
import fc from 'fast-check';
import type { EpisodeMedia } from '../spec/episode.js';
import type { VisionLanguageModelV1 } from '../spec/language-model-v1.js';

const TOOL_NAMES = ['crop_image_normalized', 'select_frames'];

/** Numbers a model may write, JSON-legal or only Python-legal (NaN, Infinity), as text. */
const numberText = fc.oneof(
  fc
    .double({ noNaN: false })
    .map((value) =>
      Number.isNaN(value)
        ? 'NaN'
        : value === Number.POSITIVE_INFINITY
          ? 'Infinity'
          : value === Number.NEGATIVE_INFINITY
            ? '-Infinity'
            : String(value),
    ),
  fc.double({ min: -0.5, max: 1.5, noNaN: true }).map(String),
  fc.integer({ min: -20, max: 40 }).map(String),
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-0',
    '0.0',
    '1',
    'true',
    'null',
    '"0.5"',
  ),
);

/** A JSON-ish value as text, possibly nested, with Python's extra number spellings. */
const valueText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberText,
    fc.string({ maxLength: 6 }).map((text) => JSON.stringify(text)),
    fc.array(tie('value'), { maxLength: 6 }).map((items) => `[${items.join(', ')}]`),
    fc
      .array(
        fc.tuple(
          fc.constantFrom('bbox_2d', 'target_image', 'target_frames', 'x', ''),
          tie('value'),
        ),
        {
          maxLength: 4,
        },
      )
      .map((entries) => `{${entries.map(([key, value]) => `"${key}": ${value}`).join(', ')}}`),
  ),
})).value;

const bboxText = fc
  .array(numberText, { minLength: 0, maxLength: 7 })
  .map((items) => `[${items.join(', ')}]`);

const framesText = fc.oneof(
  fc
    .array(fc.integer({ min: -3, max: 20 }), { maxLength: 12 })
    .map((items) => JSON.stringify(items)),
  fc.array(numberText, { maxLength: 10 }).map((items) => `[${items.join(', ')}]`),
  valueText,
);

/** Calls a trained model plausibly writes: mostly valid, sometimes 5 numbers or a NaN. */
const plausibleBody = fc.oneof(
  fc
    .tuple(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 6 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 3 }),
    )
    .map(([values, sorted, target]) => {
      const box = [...values];
      if (sorted) {
        const [x1, y1, x2, y2] = box as [number, number, number, number];
        box.splice(0, 4, Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2));
      }
      return `{"name": "crop_image_normalized", "arguments": {"bbox_2d": [${box.map((value) => value.toFixed(3)).join(', ')}], "target_image": ${target}}}`;
    }),
  fc
    .array(fc.integer({ min: 0, max: 17 }), { minLength: 1, maxLength: 9 })
    .map(
      (frames) =>
        `{"name": "select_frames", "arguments": {"target_frames": ${JSON.stringify(frames)}}}`,
    ),
);

const malformedCrop = fc
  .tuple(bboxText, fc.oneof(numberText, valueText))
  .map(
    ([bbox, target]) =>
      `{"name": "crop_image_normalized", "arguments": {"bbox_2d": ${bbox}, "target_image": ${target}}}`,
  );

const malformedFrames = framesText.map(
  (frames) => `{"name": "select_frames", "arguments": {"target_frames": ${frames}}}`,
);

const anyCall = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...TOOL_NAMES).map((name) => JSON.stringify(name)),
      valueText,
    ),
    valueText,
  )
  .map(([name, args]) => `{"name": ${name}, "arguments": ${args}}`);

/** A tool-call body close to the real thing: right keys, arguments that may be wrong in any way. */
const callBody = fc.oneof(
  { weight: 4, arbitrary: plausibleBody },
  { weight: 1, arbitrary: malformedCrop },
  { weight: 1, arbitrary: malformedFrames },
  { weight: 1, arbitrary: anyCall },
  { weight: 1, arbitrary: valueText },
);

/** Deep nesting of `[` and `{` (a few KB), closed or not: what overflowed the recursive scanner. */
const deepNesting = fc
  .tuple(
    fc.integer({ min: 500, max: 4000 }),
    fc.constantFrom('[', '{"a": ', '[{"a": ', 'mix'),
    fc.boolean(),
  )
  .map(([depth, unit, closed]) => {
    let open = '';
    let close = '';
    for (let level = 0; level < depth; level++) {
      const piece = unit === 'mix' ? (level % 3 === 0 ? '{"k": ' : '[') : unit;
      open += piece;
      close = (piece.startsWith('{') ? (piece === '[{"a": ' ? '}]' : '}') : ']') + close;
    }
    return closed ? `${open}1${close}` : open;
  });

/** Corrupts a body: cut, duplicate or insert characters at random places. */
const corrupted = fc
  .tuple(
    callBody,
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ',', ']', '}', '"', '\\', ':', '\n', 'NaN')), {
      maxLength: 4,
    }),
    fc.nat(),
  )
  .map(([body, edits, cut]) => {
    let text = body;
    for (const [position, insert] of edits) {
      const at = position % (text.length + 1);
      text = text.slice(0, at) + insert + text.slice(at + (insert === '' ? 1 : 0));
    }
    return cut % 4 === 0 ? text.slice(0, cut % (text.length + 1)) : text;
  });

/** Mostly `first`, sometimes one of the others. */
function mostly(first: string, ...others: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(first) },
    { weight: 2, arbitrary: fc.constantFrom(...others) },
  );
}

/** Whole assistant turns: reasoning text, zero or more `<tool_call>` blocks, an ending. */
export const modelOutputArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ maxLength: 20 }),
    fc.oneof(
      { weight: 4, arbitrary: callBody },
      { weight: 2, arbitrary: corrupted },
      { weight: 1, arbitrary: deepNesting },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    ),
    mostly('\n</tool_call>', '</tool_call><|im_end|>', '\n</tool_call>\n', '', '</tool_call>'),
    mostly('<tool_call>\n', '<tool_call>', '', '<tool_call><tool_call>'),
  )
  .map(([prefix, body, end, start]) => `${prefix}${start}${body}${end}`);
/** Episode media the fuzz runs against: one image, two images of different shapes, or a video. */
export interface FuzzMedia {
  name: string;
  media: EpisodeMedia[];
}

async function gradient(width: number, height: number, seed: number) {
  const data = new Uint8Array(width * height * 3);
  for (let index = 0; index < data.length; index++) data[index] = (index * 7 + seed * 31) % 251;
  return encodeImage({ width, height, channels: 3, data });
}

/** Small images so 10^5 episodes run in minutes, including a 1200×30 strip (extreme aspect). */
export async function fuzzMedia(): Promise<FuzzMedia[]> {
  const square = await gradient(96, 96, 1);
  const strip = await gradient(1200, 30, 2);
  const frames = await Promise.all(
    Array.from({ length: 16 }, (_, index) => gradient(48, 36, index)),
  );
  return [
    { name: 'image', media: [{ type: 'image', image: square }] },
    {
      name: 'two images',
      media: [
        { type: 'image', image: square },
        { type: 'image', image: strip },
      ],
    },
    { name: 'video', media: [{ type: 'video', frames }] },
  ];
}

/** Small output budgets, every box mode: the fuzz exercises the code, not the pixel volume. */
export const FUZZ_TOOL_OPTIONS: readonly ExecuteToolOptions[] = [
  { cropMinPixels: 4 * 784, cropMaxPixels: 16 * 784 },
  {
    boxMode: 'pixel',
    cropMinPixels: 4 * 784,
    cropMaxPixels: 16 * 784,
    selectedFrameMaxPixels: 4 * 784,
  },
  { boxMode: 'reference-heuristic', cropMinPixels: 4 * 784, cropMaxPixels: 16 * 784 },
];

/** A model that writes `first`, then a final answer. */
export function oneCallModel(first: string): VisionLanguageModelV1 {
  return {
    specificationVersion: 'v1',
    provider: 'fuzz',
    modelId: 'fuzz',
    supportsLogprobs: false,
    async doGenerate({ messages }) {
      const turn = messages.filter((message) => message.role === 'assistant').length;
      return {
        text: turn === 0 ? first : '\\boxed{A}',
        finishReason: 'stop',
        usage: { inputTokens: 1, outputTokens: 1 },
      };
    },
  };
}
