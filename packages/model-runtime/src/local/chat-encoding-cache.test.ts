import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createImageCache } from '../image/image-cache.js';
import type { ChatMessage } from '../spec/chat.js';
import { selectBackend } from './backend.js';
import { encodeChat } from './chat-encoding.js';
import * as imageInput from './image-input.js';
import { COLOURS, solidImage, tinyTokenizer } from './test-helpers/fixtures.js';
import { TinyVLM } from './tiny-vlm.js';

vi.mock('./image-input.js', async (importOriginal) => {
  const original = await importOriginal<typeof imageInput>();
  return { ...original, prepareImage: vi.fn(original.prepareImage) };
});

const budgets = { input: 32 * 32, operation: 64 * 64, videoFrame: 16 * 16 };

describe('encodeChat with an image cache', () => {
  it('prepares each image once per budget across the turns of an episode', async () => {
    const prepare = vi.mocked(imageInput.prepareImage);
    const input = await solidImage(COLOURS.red, 64, 64);
    const crop = await solidImage(COLOURS.blue, 48, 48);
    const turns: ChatMessage[][] = [
      [
        { role: 'system', content: 'Name the colour.' },
        {
          role: 'user',
          content: [
            { type: 'image', image: input, origin: 'input' },
            { type: 'text', text: 'What colour is this?' },
          ],
        },
      ],
    ];
    turns.push([
      ...turns[0]!,
      { role: 'assistant', content: 'blue' },
      { role: 'user', content: [{ type: 'image', image: crop, origin: 'operation' }] },
    ]);
    // The crop again, now as an input: another budget, so prepared again.
    turns.push([
      ...turns[1]!,
      { role: 'assistant', content: 'red' },
      { role: 'user', content: [{ type: 'image', image: crop, origin: 'input' }] },
    ]);
    const options = { tokenizer: tinyTokenizer(), patchSize: 16, budgets };
    const cache = createImageCache();
    prepare.mockClear();
    const cached = [];
    for (const messages of turns) {
      cached.push(
        await encodeChat(messages, { ...options, addGenerationPrompt: true, imageCache: cache }),
      );
    }
    expect(prepare).toHaveBeenCalledTimes(3);
    expect(cached[2]!.images[0]).toBe(cached[0]!.images[0]);

    prepare.mockClear();
    const fresh = await encodeChat(turns[2]!, { ...options, addGenerationPrompt: true });
    expect(prepare).toHaveBeenCalledTimes(3);
    expect(fresh.tokenIds).toEqual(cached[2]!.tokenIds);
    expect(fresh.images.map((image) => [...image.pixels])).toEqual(
      cached[2]!.images.map((image) => [...image.pixels]),
    );
  });
});

describe('TinyVLM.doGenerate with an image cache', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('prepares the episode images once across turns', async () => {
    const prepare = vi.mocked(imageInput.prepareImage);
    const model = new TinyVLM({
      tokenizer: tinyTokenizer(),
      config: { dModel: 16, numHeads: 2, numLayers: 1, ffnDim: 32, maxSequenceLength: 128 },
    });
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'image', image: await solidImage(COLOURS.red, 64, 64), origin: 'input' },
          { type: 'text', text: 'What colour is this?' },
        ],
      },
    ];
    const cache = createImageCache();
    prepare.mockClear();
    for (let turn = 0; turn < 2; turn += 1) {
      await model.doGenerate({ messages, maxTokens: 2, temperature: 0, imageCache: cache });
    }
    expect(prepare).toHaveBeenCalledTimes(1);
    await model.doGenerate({ messages, maxTokens: 2, temperature: 0 });
    expect(prepare).toHaveBeenCalledTimes(2);
    model.dispose();
  });
});
