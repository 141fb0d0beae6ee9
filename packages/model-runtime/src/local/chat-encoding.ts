import { type ChatSegment, renderChatSegments } from '../prompt/qwen-chat-template.js';
import type { ChatImage, ChatMessage } from '../spec/chat.js';
import type { ImageCacheV1 } from '../spec/language-model-v1.js';
import { InvalidBatchError } from './errors.js';
import { type PreparedImage, prepareImage } from './image-input.js';
import type { BpeTokenizer } from './tokenizer.js';

/** Pixel budgets per image kind (width·height after resizing). */
export interface PixelBudgets {
  /** Images given by the user (`origin: 'input'`). */
  input: number;
  /** Outputs of visual operations such as crops (`origin: 'operation'`). */
  operation: number;
  /** Each sampled video frame. */
  videoFrame: number;
}

/** A chat as the model consumes it. */
export interface EncodedChat {
  tokenIds: number[];
  /** One per image and per video frame, in the order of their pad tokens. */
  images: PreparedImage[];
  /**
   * 1 for assistant-produced tokens (content and `<|im_end|>`) of messages that are trained (all
   * assistant messages unless `trainableMessages` says otherwise), else 0.
   */
  lossMask: number[];
}

export interface EncodeChatOptions {
  tokenizer: BpeTokenizer;
  patchSize: number;
  budgets: PixelBudgets;
  addGenerationPrompt: boolean;
  /**
   * One flag per message: `false` masks that message's tokens, `true` keeps the default mask
   * (an assistant message's content and `<|im_end|>`). Warm-start data masks erroneous operations
   * this way while still showing them to the model. Default: every message keeps the default.
   */
  trainableMessages?: readonly boolean[];
  /**
   * The episode's image cache (`GenerateOptionsV1.imageCache`): each image is decoded, resized and
   * normalised once per budget and cache, not on every turn that shows it. Default: none.
   */
  imageCache?: ImageCacheV1;
}

/** Length of a segment in the template string (media count as their single pad token). */
function segmentTextLength(segment: ChatSegment): number {
  if (segment.type === 'text') return segment.text.length;
  return segment.type === 'image' ? '<|image_pad|>'.length : '<|video_pad|>'.length;
}

/**
 * Where each message's rendering ends in the template string. Rendering a prefix of the chat gives
 * a prefix of the whole rendering, so the prefix lengths are the boundaries.
 */
function messageEndOffsets(messages: readonly ChatMessage[]): number[] {
  return messages.map((_, index) =>
    renderChatSegments(messages.slice(0, index + 1)).reduce(
      (sum, segment) => sum + segmentTextLength(segment),
      0,
    ),
  );
}

/**
 * Clears `trainable` on text segments that belong to masked messages. A trainable segment never
 * spans two messages: the assistant's `<|im_end|>` is followed by an untrained newline.
 */
function applyMessageMask(
  segments: ChatSegment[],
  messages: readonly ChatMessage[],
  flags: readonly boolean[],
): ChatSegment[] {
  if (flags.length !== messages.length) {
    throw new InvalidBatchError(
      `trainableMessages has ${flags.length} flags for ${messages.length} messages`,
    );
  }
  const ends = messageEndOffsets(messages);
  let offset = 0;
  let message = 0;
  return segments.map((segment) => {
    const start = offset;
    offset += segmentTextLength(segment);
    while (message < ends.length - 1 && start >= ends[message]!) message += 1;
    if (segment.type !== 'text' || !segment.trainable || flags[message] !== false) return segment;
    return { ...segment, trainable: false };
  });
}

export async function encodeChat(
  messages: readonly ChatMessage[],
  options: EncodeChatOptions,
): Promise<EncodedChat> {
  const { tokenizer, patchSize, budgets } = options;
  const imagePad = tokenizer.requireToken('<|image_pad|>');
  const videoPad = tokenizer.requireToken('<|video_pad|>');
  // The shared Qwen2.5-VL rendering (default system turn included): `<|vision_start|>` and
  // `<|vision_end|>` arrive as text and each medium as one segment that becomes patch tokens.
  const rendered = renderChatSegments([...messages], {
    addGenerationPrompt: options.addGenerationPrompt,
  });
  const segments =
    options.trainableMessages === undefined
      ? rendered
      : applyMessageMask(rendered, messages, options.trainableMessages);
  const cache = options.imageCache;
  const prepare = (image: ChatImage, maxPixels: number): Promise<PreparedImage> =>
    cache === undefined
      ? prepareImage(image, { patchSize, maxPixels })
      : cache.get(image, `tiny-vlm/prepared:${patchSize}:${maxPixels}`, () =>
          prepareImage(image, { patchSize, maxPixels }),
        );
  const prepared = await Promise.all(
    segments.map((segment) => {
      if (segment.type === 'image') {
        return Promise.all([prepare(segment.image, budgets[segment.origin])]);
      }
      if (segment.type === 'video') {
        return Promise.all(segment.frames.map((frame) => prepare(frame, budgets.videoFrame)));
      }
      return Promise.resolve([]);
    }),
  );
  const tokenIds: number[] = [];
  const lossMask: number[] = [];
  const images: PreparedImage[] = [];
  const push = (ids: readonly number[], trainable: boolean) => {
    for (const id of ids) {
      tokenIds.push(id);
      lossMask.push(trainable ? 1 : 0);
    }
  };
  segments.forEach((segment, index) => {
    if (segment.type === 'text') {
      push(tokenizer.encode(segment.text), segment.trainable);
      return;
    }
    const pad = segment.type === 'image' ? imagePad : videoPad;
    for (const image of prepared[index]!) {
      images.push(image);
      push(new Array<number>(image.gridWidth * image.gridHeight).fill(pad), false);
    }
  });
  return { tokenIds, images, lossMask };
}
