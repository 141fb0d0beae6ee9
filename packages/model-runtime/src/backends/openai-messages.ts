import { toDataUrl } from '@pixel-reasoner/visual-ops';
import type OpenAI from 'openai';
import type { ChatImage, ChatMessage, ChatPart } from '../spec/chat.js';

type OpenAIMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type OpenAIUserPart = OpenAI.Chat.Completions.ChatCompletionContentPart;

/** OpenAI's `image_url.detail`: `high` keeps small details (V*), `low` sends a 512-px thumbnail. */
export type ImageDetail = 'auto' | 'low' | 'high';

export interface ToOpenAIMessagesOptions {
  /** Sent with every image part; omitted (the server's default) when unset. */
  imageDetail?: ImageDetail;
}

/**
 * Data URLs by image bytes. An episode sends the same images on every turn (and a benchmark item
 * may be sampled several times): each is base64'd once while its bytes are alive, not per request.
 */
const dataUrls = new WeakMap<Uint8Array, { mediaType: string; url: string }>();

/** `toDataUrl(image)`, built once per image bytes. */
export function cachedDataUrl(image: ChatImage): string {
  const cached = dataUrls.get(image.data);
  if (cached !== undefined && cached.mediaType === image.mediaType) return cached.url;
  const url = toDataUrl(image);
  dataUrls.set(image.data, { mediaType: image.mediaType, url });
  return url;
}

function textOf(parts: ChatPart[]): string {
  return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * The chat as OpenAI chat-completions messages. Images become base64 data URLs, built once per
 * image (the same bytes always give the same URL, so server-side prefix caches hit), and a video becomes its frames as
 * image parts in order — OpenAI-compatible servers have no portable frame-list video part. System,
 * assistant and tool-result turns carry text only: Chat Completions accepts images in user turns
 * alone, so media there is dropped (the agent loop sends an operation's images in a user turn
 * after its `tool` messages). An assistant turn's native calls become `tool_calls`; a message
 * with `toolCallId` becomes a `tool` message with that `tool_call_id`.
 */
export function toOpenAIMessages(
  messages: readonly ChatMessage[],
  options: ToOpenAIMessagesOptions = {},
): OpenAIMessage[] {
  const detail = options.imageDetail;
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
      else if (part.type === 'image') parts.push(imagePart(cachedDataUrl(part.image)));
      else for (const frame of part.frames) parts.push(imagePart(cachedDataUrl(frame)));
    }
    return { role: 'user', content: parts };
  });
}
