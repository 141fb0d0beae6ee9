import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createImageCache } from '../image/image-cache.js';
import type { ChatImage, ChatMessage, ChatPart } from '../spec/chat.js';
import { stringifyChatRequest, toOpenAIMessages } from './openai-messages.js';

/** Any bytes stand in for an image: the serializer only ever sees their data URL. */
const image: fc.Arbitrary<ChatImage> = fc.record({
  data: fc.uint8Array({ maxLength: 64 }),
  mediaType: fc.constantFrom('image/png' as const, 'image/jpeg' as const),
  width: fc.integer({ min: 1, max: 4000 }),
  height: fc.integer({ min: 1, max: 4000 }),
});

// Full Unicode, lone surrogates and control characters included: everything JSON must escape.
const text = fc.string({ unit: 'binary', maxLength: 40 });

const part: fc.Arbitrary<ChatPart> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), text }),
  fc.record({
    type: fc.constant('image' as const),
    image,
    origin: fc.constantFrom('input' as const, 'operation' as const),
  }),
  fc.record({ type: fc.constant('video' as const), frames: fc.array(image, { maxLength: 3 }) }),
);

const message: fc.Arbitrary<ChatMessage> = fc.oneof(
  fc.record({ role: fc.constant('system' as const), content: text }),
  fc.record({
    role: fc.constant('user' as const),
    content: fc.oneof(text, fc.array(part, { maxLength: 5 })),
  }),
  fc.record({ role: fc.constant('assistant' as const), content: text }),
  fc.record({
    role: fc.constant('assistant' as const),
    content: text,
    toolCalls: fc.array(fc.record({ id: text, name: text, arguments: text }), {
      minLength: 1,
      maxLength: 2,
    }),
  }),
  fc.record({ role: fc.constant('user' as const), content: text, toolCallId: text }),
);

const settings = fc.record(
  {
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    max_tokens: fc.integer({ min: 1, max: 8192 }),
    stop: fc.array(text, { maxLength: 3 }),
    seed: fc.integer(),
    logprobs: fc.constant(true),
    tools: fc.array(
      fc.record({ type: fc.constant('function'), function: fc.record({ name: text }) }),
    ),
    tool_choice: fc.constantFrom('auto', 'none'),
  },
  { requiredKeys: [] },
);

describe('stringifyChatRequest', () => {
  it('writes exactly what JSON.stringify writes for any chat and settings', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(message, { minLength: 1, maxLength: 6 }),
        settings,
        fc.constantFrom(undefined, 'auto' as const, 'high' as const),
        (model, chat, rest, imageDetail) => {
          const body = {
            model,
            messages: toOpenAIMessages(chat, {
              imageCache: createImageCache(),
              ...(imageDetail !== undefined ? { imageDetail } : {}),
            }),
            ...rest,
          };
          expect(stringifyChatRequest(body)).toBe(JSON.stringify(body));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('escapes an image URL that is not one of its own data URLs', () => {
    const body = {
      model: 'm',
      messages: [
        {
          role: 'user' as const,
          content: [{ type: 'image_url' as const, image_url: { url: 'https://x/"a"\n' } }],
        },
      ],
    };
    expect(stringifyChatRequest(body)).toBe(JSON.stringify(body));
  });
});
