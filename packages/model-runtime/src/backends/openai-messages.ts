import { toDataUrl } from '@pixel-reasoner/visual-ops';
import type OpenAI from 'openai';
import { createImageCache } from '../image/image-cache.js';
import type { ChatImage, ChatMessage, ChatPart } from '../spec/chat.js';
import type { ImageCacheV1 } from '../spec/language-model-v1.js';

type OpenAIMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type OpenAIUserPart = OpenAI.Chat.Completions.ChatCompletionContentPart;

/** OpenAI's `image_url.detail`: `high` keeps small details (V*), `low` sends a 512-px thumbnail. */
export type ImageDetail = 'auto' | 'low' | 'high';

export interface ToOpenAIMessagesOptions {
  /** Sent with every image part; omitted (the server's default) when unset. */
  imageDetail?: ImageDetail;
  /**
   * Where data URLs are kept between calls (the episode's cache): each image is base64'd once
   * per cache. Default: a cache for this call only, so an image sent twice in one chat (a frame
   * selected twice) is still encoded once.
   */
  imageCache?: ImageCacheV1;
}

/** The `ImageCacheV1` kind under which data URLs are kept. */
const DATA_URL_KIND = 'openai-compatible/data-url';

function textOf(parts: ChatPart[]): string {
  return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * The chat as OpenAI chat-completions messages. Images become base64 data URLs, built once per
 * image and cache (the same bytes always give the same URL, so server-side prefix caches hit),
 * and a video becomes its frames as image parts in order — OpenAI-compatible servers have no
 * portable frame-list video part. System, assistant and tool-result turns carry text only: Chat
 * Completions accepts images in user turns alone, so media there is dropped (the agent loop sends an operation's images in a user turn
 * after its `tool` messages). An assistant turn's native calls become `tool_calls`; a message
 * with `toolCallId` becomes a `tool` message with that `tool_call_id`.
 */
export function toOpenAIMessages(
  messages: readonly ChatMessage[],
  options: ToOpenAIMessagesOptions = {},
): OpenAIMessage[] {
  const detail = options.imageDetail;
  const cache = options.imageCache ?? createImageCache();
  const dataUrl = (image: ChatImage) => cache.get(image, DATA_URL_KIND, () => toDataUrl(image));
  const imagePart = (url: string): OpenAIUserPart => ({
    type: 'image_url',
    image_url: detail === undefined ? { url } : { url, detail },
  });
  return messages.map((message): OpenAIMessage => {
    const text = typeof message.content === 'string' ? message.content : textOf(message.content);
    if (message.role === 'system') return { role: 'system', content: text };
    if (message.toolCallId !== undefined) {
      return { role: 'tool', tool_call_id: message.toolCallId, content: text };
    }
    if (message.role === 'assistant') {
      if (message.toolCalls === undefined || message.toolCalls.length === 0) {
        return { role: 'assistant', content: text };
      }
      return {
        role: 'assistant',
        // OpenAI accepts null content beside tool calls; some servers reject an empty string.
        content: text === '' ? null : text,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
    if (typeof message.content === 'string') return { role: 'user', content: message.content };
    const parts: OpenAIUserPart[] = [];
    for (const part of message.content) {
      if (part.type === 'text') parts.push({ type: 'text', text: part.text });
      else if (part.type === 'image') parts.push(imagePart(dataUrl(part.image)));
      else for (const frame of part.frames) parts.push(imagePart(dataUrl(frame)));
    }
    return { role: 'user', content: parts };
  });
}

/** What `toDataUrl` writes before the base64 text, for the media types a `ChatImage` may have. */
const DATA_URL_PREFIXES = ['data:image/png;base64,', 'data:image/jpeg;base64,'];

/**
 * `items.join(',')` by concatenation: V8 joins long strings as ropes instead of copying them, and
 * the rope is flattened once, when the body is encoded for the socket.
 */
function joinRope(items: readonly string[]): string {
  let joined = '';
  for (let index = 0; index < items.length; index++) {
    joined = index === 0 ? items[index]! : `${joined},${items[index]!}`;
  }
  return joined;
}

/**
 * JSON text of a plain object as `JSON.stringify` writes it, with `special` writing the values
 * of the keys it knows (returning `undefined` for the others).
 */
function objectJson(
  object: object,
  special: (key: string, value: unknown) => string | undefined,
): string {
  const members: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    const json = special(key, value) ?? JSON.stringify(value);
    // JSON.stringify leaves out members whose value has no JSON text (undefined, functions).
    if (json !== undefined) members.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${joinRope(members)}}`;
}

function imageUrlJson(key: string, value: unknown): string | undefined {
  if (key !== 'url' || typeof value !== 'string') return undefined;
  // Base64 after a fixed prefix has nothing JSON escapes, so the URL goes in as it is: at
  // megabytes per image, escaping it on every request was most of the client's time per turn.
  return DATA_URL_PREFIXES.some((prefix) => value.startsWith(prefix)) ? `"${value}"` : undefined;
}

function partJson(part: unknown): string {
  if (part === null || typeof part !== 'object') return JSON.stringify(part);
  return objectJson(part, (key, value) =>
    key === 'image_url' && value !== null && typeof value === 'object'
      ? objectJson(value, imageUrlJson)
      : undefined,
  );
}

function messageJson(message: OpenAIMessage): string {
  return objectJson(message, (key, value) =>
    key === 'content' && message.role === 'user' && Array.isArray(value)
      ? `[${joinRope(value.map(partJson))}]`
      : undefined,
  );
}

/**
 * `JSON.stringify(body)` of a chat-completions request whose `messages` come from
 * `toOpenAIMessages`, byte for byte, without scanning the images' data URLs again: they are
 * joined in as they are, so a request costs what its text costs plus one copy of its bytes on
 * the way to the socket.
 */
export function stringifyChatRequest(body: { messages: readonly OpenAIMessage[] }): string {
  return objectJson(body, (key, value) =>
    key === 'messages' && Array.isArray(value)
      ? `[${joinRope((value as OpenAIMessage[]).map(messageJson))}]`
      : undefined,
  );
}
