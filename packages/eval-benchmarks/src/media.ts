import type { ChatImage } from '@pixel-reasoner/model-runtime';
import { generateScene, toVisualInput } from '@pixel-reasoner/scenes';
import {
  type EncodeImageOptions,
  readImage,
  type SmartResizeOptions,
  sampleFrames,
} from '@pixel-reasoner/visual-ops';
import { UnreadableMediaError } from './errors.js';
import { readTsvCell } from './loaders/tsv.js';
import type { MediaSource } from './types.js';

/** One visual input of the first user turn: an image, or a video as its sampled frames. */
export type PromptMedia =
  | { type: 'image'; image: ChatImage }
  | { type: 'video'; frames: ChatImage[] };

/** The reference's evaluation "fetch" budget for input images: [256, 8000]·28² pixels. */
export const REFERENCE_EVAL_INPUT_PIXELS: Required<Omit<SmartResizeOptions, 'factor'>> = {
  minPixels: 256 * 28 * 28,
  maxPixels: 8000 * 28 * 28,
};

export interface ResolveMediaOptions {
  /** `smartResize` budget applied to input images; `false` sends them at their file size. */
  inputPixels?: Omit<SmartResizeOptions, 'factor'> | false;
  /**
   * How an input image that had to be resized is written (visual-ops `readImage`'s `encoding`):
   * PNG by default, lossless like the reference's in-memory images; `{ format: 'jpeg', quality }`
   * sends photos in a tenth of the bytes. PNG and JPEG files already at their size go as they are.
   */
  inputEncoding?: EncodeImageOptions;
}

async function inputImage(
  source: string | Uint8Array,
  label: string,
  options: ResolveMediaOptions,
): Promise<ChatImage> {
  const budget =
    options.inputPixels === undefined ? REFERENCE_EVAL_INPUT_PIXELS : options.inputPixels;
  const encoding = options.inputEncoding !== undefined ? { encoding: options.inputEncoding } : {};
  if (budget === false) return readImage(source, { label, ...encoding });
  // Decoded only when the budget changes its size (a resized PNG keeps its pixels for crops);
  // otherwise the first crop decodes it, and an episode without one never does.
  return readImage(source, {
    label,
    resize: { factor: 28, ...budget },
    ...encoding,
  });
}

/** Turns an item's media sources into prompt media; reads, resizes and samples frames as needed. */
export async function resolveMedia(
  sources: readonly MediaSource[],
  options: ResolveMediaOptions = {},
): Promise<PromptMedia[]> {
  const media: PromptMedia[] = [];
  for (const source of sources) {
    switch (source.kind) {
      case 'image-file':
        media.push({ type: 'image', image: await inputImage(source.path, source.path, options) });
        break;
      case 'image-bytes':
        media.push({ type: 'image', image: await inputImage(source.data, source.name, options) });
        break;
      case 'base64-range': {
        const text = await readTsvCell(source.path, { start: source.start, end: source.end });
        const data = new Uint8Array(Buffer.from(text, 'base64'));
        if (data.length === 0)
          throw new UnreadableMediaError(source.name, 'empty base64 image cell');
        media.push({ type: 'image', image: await inputImage(data, source.name, options) });
        break;
      }
      case 'chat-image':
        media.push({ type: 'image', image: source.image });
        break;
      case 'chat-frames':
        media.push({ type: 'video', frames: source.frames });
        break;
      case 'frame-files':
        media.push({
          type: 'video',
          frames: await Promise.all(source.paths.map((path) => readImage(path, { label: path }))),
        });
        break;
      case 'video-file':
      case 'frame-folder': {
        const sampled = await sampleFrames(source.path, {
          numFrames: source.frameCount,
          start: source.bound?.start,
          end: source.bound?.end,
          fps: source.kind === 'frame-folder' ? source.fps : undefined,
        });
        media.push({ type: 'video', frames: sampled.frames });
        break;
      }
      case 'scene': {
        const input = await toVisualInput(generateScene(source.family, source.options));
        media.push(
          input.type === 'image'
            ? { type: 'image', image: input.image }
            : { type: 'video', frames: input.frames },
        );
        break;
      }
    }
  }
  return media;
}
