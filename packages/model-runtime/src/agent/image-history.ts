import { InvalidEpisodeInputError } from '../errors.js';
import type { ChatMessage, ChatPart, ImagePart } from '../spec/chat.js';
import type { ImageHistoryPolicy } from '../spec/episode.js';

/** `keep-all`, `last:K` or `cap:N`: how results and summaries name a policy. */
export function describeImageHistory(policy: ImageHistoryPolicy = { kind: 'keep-all' }): string {
  if (policy.kind === 'keep-all') return 'keep-all';
  if (policy.kind === 'last') return `last:${policy.count}`;
  return `cap:${policy.maxImages}`;
}

/** Reads `keep-all`, `last:K` or `cap:N`; throws `InvalidEpisodeInputError` naming the text. */
export function parseImageHistory(text: string): ImageHistoryPolicy {
  if (text === 'keep-all') return { kind: 'keep-all' };
  const match = /^(last|cap):(\d+)$/.exec(text);
  if (match) {
    const value = Number(match[2]);
    const policy: ImageHistoryPolicy =
      match[1] === 'last' ? { kind: 'last', count: value } : { kind: 'cap', maxImages: value };
    validateImageHistory(policy);
    return policy;
  }
  throw new InvalidEpisodeInputError(
    `image history must be keep-all, last:K or cap:N, got ${JSON.stringify(text)}`,
  );
}

export function validateImageHistory(policy: ImageHistoryPolicy): void {
  const kind = (policy as { kind: unknown }).kind;
  if (kind === 'keep-all') return;
  const value =
    kind === 'last'
      ? (policy as { count: unknown }).count
      : (policy as { maxImages: unknown }).maxImages;
  if (
    (kind === 'last' || kind === 'cap') &&
    Number.isInteger(value) &&
    (value as number) >= (kind === 'cap' ? 1 : 0)
  ) {
    return;
  }
  throw new InvalidEpisodeInputError(
    `imageHistory must be keep-all, last with an integer count ≥ 0 or cap with an integer maxImages ≥ 1, got ${JSON.stringify(policy)}`,
  );
}

/** The text that stands in for an image the policy leaves out of a request. */
export function droppedImageText(index: number): string {
  return `[image ${index} was removed from the context]`;
}

/** The error a crop of a left-out image gets. */
export function droppedImageError(index: number, shown: readonly number[]): string {
  return `Image ${index} was removed from the context to save space; you can only pick an image within [${shown.join(', ')}]`;
}

/** An operation image in the chat, with its 1-based `target_image` index. */
export interface TrackedImage {
  part: ImagePart;
  index: number;
}

/** Images of the initial messages as a request counts them (each video frame is one). */
export function countInputImages(messages: readonly ChatMessage[]): number {
  let count = 0;
  for (const message of messages) {
    if (typeof message.content === 'string') continue;
    for (const part of message.content) {
      if (part.type === 'image') count++;
      else if (part.type === 'video') count += part.frames.length;
    }
  }
  return count;
}

/** The operation images (oldest first) `policy` leaves out, given `inputImages` input images. */
export function droppedOperationImages(
  policy: ImageHistoryPolicy,
  tracked: readonly TrackedImage[],
  inputImages: number,
): TrackedImage[] {
  if (policy.kind === 'keep-all') return [];
  const keep = policy.kind === 'last' ? policy.count : Math.max(0, policy.maxImages - inputImages);
  return tracked.slice(0, Math.max(0, tracked.length - keep));
}

/** `messages` with the dropped image parts replaced by their stand-in text (others untouched). */
export function applyImageHistory(
  messages: readonly ChatMessage[],
  dropped: readonly TrackedImage[],
): ChatMessage[] {
  if (dropped.length === 0) return [...messages];
  const indexOf = new Map(dropped.map((entry) => [entry.part, entry.index]));
  return messages.map((message) => {
    if (typeof message.content === 'string') return message;
    if (!message.content.some((part) => part.type === 'image' && indexOf.has(part))) return message;
    return {
      ...message,
      content: message.content.map((part): ChatPart => {
        const index = part.type === 'image' ? indexOf.get(part) : undefined;
        return index === undefined ? part : { type: 'text', text: droppedImageText(index) };
      }),
    };
  });
}
