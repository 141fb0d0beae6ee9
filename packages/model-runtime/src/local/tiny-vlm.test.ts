import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from './backend.js';
import { ContextLengthExceededError, InvalidBatchError } from './errors.js';
import { seededRandom } from './sampling.js';
import {
  COLOURS,
  type ColourName,
  colourQuestion,
  solidImage,
  tinyTokenizer,
} from './test-helpers/fixtures.js';
import { rendererOnlyTokenIds, TinyVLM } from './tiny-vlm.js';

const small = {
  dModel: 32,
  numHeads: 2,
  numLayers: 2,
  visionLayers: 1,
  ffnDim: 64,
  maxSequenceLength: 256,
  inputImagePixels: 32 * 32,
  operationImagePixels: 64 * 64,
  seed: 7,
};

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('TinyVLM', () => {
  it('gives user images the input budget and operation outputs the larger one', async () => {
    const model = new TinyVLM({ tokenizer: tinyTokenizer(), config: small });
    const image = await solidImage(COLOURS.red, 200, 100);
    const encoded = await model.encodeChat([
      {
        role: 'user',
        content: [
          { type: 'image', image, origin: 'input' },
          { type: 'image', image, origin: 'operation' },
          { type: 'video', frames: [image, image] },
        ],
      },
    ]);
    const [input, operation, frame] = encoded.images;
    expect(encoded.images).toHaveLength(4);
    expect(input!.width * input!.height).toBeLessThanOrEqual(32 * 32);
    expect(operation!.width * operation!.height).toBeLessThanOrEqual(64 * 64);
    expect(operation!.width * operation!.height).toBeGreaterThan(input!.width * input!.height);
    expect(frame!.width * frame!.height).toBeLessThanOrEqual(32 * 32);
    const pads = encoded.tokenIds.filter(
      (id) =>
        id === model.tokenizer.requireToken('<|image_pad|>') ||
        id === model.tokenizer.requireToken('<|video_pad|>'),
    ).length;
    expect(pads).toBe(
      encoded.images.reduce((sum, prepared) => sum + prepared.gridWidth * prepared.gridHeight, 0),
    );
    expect(model.tokenizer.decode(encoded.tokenIds)).toMatch(
      /<\|im_start\|>user\n<\|vision_start\|>(<\|image_pad\|>)+<\|vision_end\|>/,
    );
    model.dispose();
  });

  it('initialises identical weights from the same seed, 0 included, and different ones otherwise', async () => {
    const weights = async (seed: number) => {
      const model = new TinyVLM({
        tokenizer: tinyTokenizer(),
        config: { dModel: 16, numHeads: 2, numLayers: 1, ffnDim: 32, maxSequenceLength: 64, seed },
      });
      const values = await Promise.all([...model.parameters.values()].map((v) => v.data()));
      model.dispose();
      return values.map((data) => Array.from(data as Float32Array));
    };
    expect(await weights(0)).toEqual(await weights(0));
    expect(await weights(0)).not.toEqual(await weights(1));
  });

  it('decodes the same tokens with and without the key/value cache', async () => {
    const model = new TinyVLM({ tokenizer: tinyTokenizer(), config: small });
    const prompt = await model.encodeChat(colourQuestion(await solidImage(COLOURS.blue)), {
      addGenerationPrompt: true,
    });
    const before = tf.memory().numTensors;
    const cached = await model.generateTokens(prompt, { maxTokens: 24, stopTokenIds: [] });
    const uncached = await model.generateTokens(prompt, {
      maxTokens: 24,
      stopTokenIds: [],
      useKvCache: false,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(cached.ids).toHaveLength(24);
    expect(cached.ids).toEqual(uncached.ids);
    for (let index = 0; index < 24; index += 1) {
      expect(cached.logprobs[index]).toBeCloseTo(uncached.logprobs[index]!, 3);
    }
    // sequenceLogProbs scores the generated continuation exactly as generation did.
    const scored = model.sequenceLogProbs([
      { tokenIds: [...prompt.tokenIds, ...cached.ids], images: prompt.images },
    ]);
    const values = Array.from(scored.dataSync()).slice(prompt.tokenIds.length);
    values.forEach((value, index) => {
      expect(value).toBeCloseTo(cached.logprobs[index]!, 3);
    });
    expect(scored.dataSync()[0]).toBe(0);
    model.dispose();
  });

  it('stops at a stop string spanning two tokens and trims log-probs without re-decoding per token', async () => {
    const model = new TinyVLM({ tokenizer: tinyTokenizer(), config: small });
    const messages = colourQuestion(await solidImage(COLOURS.green));
    const greedy = await model.doGenerate({
      messages,
      temperature: 0,
      maxTokens: 40,
      logprobs: true,
    });
    const ids = greedy.logprobs!.map((entry) => entry.id!);
    const decoded = (count: number) =>
      model.tokenizer.decode(ids.slice(0, count), { skipSpecialTokens: true });
    expect(decoded(ids.length)).toBe(greedy.text);
    // The last boundary between tokens i−1 and i where the two whole characters around it (each
    // from one of the tokens) first occur.
    let boundary = -1;
    let stop = '';
    for (let index = ids.length - 1; index >= 3 && boundary < 0; index -= 1) {
      const offset = decoded(index).length;
      const candidate = greedy.text.slice(offset - 1, offset + 1);
      if (
        candidate.length === 2 &&
        !candidate.includes('\uFFFD') &&
        decoded(index - 1).length < offset - 1 &&
        decoded(index + 1).slice(0, offset + 1) === greedy.text.slice(0, offset + 1) &&
        greedy.text.indexOf(candidate) === offset - 1
      ) {
        boundary = index;
        stop = candidate;
      }
    }
    expect(boundary).toBeGreaterThan(0);
    const stopAt = greedy.text.indexOf(stop);
    const decode = vi.spyOn(model.tokenizer, 'decode');
    const stopped = await model.doGenerate({
      messages,
      temperature: 0,
      maxTokens: 40,
      stop: ['never in the output', stop],
      logprobs: true,
    });
    expect(decode.mock.calls.length).toBeLessThan(2);
    decode.mockRestore();
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(greedy.text.slice(0, stopAt));
    expect(stopped.usage.outputTokens).toBe(boundary + 1);
    let kept = 0;
    while (kept < ids.length && decoded(kept + 1).length <= stopAt) kept += 1;
    expect(kept).toBe(boundary - 1);
    expect(stopped.logprobs).toEqual(greedy.logprobs!.slice(0, kept));
    model.dispose();
  });

  it('scores padded batches like single sequences and rejects inconsistent batches', async () => {
    const model = new TinyVLM({ tokenizer: tinyTokenizer(), config: small });
    const long = await model.encodeChat(colourQuestion(await solidImage(COLOURS.red)));
    const short = await model.encodeChat([{ role: 'user', content: 'red' }]);
    const batch = model.sequenceLogProbs([long, short]).arraySync();
    const alone = model.sequenceLogProbs([short]).arraySync()[0]!;
    alone.forEach((value, index) => {
      expect(batch[1]![index]).toBeCloseTo(value, 4);
    });
    expect(batch[1]!.slice(alone.length).every((value) => value === 0)).toBe(true);
    expect(() => model.sequenceLogProbs([{ tokenIds: long.tokenIds, images: [] }])).toThrow(
      InvalidBatchError,
    );
    expect(() =>
      model.sequenceLogProbs([{ tokenIds: new Array(300).fill(1), images: [] }]),
    ).toThrow(ContextLengthExceededError);
    model.dispose();
  });

  it('learns a colour → word mapping from images in a few seconds', async () => {
    const tokenizer = tinyTokenizer();
    const model = new TinyVLM({
      tokenizer,
      config: { ...small, numLayers: 1, visionLayers: 0, seed: 3 },
    });
    const names = Object.keys(COLOURS) as ColourName[];
    const examples = await Promise.all(
      names.map(async (name) =>
        model.encodeChat([
          ...colourQuestion(await solidImage(COLOURS[name])),
          { role: 'assistant', content: name },
        ]),
      ),
    );
    const optimizer = tf.train.adam(1e-2);
    const variables = model.trainableVariables();
    let first = 0;
    let last = 0;
    for (let step = 0; step < 60; step += 1) {
      const cost = optimizer.minimize(() => model.loss(examples), true, variables)!;
      last = cost.dataSync()[0]!;
      if (step === 0) first = last;
      cost.dispose();
    }
    expect(last).toBeLessThan(first / 10);
    for (const name of names) {
      const result = await model.doGenerate({
        messages: colourQuestion(await solidImage(COLOURS[name])),
        temperature: 0,
        maxTokens: 5,
      });
      expect(result.text).toBe(name);
      expect(result.finishReason).toBe('stop');
    }
    optimizer.dispose();
    model.dispose();
  });

  it('samples reproducibly with a seed and honours maxTokens, stop strings and logprobs', async () => {
    const model = new TinyVLM({ tokenizer: tinyTokenizer(), config: small });
    const messages = colourQuestion(await solidImage(COLOURS.green));
    const options = { messages, temperature: 1.5, topK: 50, topP: 0.95, seed: 11, maxTokens: 12 };
    const first = await model.doGenerate({ ...options, logprobs: true });
    const second = await model.doGenerate({ ...options, logprobs: true });
    expect(second).toEqual(first);
    if (first.finishReason === 'length') expect(first.usage.outputTokens).toBe(12);
    expect(first.logprobs!.length).toBeGreaterThan(0);
    for (const entry of first.logprobs!) expect(entry.logprob).toBeLessThanOrEqual(0);
    const greedy = await model.doGenerate({ messages, temperature: 0, maxTokens: 20 });
    expect(greedy.text.length).toBeGreaterThan(3);
    const stop = greedy.text.slice(2, 4);
    const stopped = await model.doGenerate({
      messages,
      temperature: 0,
      maxTokens: 20,
      stop: [stop],
    });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(greedy.text.slice(0, greedy.text.indexOf(stop)));
    const controller = new AbortController();
    controller.abort();
    const aborted = await model.doGenerate({ messages, abortSignal: controller.signal });
    expect(aborted.finishReason).toBe('abort');
    model.dispose();
  });
});

describe('renderer-only tokens', () => {
  /**
   * A model whose final norm outputs ones, so every position's logits are the column sums of
   * `lm_head`: renderer-only tokens get the largest logits, `red` the largest allowed one.
   */
  function rigged(): { model: TinyVLM; red: number; favoured: number[] } {
    const model = new TinyVLM({ tokenizer: tinyTokenizer(), config: small });
    const { dModel, vocabSize } = model.config;
    const favoured = ['<|image_pad|>', '<|video_pad|>', '<|im_start|>', '<|vision_start|>'].map(
      (content) => model.tokenizer.requireToken(content),
    );
    const red = model.tokenizer.encode('red')[0]!;
    const head = new Float32Array(dModel * vocabSize);
    for (let row = 0; row < dModel; row += 1) {
      for (const id of favoured) head[row * vocabSize + id] = 1;
      head[row * vocabSize + red] = 3 / dModel;
    }
    model.parameters.get('lm_head.weight')!.assign(tf.tensor2d(head, [dModel, vocabSize]));
    model.parameters.get('decoder.norm.gamma')!.assign(tf.zeros([dModel]));
    model.parameters.get('decoder.norm.beta')!.assign(tf.ones([dModel]));
    return { model, red, favoured };
  }

  it('lists every special token except the turn enders', () => {
    const tokenizer = tinyTokenizer();
    const names = rendererOnlyTokenIds(tokenizer).map((id) => tokenizer.idToToken(id));
    expect(names.sort()).toEqual(
      [
        '<|im_start|>',
        '<|image_pad|>',
        '<|video_pad|>',
        '<|vision_end|>',
        '<|vision_start|>',
      ].sort(),
    );
  });

  it('never generates them, greedy or sampled, and reports masked-distribution log-probs', async () => {
    const { model, red } = rigged();
    const prompt = await model.encodeChat(colourQuestion(await solidImage(COLOURS.blue)), {
      addGenerationPrompt: true,
    });
    const masked = new Set(rendererOnlyTokenIds(model.tokenizer));
    const greedy = await model.generateTokens(prompt, { maxTokens: 3 });
    expect(greedy.ids).toEqual([red, red, red]);
    // Allowed logits: 3 for `red`, 0 for the rest of the vocabulary.
    const allowed = model.config.vocabSize - masked.size;
    const expected = 3 - Math.log(Math.exp(3) + allowed - 1);
    for (const logprob of greedy.logprobs) expect(logprob).toBeCloseTo(expected, 4);
    const sampled = await model.generateTokens(prompt, {
      maxTokens: 40,
      temperature: 1.5,
      random: seededRandom(3),
    });
    expect(sampled.ids.length).toBeGreaterThan(0);
    for (const id of sampled.ids) expect(masked.has(id)).toBe(false);
    // Training re-scores sampled ids under the same masked distribution the sampler used.
    const scored = tf.tidy(() =>
      model
        .sequenceLogProbs([
          { tokenIds: [...prompt.tokenIds, ...sampled.ids], images: prompt.images },
        ])
        .arraySync(),
    )[0]!;
    sampled.logprobs.forEach((logprob, index) => {
      expect(scored[prompt.tokenIds.length + index]).toBeCloseTo(logprob, 3);
    });
    model.dispose();
  });

  it('scores renderer-placed tokens as given: 0 log-prob, no loss, finite gradients', async () => {
    const { model } = rigged();
    const encoded = await model.encodeChat([
      ...colourQuestion(await solidImage(COLOURS.red)),
      { role: 'assistant', content: 'red' },
    ]);
    const masked = new Set(rendererOnlyTokenIds(model.tokenizer));
    const scored = tf.tidy(() => model.sequenceLogProbs([encoded]).arraySync())[0]!;
    encoded.tokenIds.forEach((id, position) => {
      expect(Number.isFinite(scored[position])).toBe(true);
      if (masked.has(id)) expect(Math.abs(scored[position]!)).toBe(0);
    });
    // Without a loss mask every predicted token counts; renderer-placed ones must not.
    const loss = tf.tidy(() =>
      model.loss([{ tokenIds: encoded.tokenIds, images: encoded.images }]).dataSync(),
    )[0]!;
    const predicted = scored.filter(
      (_, position) => position > 0 && !masked.has(encoded.tokenIds[position]!),
    );
    const mean = -predicted.reduce((sum, value) => sum + value, 0) / predicted.length;
    expect(loss).toBeCloseTo(mean, 3);
    const { value, grads } = tf.variableGrads(() => model.loss([encoded]));
    for (const gradient of Object.values(grads)) {
      expect(Number.isFinite(tf.sum(tf.abs(gradient)).dataSync()[0]!)).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
  });
});
