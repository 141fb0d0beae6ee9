import { describe, expect, it } from 'vitest';
import { encodeRgbPng } from '../image/png.js';
import type { ChatMessage } from '../spec/chat.js';
import type { GenerateOptionsV1, VisionLanguageModelV1 } from '../spec/language-model-v1.js';
import { droppedImageError, droppedImageText, parseImageHistory } from './image-history.js';
import { runEpisode } from './run-episode.js';

const crop = (target: number) =>
  `<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.6, 0.6], "target_image": ${target}}}\n</tool_call>`;

function scripted(replies: string[]): VisionLanguageModelV1 & { calls: GenerateOptionsV1[] } {
  const calls: GenerateOptionsV1[] = [];
  return {
    specificationVersion: 'v1',
    provider: 'test',
    modelId: 'scripted',
    supportsLogprobs: false,
    calls,
    async doGenerate(options) {
      calls.push(options);
      return {
        text: replies[Math.min(calls.length - 1, replies.length - 1)]!,
        finishReason: 'stop',
        usage: { inputTokens: 1, outputTokens: 1 },
      };
    },
  };
}

const image = encodeRgbPng({
  width: 224,
  height: 224,
  pixels: new Uint8Array(224 * 224 * 3).fill(90),
});
const imageCount = (messages: ChatMessage[]) =>
  messages
    .flatMap((message) => (typeof message.content === 'string' ? [] : message.content))
    .filter((part) => part.type === 'image').length;
const texts = (messages: ChatMessage[]) =>
  messages
    .flatMap((message) =>
      typeof message.content === 'string'
        ? [message.content]
        : message.content.map((part) => (part.type === 'text' ? part.text : '')),
    )
    .join('');

describe('image-history policies', () => {
  it('keep-all sends every image and records the policy', async () => {
    const model = scripted([crop(1), crop(2), '\\boxed{A}']);
    const episode = await runEpisode({ model, question: 'Q', media: [{ type: 'image', image }] });
    expect(model.calls.map((call) => imageCount(call.messages))).toEqual([1, 2, 3]);
    expect(episode.imageHistory).toBe('keep-all');
  });

  it('last:1 keeps the input and the newest crop; older crops become a text naming their index', async () => {
    const model = scripted([crop(1), crop(2), crop(3), '\\boxed{A}']);
    const episode = await runEpisode({
      model,
      question: 'Q',
      media: [{ type: 'image', image }],
      imageHistory: parseImageHistory('last:1'),
    });
    expect(model.calls.map((call) => imageCount(call.messages))).toEqual([1, 2, 2, 2]);
    expect(texts(model.calls[2]!.messages)).toContain(droppedImageText(2));
    expect(episode.turns[3]!.droppedImages).toEqual([2, 3]);
    expect(episode.imageHistory).toBe('last:1');
    // The result's chat keeps every image.
    expect(imageCount(episode.messages)).toBe(4);
  });

  it('a crop of a dropped image gets a clear error observation', async () => {
    const model = scripted([crop(1), crop(1), crop(2), '\\boxed{A}']);
    const episode = await runEpisode({
      model,
      question: 'Q',
      media: [{ type: 'image', image }],
      imageHistory: { kind: 'last', count: 1 },
    });
    const operation = episode.turns[2]!.operation!;
    expect(operation).toMatchObject({
      executed: true,
      valid: false,
      error: droppedImageError(2, [1, 3]),
    });
    expect(texts([episode.turns[2]!.observation!])).toContain(
      'Image 2 was removed from the context',
    );
  });

  it('cap:2 allows one operation image beside the input', async () => {
    const model = scripted([crop(1), crop(1), '\\boxed{A}']);
    const episode = await runEpisode({
      model,
      question: 'Q',
      media: [{ type: 'image', image }],
      imageHistory: { kind: 'cap', maxImages: 2 },
    });
    expect(model.calls.map((call) => imageCount(call.messages))).toEqual([1, 2, 2]);
    expect(episode.imageHistory).toBe('cap:2');
  });

  it('rejects a cap below the input images and unknown policy texts, naming them', async () => {
    await expect(
      runEpisode({
        model: scripted(['\\boxed{A}']),
        question: 'Q',
        media: [
          { type: 'image', image },
          { type: 'image', image },
        ],
        imageHistory: { kind: 'cap', maxImages: 1 },
      }),
    ).rejects.toThrow(/cap:1 is below the 2 input images/);
    expect(() => parseImageHistory('latest')).toThrow(/"latest"/);
    expect(() => parseImageHistory('cap:0')).toThrow(/cap/);
  });
});
