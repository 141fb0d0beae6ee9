import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageCache } from '../image/image-cache.js';
import { selectBackend } from './backend.js';
import { GradientWorkerPool, LocalModelPool, shardByTokens } from './parallel.js';
import { COLOURS, colourQuestion, solidImage, tinyTokenizer } from './test-helpers/fixtures.js';
import { TinyVLM, type TrainingSequence } from './tiny-vlm.js';

const config = {
  dModel: 32,
  numHeads: 2,
  numLayers: 2,
  visionLayers: 1,
  ffnDim: 64,
  patchSize: 16,
  stemChannels: [8, 16],
  stemKernel: 4 as const,
  auxiliaryHeads: { colour: 4 },
  maxSequenceLength: 256,
  inputImagePixels: 32 * 32,
  operationImagePixels: 64 * 64,
  seed: 3,
};

let model: TinyVLM;
let batch: TrainingSequence[];

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  model = new TinyVLM({ tokenizer: tinyTokenizer(), config });
  const names = ['red', 'green', 'blue', 'red', 'blue'] as const;
  batch = await Promise.all(
    names.map(async (name, index) => {
      const encoded = await model.encodeChat([
        ...colourQuestion(await solidImage(COLOURS[name], 40 + 8 * index, 32)),
        { role: 'assistant', content: name },
      ]);
      const tokens = encoded.images.reduce(
        (sum, image) => sum + image.gridWidth * image.gridHeight,
        0,
      );
      // Every other token labelled, with the image's colour or background.
      const colour = Array.from({ length: tokens }, (_, at) =>
        at % 2 === 0 ? (at % 4 === 0 ? 0 : 1 + (index % 3)) : -1,
      );
      return { ...encoded, imageTargets: { colour } };
    }),
  );
});

afterAll(() => model.dispose());

function localGradients(sequences: readonly TrainingSequence[]) {
  const { value, grads } = tf.variableGrads(
    () => model.loss(sequences, { auxiliaryWeight: 0.5 }),
    model.trainableVariables(),
  );
  const byName = new Map<string, Float32Array>();
  for (const [name, variable] of model.parameters) {
    const gradient = grads[variable.name];
    if (gradient !== undefined) byName.set(name, gradient.dataSync() as Float32Array);
  }
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, byName };
}

describe('GradientWorkerPool', () => {
  it('splits by tokens into non-empty, balanced shards', () => {
    const sequences = [5, 1, 4, 2, 3].map((length) => ({ tokenIds: new Array(length).fill(0) }));
    const shards = shardByTokens(sequences, 2);
    expect(shards.map((shard) => shard.reduce((sum, s) => sum + s.tokenIds.length, 0))).toEqual([
      8, 7,
    ]);
    expect(shardByTokens(sequences.slice(0, 1), 3)).toHaveLength(1);
  });

  it('gives the in-thread loss and gradients with 1 and 2 workers (float tolerance 1e-5)', async () => {
    const local = localGradients(batch);
    for (const workers of [1, 2]) {
      const pool = await GradientWorkerPool.create({ model, workers, backend: 'wasm' });
      try {
        const { loss, gradients } = await pool.compute(batch, { auxiliaryWeight: 0.5 });
        expect(loss).toBeCloseTo(local.loss, 5);
        expect([...gradients.keys()].sort()).toEqual([...local.byName.keys()].sort());
        for (const [name, gradient] of gradients) {
          const expected = local.byName.get(name)!;
          const actual = gradient.dataSync();
          let worst = 0;
          for (let index = 0; index < expected.length; index += 1) {
            worst = Math.max(worst, Math.abs(actual[index]! - expected[index]!));
          }
          expect(worst, `${name} with ${workers} workers`).toBeLessThan(1e-5);
        }
        tf.dispose([...gradients.values()]);
      } finally {
        await pool.close();
      }
    }
  });
});

describe('LocalModelPool', () => {
  it('generates what the model generates, on every worker, and follows weight updates', async () => {
    const question = colourQuestion(await solidImage(COLOURS.green, 48, 32));
    const expected = await model.doGenerate({ messages: question, maxTokens: 6, temperature: 0 });
    const pool = await LocalModelPool.create({ model, workers: 2, backend: 'wasm' });
    try {
      // An episode's image cache stays in this thread (it cannot be posted to a worker).
      const imageCache = createImageCache();
      const results = await Promise.all(
        [0, 1, 2, 3].map(() =>
          pool.doGenerate({ messages: question, maxTokens: 6, temperature: 0, imageCache }),
        ),
      );
      for (const result of results) expect(result.text).toBe(expected.text);
      const original = model.parameters.get('lm_head.weight')!;
      const saved = original.clone();
      try {
        original.assign(tf.mul(original, -3));
        const changed = await model.doGenerate({
          messages: question,
          maxTokens: 6,
          temperature: 0,
        });
        expect(changed.text).not.toBe(expected.text);
        await pool.syncWeights();
        const synced = await pool.doGenerate({ messages: question, maxTokens: 6, temperature: 0 });
        expect(synced.text).toBe(changed.text);
      } finally {
        original.assign(saved);
        saved.dispose();
      }
    } finally {
      await pool.close();
    }
  });
});
