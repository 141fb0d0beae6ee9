import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';
import { InvalidBatchError, InvalidModelConfigError } from './errors.js';
import { NamedAdam } from './optimizer.js';
import { COLOURS, solidImage, tinyTokenizer } from './test-helpers/fixtures.js';
import { TinyVLM, type TrainingSequence } from './tiny-vlm.js';

const config = {
  dModel: 32,
  numHeads: 2,
  numLayers: 1,
  visionLayers: 1,
  ffnDim: 64,
  patchSize: 16,
  stemChannels: [8, 16],
  stemKernel: 4 as const,
  auxiliaryHeads: { colour: 4 },
  maxSequenceLength: 128,
  inputImagePixels: 32 * 32,
  seed: 5,
};

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

/** One image per sequence, every token labelled with the image's colour (1–3). */
async function colourBatch(model: TinyVLM): Promise<TrainingSequence[]> {
  const names = ['red', 'green', 'blue'] as const;
  return Promise.all(
    names.map(async (name, index) => {
      const encoded = await model.encodeChat([
        {
          role: 'user',
          content: [
            { type: 'image', image: await solidImage(COLOURS[name], 32, 32), origin: 'input' },
          ],
        },
      ]);
      const tokens = encoded.images[0]!.gridWidth * encoded.images[0]!.gridHeight;
      return { ...encoded, imageTargets: { colour: new Array(tokens).fill(index + 1) } };
    }),
  );
}

describe('TinyVLM perception encoder', () => {
  it('rejects stems that do not divide the patch and heads with fewer than two classes', () => {
    const tokenizer = tinyTokenizer();
    expect(
      () => new TinyVLM({ tokenizer, config: { ...config, stemChannels: [4, 4, 4, 4, 4] } }),
    ).toThrow(InvalidModelConfigError);
    expect(() => new TinyVLM({ tokenizer, config: { ...config, stemKernel: 3 as 2 } })).toThrow(
      /stemKernel/,
    );
    expect(
      () => new TinyVLM({ tokenizer, config: { ...config, auxiliaryHeads: { x: 1 } } }),
    ).toThrow(/auxiliaryHeads.x/);
  });

  it('keeps the token count of the plain patch embedding, for both stem kernels', async () => {
    for (const stemKernel of [2, 4] as const) {
      const model = new TinyVLM({ tokenizer: tinyTokenizer(), config: { ...config, stemKernel } });
      const [sequence] = await colourBatch(model);
      const features = model.encodeImages(sequence!.images);
      expect(features.shape).toEqual([4, 32]);
      features.dispose();
      model.dispose();
    }
  });

  it('trains an auxiliary head from image labels alone, without a decoder pass', async () => {
    const model = new TinyVLM({ tokenizer: tinyTokenizer(), config });
    const batch = await colourBatch(model);
    const adam = new NamedAdam();
    const accuracy = () =>
      tf.tidy(() => {
        const predicted = tf.argMax(
          model.auxiliaryLogits(
            'colour',
            batch.flatMap((s) => s.images),
          ),
          1,
        );
        const labels = batch.flatMap((sequence) => [...sequence.imageTargets!.colour!]);
        const values = predicted.dataSync();
        return labels.filter((label, index) => values[index] === label).length / labels.length;
      });
    expect(accuracy()).toBeLessThan(1);
    for (let step = 0; step < 40; step += 1) {
      const { value, grads } = tf.variableGrads(
        () => model.loss(batch),
        model.trainableVariables(),
      );
      const byName = new Map<string, tf.Tensor>();
      for (const [name, variable] of model.parameters) {
        const gradient = grads[variable.name];
        if (gradient !== undefined) byName.set(name, gradient);
      }
      // No text carries loss: the decoder and the vocabulary head get no gradient.
      expect(byName.has('lm_head.weight')).toBe(false);
      expect(byName.has('aux.colour.weight')).toBe(true);
      adam.apply(model.parameters, byName, 1e-2);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(accuracy()).toBe(1);
    adam.dispose();
    model.dispose();
  });

  it('grounds image tokens in the token embeddings of the predicted class texts', async () => {
    const groundedHeads = { colour: ['', 'red', 'green', 'blue'] };
    const plain = new TinyVLM({ tokenizer: tinyTokenizer(), config });
    const grounded = new TinyVLM({
      tokenizer: tinyTokenizer(),
      config: { ...config, groundedHeads },
    });
    // Same seed, no extra weights: make the head certain of "green" in both.
    for (const model of [plain, grounded]) {
      model.parameters.get('aux.colour.bias')!.assign(tf.tensor1d([0, 0, 60, 0]));
    }
    const [sequence] = await colourBatch(grounded);
    const difference = tf.sub(
      grounded.encodeImages(sequence!.images),
      plain.encodeImages(sequence!.images),
    );
    const ids = grounded.tokenizer.encode('green');
    const expected = tf.mean(
      tf.gather(grounded.parameters.get('token_embedding')!, tf.tensor1d(ids, 'int32')),
      0,
    );
    // Scaled per token: the token's feature norm over the mean token-embedding norm.
    const table = grounded.parameters.get('token_embedding')!;
    const scale = tf.div(
      tf.norm(plain.encodeImages(sequence!.images), 'euclidean', 1, true),
      tf.mean(tf.norm(table, 'euclidean', 1)),
    );
    const want = tf.mul(scale, expected).arraySync() as number[][];
    const rows = difference.arraySync() as number[][];
    rows.forEach((row, token) => {
      row.forEach((value, index) => {
        expect(value).toBeCloseTo(want[token]![index]!, 4);
      });
    });
    // The head itself reads the features before grounding.
    const logits = (model: TinyVLM) =>
      model.auxiliaryLogits('colour', sequence!.images).arraySync();
    expect(logits(grounded)).toEqual(logits(plain));
    tf.dispose([difference, expected, scale]);
    plain.dispose();
    grounded.dispose();
  });

  it('adds a pooled head image-level reading to every token of its image', async () => {
    const groundedHeads = { colour: ['', 'red', 'green', 'blue'] };
    const grounded = new TinyVLM({
      tokenizer: tinyTokenizer(),
      config: { ...config, groundedHeads },
    });
    const pooled = new TinyVLM({
      tokenizer: tinyTokenizer(),
      config: { ...config, groundedHeads, pooledHeads: ['colour'] },
    });
    const plain = new TinyVLM({ tokenizer: tinyTokenizer(), config });
    const batch = await colourBatch(grounded);
    const images = batch.flatMap((sequence) => sequence.images);
    // A head certain of "green" on every token: each image's mix is "green" too, so pooling adds
    // the per-token text a second time.
    for (const model of [grounded, pooled, plain]) {
      model.parameters.get('aux.colour.bias')!.assign(tf.tensor1d([-60, 0, 60, 0]));
    }
    const perToken = tf.sub(grounded.encodeImages(images), plain.encodeImages(images));
    const withPool = tf.sub(pooled.encodeImages(images), plain.encodeImages(images));
    const want = tf.mul(perToken, 2).arraySync() as number[][];
    (withPool.arraySync() as number[][]).forEach((row, token) => {
      row.forEach((value, index) => {
        expect(value).toBeCloseTo(want[token]![index]!, 4);
      });
    });
    expect(
      () =>
        new TinyVLM({ tokenizer: tinyTokenizer(), config: { ...config, pooledHeads: ['colour'] } }),
    ).toThrow(/pooledHeads/);
    tf.dispose([perToken, withPool]);
    for (const model of [grounded, pooled, plain]) model.dispose();
  });

  it('rejects grounded heads whose texts do not match the head', () => {
    const tokenizer = tinyTokenizer();
    const cases: Record<string, string[]>[] = [{ colour: ['', 'red'] }, { shape: ['', 'a'] }];
    for (const groundedHeads of cases) {
      expect(() => new TinyVLM({ tokenizer, config: { ...config, groundedHeads } })).toThrow(
        /groundedHeads\./,
      );
    }
  });

  it('names the sequence and token of a label outside the head', async () => {
    const model = new TinyVLM({ tokenizer: tinyTokenizer(), config });
    const [sequence] = await colourBatch(model);
    const bad = { ...sequence!, imageTargets: { colour: [0, 1, 9, -1] } };
    expect(() => model.loss([bad])).toThrow(InvalidBatchError);
    expect(() => model.loss([bad])).toThrow(/imageTargets.colour\[2\] = 9/);
    model.dispose();
  });
});
