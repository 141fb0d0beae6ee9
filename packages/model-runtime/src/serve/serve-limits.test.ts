import { toDataUrl } from '@pixel-reasoner/visual-ops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidColorPng } from '../image/png.js';
import { tinyTokenizer } from '../local/test-helpers/fixtures.js';
import { selectBackend, TinyVLM } from '../local.js';
import type { ChatImage } from '../spec/chat.js';
import type { GenerateOptionsV1, VisionLanguageModelV1 } from '../spec/language-model-v1.js';
import { promptBoundOf } from './cli.js';
import { type RunningServer, serve } from './serve.js';

let tiny: TinyVLM;
let generateCalls = 0;
/** The real local model, counting the requests that reach it. */
let counted: VisionLanguageModelV1;
const logged: string[] = [];
let server: RunningServer;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  tiny = new TinyVLM({
    tokenizer: tinyTokenizer(),
    config: { dModel: 32, numHeads: 2, numLayers: 1, ffnDim: 64, maxSequenceLength: 96, seed: 5 },
    modelId: 'tiny-served',
  });
  counted = {
    specificationVersion: 'v1',
    provider: tiny.provider,
    modelId: tiny.modelId,
    supportsLogprobs: tiny.supportsLogprobs,
    doGenerate(options: GenerateOptionsV1) {
      generateCalls += 1;
      return tiny.doGenerate(options);
    },
  };
  server = await serve({
    model: counted,
    maxBodyBytes: 64 * 1024,
    log: (line) => logged.push(line),
  });
});
afterAll(async () => {
  await server.close();
  tiny.dispose();
});

const post = (url: string, body: unknown) =>
  fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const ask = (content: unknown) => ({
  model: 'tiny-served',
  messages: [{ role: 'user', content }],
  max_tokens: 2,
  temperature: 0,
});

const imagePart = (url: string) => [
  { type: 'image_url', image_url: { url } },
  { type: 'text', text: 'what colour?' },
];

/** A PNG whose header claims `width`×`height` (the rest is a small real image's bytes). */
function pngClaiming(width: number, height: number): ChatImage {
  const image = solidColorPng({ width: 8, height: 8, color: [1, 2, 3] });
  const data = Uint8Array.from(image.data);
  const view = new DataView(data.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return { ...image, data, width, height };
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { type: string; message: string } }).error;
}

describe('serve: client errors from the local model are 400s with the reason', () => {
  it('a prompt longer than the context', async () => {
    const response = await post(server.url, ask('red green blue '.repeat(100)));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.type).toBe('context_length_exceeded');
    expect(error.message).toMatch(/ContextLengthExceededError: prompt has \d+ tokens/);
    expect(logged.some((line) => line.includes('400 ContextLengthExceededError'))).toBe(true);
  });

  it('a truncated PNG', async () => {
    const image = solidColorPng({ width: 40, height: 40, color: [9, 9, 9] });
    const truncated = { ...image, data: image.data.slice(0, 40) };
    const response = await post(server.url, ask(imagePart(toDataUrl(truncated))));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.type).toBe('invalid_image');
    expect(error.message).toContain('InvalidImageError');
  });

  it('a 20000² header, refused before anything decodes it', async () => {
    const before = generateCalls;
    const response = await post(server.url, ask(imagePart(toDataUrl(pngClaiming(20_000, 20_000)))));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.type).toBe('invalid_image');
    expect(error.message).toContain('20000x20000');
    expect(generateCalls).toBe(before);
  });

  it('still answers a valid request with 200', async () => {
    const response = await post(server.url, ask('red'));
    expect(response.status).toBe(200);
  });
});

describe('serve: a prompt bound keeps huge prompts away from the tokenizer', () => {
  it('refuses a 4 MB prompt with 400 without calling the model', async () => {
    const bound = promptBoundOf(tiny);
    expect(bound).toBeDefined();
    expect(bound!.maxTokens).toBe(96);
    expect(bound!.maxBytesPerToken).toBeGreaterThanOrEqual('<|vision_start|>'.length);
    const bounded = await serve({ model: counted, promptBound: bound!, log: () => {} });
    try {
      const before = generateCalls;
      const response = await post(bounded.url, ask('x'.repeat(4 * 1024 * 1024)));
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.type).toBe('context_length_exceeded');
      expect(error.message).toContain('4194304 bytes');
      expect(generateCalls).toBe(before);
      const fits = await post(bounded.url, ask('red'));
      expect(fits.status).toBe(200);
    } finally {
      await bounded.close();
    }
  });

  it('never refuses a prompt that fits the context', () => {
    const bound = promptBoundOf(tiny)!;
    // The longest text that the bound lets through is never one the tokenizer could fit in fewer
    // tokens than it claims: check the claim on repetitive and on varied text.
    for (const text of ['red '.repeat(500), 'x'.repeat(3000), 'é漢🙂'.repeat(200)]) {
      const tokens = tiny.tokenizer.encode(text).length;
      expect(tokens).toBeGreaterThanOrEqual(
        Math.ceil(Buffer.byteLength(text) / bound.maxBytesPerToken),
      );
    }
  });
});

describe('serve under mixed load (functional; timings are in bench/serve-load.mjs)', () => {
  it('answers every valid request while malformed, oversized and a 4 MB prompt are in flight', async () => {
    const bounded = await serve({
      model: counted,
      maxBodyBytes: 5 * 1024 * 1024,
      promptBound: promptBoundOf(tiny)!,
      log: () => {},
    });
    try {
      const huge = post(bounded.url, ask('red '.repeat(1024 * 1024)));
      const kinds = ['valid', 'malformed', 'oversized', 'bad-image'] as const;
      const requests = Array.from({ length: 24 }, (_, index) => {
        const kind = kinds[index % kinds.length]!;
        const body =
          kind === 'valid'
            ? ask(`red ${index}`)
            : kind === 'malformed'
              ? '{"model": "tiny-served", "messages": ['
              : kind === 'oversized'
                ? ask('y'.repeat(6 * 1024 * 1024))
                : ask(imagePart('data:image/png;base64,AAAA'));
        return post(bounded.url, body).then(async (response) => ({
          kind,
          status: response.status,
          body: await response.text(),
        }));
      });
      const answers = await Promise.all(requests);
      const statuses = (kind: string) =>
        answers.filter((answer) => answer.kind === kind).map((answer) => answer.status);
      expect(statuses('valid')).toEqual(Array(6).fill(200));
      expect(statuses('malformed')).toEqual(Array(6).fill(400));
      expect(statuses('oversized')).toEqual(Array(6).fill(413));
      expect(statuses('bad-image')).toEqual(Array(6).fill(400));
      for (const answer of answers.filter((entry) => entry.kind === 'valid')) {
        expect(JSON.parse(answer.body).choices[0].message.role).toBe('assistant');
      }
      expect((await huge).status).toBe(400);
    } finally {
      await bounded.close();
    }
  });
});

describe('serve: generations run one at a time by default', () => {
  /** A model that takes `delayMs` per call and records how many calls overlapped. */
  function overlapModel(delayMs: number) {
    const state = { inFlight: 0, most: 0, calls: 0 };
    const model: VisionLanguageModelV1 = {
      specificationVersion: 'v1',
      provider: 'test',
      modelId: 'slow',
      supportsLogprobs: false,
      async doGenerate() {
        state.calls += 1;
        state.inFlight += 1;
        state.most = Math.max(state.most, state.inFlight);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        state.inFlight -= 1;
        return { text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
      },
    };
    return { model, state };
  }
  const askSlow = { model: 'slow', messages: [{ role: 'user', content: 'x' }] };

  it('queues concurrent requests in arrival order and answers them all', async () => {
    const { model, state } = overlapModel(20);
    const running = await serve({ model, log: () => {} });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 6 }, () => post(running.url, askSlow).then((r) => r.status)),
      );
      expect(statuses).toEqual(Array(6).fill(200));
      expect(state.most).toBe(1);
    } finally {
      await running.close();
    }
  });

  it('runs up to generationConcurrency at once when asked', async () => {
    const { model, state } = overlapModel(50);
    const running = await serve({ model, generationConcurrency: 3, log: () => {} });
    try {
      await Promise.all(Array.from({ length: 6 }, () => post(running.url, askSlow)));
      expect(state.most).toBe(3);
    } finally {
      await running.close();
    }
    await expect(serve({ model, generationConcurrency: 0 })).rejects.toThrow(
      /generationConcurrency must be an integer ≥ 1, got 0/,
    );
  });

  it('skips the generation of a client that left while it waited', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const model: VisionLanguageModelV1 = {
      specificationVersion: 'v1',
      provider: 'test',
      modelId: 'slow',
      supportsLogprobs: false,
      async doGenerate() {
        calls += 1;
        await gate;
        return { text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
      },
    };
    const running = await serve({ model, log: () => {} });
    try {
      const first = post(running.url, askSlow);
      while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const leaving = new AbortController();
      const second = fetch(`${running.url}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify(askSlow),
        signal: leaving.signal,
      }).catch(() => 'aborted');
      // Time for the second request to arrive and queue behind the first (which is held).
      await new Promise((resolve) => setTimeout(resolve, 100));
      leaving.abort();
      expect(await second).toBe('aborted');
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      expect((await first).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(calls).toBe(1);
    } finally {
      await running.close();
    }
  });
});
