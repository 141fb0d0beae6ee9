import * as visualOps from '@pixel-reasoner/visual-ops';
import { describe, expect, it, vi } from 'vitest';
import { createOpenAICompatibleModel } from '../backends/openai-compatible.js';
import { solidColorPng } from '../image/png.js';
import { pixelReasonerV1Profile } from '../prompt/profiles.js';
import type {
  GenerateOptionsV1,
  ImageCacheV1,
  VisionLanguageModelV1,
} from '../spec/language-model-v1.js';
import { runEpisode } from './run-episode.js';

vi.mock('@pixel-reasoner/visual-ops', async (importOriginal) => {
  const original = await importOriginal<typeof visualOps>();
  return {
    ...original,
    toDataUrl: vi.fn(original.toDataUrl),
    executeToolCall: vi.fn(original.executeToolCall),
  };
});

const crop = (box: number[]) =>
  `Closer.\n\n<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [${box.join(', ')}], "target_image": 1}}\n</tool_call>`;

/** A model over an injected fetch that answers with `replies` in order. */
function scriptedModel(replies: string[]) {
  const bodies: string[] = [];
  const fetch = (async (_url: unknown, init?: RequestInit) => {
    bodies.push(String(init?.body));
    const content = replies.shift() ?? 'The answer is (A).';
    return new Response(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  }) as typeof globalThis.fetch;
  const model = createOpenAICompatibleModel({ baseURL: 'http://fake/v1', model: 'm', fetch });
  return { model, bodies };
}

describe('image encoding in an episode', () => {
  it("builds each image's data URL once per episode, however many turns send it", async () => {
    const toDataUrl = vi.mocked(visualOps.toDataUrl);
    toDataUrl.mockClear();
    const { model, bodies } = scriptedModel([
      crop([0.1, 0.1, 0.6, 0.6]),
      crop([0.4, 0.4, 0.9, 0.9]),
    ]);
    const image = solidColorPng({ width: 448, height: 448, color: [200, 30, 30] });
    const episode = await runEpisode({
      model,
      profile: pixelReasonerV1Profile,
      question: 'What colour?',
      media: [{ type: 'image', image }],
    });
    expect(episode.turns).toHaveLength(3);
    expect(episode.operationsValid).toBe(2);
    // The input (sent 3 times) and two crops (sent 2 and 1 times): three encodings, not six.
    expect(toDataUrl).toHaveBeenCalledTimes(3);
    const inputUrl = visualOps.toDataUrl(image);
    for (const body of bodies) expect(body.includes(inputUrl)).toBe(true);
  });

  it('encodes the image again in the next episode: the cache lives as long as one episode', async () => {
    const toDataUrl = vi.mocked(visualOps.toDataUrl);
    const image = solidColorPng({ width: 448, height: 448, color: [20, 160, 40] });
    const { model } = scriptedModel([crop([0.1, 0.1, 0.6, 0.6])]);
    toDataUrl.mockClear();
    for (let episode = 0; episode < 2; episode++) {
      await runEpisode({ model, question: 'What colour?', media: [{ type: 'image', image }] });
    }
    // Per episode: the input (sent twice) and the crop once.
    expect(toDataUrl).toHaveBeenCalledTimes(3);
    expect(toDataUrl.mock.calls.filter(([encoded]) => encoded.data === image.data)).toHaveLength(2);
  });

  it('hands every turn of an episode the same image cache, and each episode its own', async () => {
    const caches: (ImageCacheV1 | undefined)[][] = [];
    let replies: string[] = [];
    const model: VisionLanguageModelV1 = {
      specificationVersion: 'v1',
      provider: 'spy',
      modelId: 'spy',
      supportsLogprobs: false,
      async doGenerate(options: GenerateOptionsV1) {
        caches.at(-1)!.push(options.imageCache);
        return {
          text: replies.shift() ?? 'The answer is (A).',
          finishReason: 'stop',
          usage: { inputTokens: 1, outputTokens: 1 },
        };
      },
    };
    const image = solidColorPng({ width: 448, height: 448, color: [90, 90, 90] });
    for (let episode = 0; episode < 2; episode++) {
      caches.push([]);
      replies = [crop([0.1, 0.1, 0.6, 0.6]), crop([0.2, 0.2, 0.7, 0.7])];
      await runEpisode({ model, question: 'What colour?', media: [{ type: 'image', image }] });
    }
    const [first, second] = caches as [ImageCacheV1[], ImageCacheV1[]];
    expect(first).toHaveLength(3);
    expect(first[0]).toBeDefined();
    expect(new Set(first).size).toBe(1);
    expect(new Set(second).size).toBe(1);
    expect(second[0]).not.toBe(first[0]);
  });

  it('sends the same request bytes with the cache as without it', async () => {
    const replies = [crop([0.1, 0.1, 0.6, 0.6]), crop([0.4, 0.4, 0.9, 0.9])];
    const image = solidColorPng({ width: 448, height: 336, color: [200, 120, 30] });
    const cached = scriptedModel([...replies]);
    const uncached = scriptedModel([...replies]);
    const withoutCache: VisionLanguageModelV1 = {
      ...uncached.model,
      doGenerate: ({ imageCache: _cache, ...options }) => uncached.model.doGenerate(options),
    };
    for (const model of [cached.model, withoutCache]) {
      await runEpisode({ model, question: 'What colour?', media: [{ type: 'image', image }] });
    }
    expect(cached.bodies).toHaveLength(3);
    expect(cached.bodies).toEqual(uncached.bodies);
    for (const body of cached.bodies) expect(body).toBe(JSON.stringify(JSON.parse(body)));
  });

  it('decodes an input only when an operation needs its pixels, and once for every crop of it', async () => {
    const execute = vi.mocked(visualOps.executeToolCall);
    execute.mockClear();
    const image = await visualOps.readImage(
      solidColorPng({ width: 448, height: 448, color: [30, 30, 200] }).data,
    );
    expect(image.raw).toBeUndefined();
    const { model } = scriptedModel([crop([0.1, 0.1, 0.6, 0.6]), crop([0.4, 0.4, 0.9, 0.9])]);
    await runEpisode({ model, question: 'What colour?', media: [{ type: 'image', image }] });
    expect(execute).toHaveBeenCalledTimes(2);
    const targets = execute.mock.calls.map(([, inputs]) => inputs[0]!);
    const [first, second] = targets.map((input) =>
      input.type === 'image' ? input.image : undefined,
    );
    expect(first?.raw).toBeDefined();
    expect(second?.raw).toBe(first?.raw);
    expect(image.raw).toBeUndefined();
  });
});
