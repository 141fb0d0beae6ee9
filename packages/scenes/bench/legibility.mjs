// Legibility proof for needs-operation items: a small reader told where the target is, trained on
// (a) a window of the global view around the cue and (b) the reference crop of the cue, both on
// freshly generated zoom-attribute items, then evaluated on held-out items. Writes
// bench-results/legibility.json. Env: BENCH_SECONDS (training wall clock per reader, default 200;
// or BENCH_STEPS, see below),
// BENCH_EVAL (held-out items, default 400).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import {
  COLOR_NAMES,
  DEFAULT_OPERATION_VIEW_PIXELS,
  DEFAULT_VIEW_PIXELS,
  DIGITS,
  fitToPixelBudget,
  generateScene,
  globalView,
  LETTERS,
  paddedPixelBox,
  referenceCrop,
  resizeNearest,
  SCENE_FAMILIES,
  SeededRandom,
} from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 200);
const EVAL_ITEMS = Number(process.env.BENCH_EVAL ?? 400);
// BENCH_STEPS=global:N,crop:M trains each reader a fixed number of steps instead (comparable
// across machines and loads).
const STEPS = Object.fromEntries(
  (process.env.BENCH_STEPS ?? '')
    .split(',')
    .filter(Boolean)
    .map((part) => {
      const [view, count] = part.split(':');
      return [view, Number(count)];
    }),
);
const INPUT = 128;
const GRID = 8;
const PATCH = INPUT / GRID;
const BATCH = 32;
const POOL = 2000;
const REFRESH = 4;

const CLASSES = [...DIGITS, ...LETTERS, ...COLOR_NAMES];
const KIND_CLASSES = {
  digit: DIGITS.map((value) => CLASSES.indexOf(value)),
  letter: LETTERS.map((value) => CLASSES.indexOf(value)),
  color: COLOR_NAMES.map((value) => CLASSES.indexOf(value)),
};

/** The global view restricted to the cue's padded window: identical pixels, far less work. */
function globalWindow(image, box) {
  const view = fitToPixelBudget(image, DEFAULT_VIEW_PIXELS);
  const factorX = image.width / view.width;
  const factorY = image.height / view.height;
  const [left, top, right, bottom] = paddedPixelBox(image, box);
  const x1 = Math.floor(left / factorX);
  const y1 = Math.floor(top / factorY);
  const x2 = Math.ceil(right / factorX);
  const y2 = Math.ceil(bottom / factorY);
  const width = x2 - x1;
  const height = y2 - y1;
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      for (let channel = 0; channel < 3; channel++) {
        let sum = 0;
        for (let dy = 0; dy < factorY; dy++) {
          const base = ((y1 + row) * factorY + dy) * image.width;
          for (let dx = 0; dx < factorX; dx++) {
            sum += image.data[(base + (x1 + column) * factorX + dx) * 3 + channel];
          }
        }
        data[(row * width + column) * 3 + channel] = Math.round(sum / (factorX * factorY));
      }
    }
  }
  return { width, height, data };
}

function readerInput(item, view) {
  const image = item.media.image;
  const source =
    view === 'crop'
      ? referenceCrop(image, item.cue.box, { operationViewPixels: DEFAULT_OPERATION_VIEW_PIXELS })
      : globalWindow(image, item.cue.box);
  return resizeNearest(source, INPUT, INPUT).data;
}

function example(seed, split, view) {
  const item = generateScene('zoom-attribute', { seed, split, needsOperation: true });
  const kind = item.category.split('/')[1];
  const answer = item.options['ABCD'.indexOf(item.answer)];
  // The answer is never the plate colour, which the question names, so colour chance is 1/7.
  const plate = kind === 'color' ? /the (\w+) tag/.exec(item.question)[1] : undefined;
  const allowed = KIND_CLASSES[kind].filter((index) => CLASSES[index] !== plate);
  return { pixels: readerInput(item, view), label: CLASSES.indexOf(answer), allowed, kind };
}

function batchTensors(examples) {
  const patches = new Float32Array(examples.length * GRID * GRID * PATCH * PATCH * 3);
  const mask = new Float32Array(examples.length * CLASSES.length).fill(-1e9);
  const labels = new Int32Array(examples.length);
  let pointer = 0;
  examples.forEach((entry, index) => {
    for (let py = 0; py < GRID; py++) {
      for (let px = 0; px < GRID; px++) {
        for (let y = 0; y < PATCH; y++) {
          const rowStart = ((py * PATCH + y) * INPUT + px * PATCH) * 3;
          for (let offset = 0; offset < PATCH * 3; offset++) {
            patches[pointer++] = entry.pixels[rowStart + offset] / 255 - 0.5;
          }
        }
      }
    }
    for (const allowed of entry.allowed) mask[index * CLASSES.length + allowed] = 0;
    labels[index] = entry.label;
  });
  return {
    patches: tf.tensor2d(patches, [examples.length * GRID * GRID, PATCH * PATCH * 3]),
    mask: tf.tensor2d(mask, [examples.length, CLASSES.length]),
    labels: tf.tensor1d(labels, 'int32'),
  };
}

// Plain Node cannot load tfjs-core's gradient registry (extensionless ESM imports), and the wasm
// fast path is a plain 2-D matmul anyway, so the backward pass is written out with explicit
// transposes (the research's customGrad recipe, inlined) and Adam applies the gradients.
const matMulT = (a, b) => tf.matMul(a, tf.transpose(b));
const tMatMul = (a, b) => tf.matMul(tf.transpose(a), b);

function createReader() {
  const dense = (name, inputs, outputs) => ({
    weight: tf.variable(
      tf.randomNormal([inputs, outputs], 0, Math.sqrt(2 / inputs), 'float32', 7),
      true,
      `${name}/weight`,
    ),
    bias: tf.variable(tf.zeros([outputs]), true, `${name}/bias`),
  });
  const layers = [
    dense(`${readerCount}/patch1`, PATCH * PATCH * 3, 64),
    dense(`${readerCount}/patch2`, 64, 64),
    dense(`${readerCount}/hidden`, GRID * GRID * 64, 256),
    dense(`${readerCount}/head`, 256, CLASSES.length),
  ];
  readerCount++;
  const linear = (layer, x) => tf.add(tf.matMul(x, layer.weight), layer.bias);
  const forward = (patches, batchSize) => {
    const z1 = linear(layers[0], patches);
    const a1 = tf.relu(z1);
    const z2 = linear(layers[1], a1);
    const a2 = tf.reshape(tf.relu(z2), [batchSize, GRID * GRID * 64]);
    const z3 = linear(layers[2], a2);
    const a3 = tf.relu(z3);
    return { logits: linear(layers[3], a3), saved: { patches, z1, a1, z2, a2, z3, a3 } };
  };
  /** Mean masked softmax cross-entropy and its gradients for every variable. */
  const lossAndGradients = (patches, mask, labels, batchSize) => {
    const { logits, saved } = forward(patches, batchSize);
    const masked = tf.add(logits, mask);
    const oneHot = tf.oneHot(labels, CLASSES.length);
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(masked), oneHot), 1)));
    const dLogits = tf.div(tf.sub(tf.softmax(masked), oneHot), batchSize);
    const relu = (gradient, preActivation) => tf.mul(gradient, tf.step(preActivation));
    const dz3 = relu(matMulT(dLogits, layers[3].weight), saved.z3);
    const da2 = tf.reshape(matMulT(dz3, layers[2].weight), [batchSize * GRID * GRID, 64]);
    const dz2 = relu(da2, saved.z2);
    const dz1 = relu(matMulT(dz2, layers[1].weight), saved.z1);
    const gradients = {};
    const put = (layer, input, dz) => {
      gradients[layer.weight.name] = tMatMul(input, dz);
      gradients[layer.bias.name] = tf.sum(dz, 0);
    };
    put(layers[3], saved.a3, dLogits);
    put(layers[2], saved.a2, dz3);
    put(layers[1], saved.a1, dz2);
    put(layers[0], saved.patches, dz1);
    return { loss, gradients };
  };
  return { forward: (patches, batchSize) => forward(patches, batchSize).logits, lossAndGradients };
}
let readerCount = 0;

async function trainReader(view, evaluation) {
  const random = SeededRandom.fromLabel(`bench/legibility/${view}`);
  const reader = createReader();
  const optimizer = tf.train.adam(1e-3);
  let seed = 0;
  const pool = [];
  const startGenerate = performance.now();
  while (pool.length < POOL) pool.push(example(seed++, 'train', view));
  const poolMs = performance.now() - startGenerate;
  const start = performance.now();
  let steps = 0;
  let recentLoss = 0;
  const stepBudget = STEPS[view];
  while (
    stepBudget !== undefined ? steps < stepBudget : (performance.now() - start) / 1000 < SECONDS
  ) {
    // A slowly refreshed pool: every step swaps in fresh items, so no item is seen for long.
    for (let index = 0; index < REFRESH; index++) {
      pool[random.int(0, POOL - 1)] = example(seed++, 'train', view);
    }
    const examples = Array.from({ length: BATCH }, () => pool[random.int(0, POOL - 1)]);
    const batch = batchTensors(examples);
    const loss = tf.tidy(() => {
      const result = reader.lossAndGradients(batch.patches, batch.mask, batch.labels, BATCH);
      optimizer.applyGradients(result.gradients);
      return result.loss;
    });
    recentLoss =
      steps === 0 ? (await loss.data())[0] : 0.98 * recentLoss + 0.02 * (await loss.data())[0];
    tf.dispose([loss, batch.patches, batch.mask, batch.labels]);
    steps++;
    if (steps % 200 === 0) {
      console.log(
        `${view}: step ${steps}, loss ${recentLoss.toFixed(3)}, ${(performance.now() - start) / 1000}s`,
      );
    }
  }
  const trainMs = performance.now() - start;
  let correct = 0;
  const byKind = {};
  for (let index = 0; index < evaluation.length; index += 50) {
    const examples = evaluation.slice(index, index + 50).map((entry) => entry[view]);
    const batch = batchTensors(examples);
    const predictions = tf.tidy(() =>
      tf.argMax(tf.add(reader.forward(batch.patches, examples.length), batch.mask), 1),
    );
    const predicted = await predictions.data();
    examples.forEach((entry, offset) => {
      const hit = predicted[offset] === entry.label;
      correct += hit ? 1 : 0;
      byKind[entry.kind] ??= { correct: 0, total: 0 };
      byKind[entry.kind].correct += hit ? 1 : 0;
      byKind[entry.kind].total += 1;
    });
    tf.dispose([predictions, batch.patches, batch.mask, batch.labels]);
  }
  return {
    accuracy: correct / evaluation.length,
    accuracyByKind: Object.fromEntries(
      Object.entries(byKind).map(([kind, value]) => [kind, value.correct / value.total]),
    ),
    steps,
    msPerStep: trainMs / steps,
    trainedItems: seed,
    poolGenerationMs: poolMs,
  };
}

function generationTiming() {
  const result = {};
  for (const family of SCENE_FAMILIES) {
    for (let seed = 0; seed < 5; seed++) generateScene(family, { seed, split: 'train' });
    const count = 60;
    const start = performance.now();
    for (let seed = 0; seed < count; seed++)
      generateScene(family, { seed: 1000 + seed, split: 'train' });
    result[family] = (performance.now() - start) / count;
  }
  return result;
}

await tf.setBackend('wasm');
await tf.ready();

// The window shortcut must give exactly the global view's pixels.
for (let seed = 0; seed < 3; seed++) {
  const item = generateScene('zoom-attribute', { seed, split: 'validation', needsOperation: true });
  const view = globalView(item.media.image, { viewPixels: DEFAULT_VIEW_PIXELS });
  const window = globalWindow(item.media.image, item.cue.box);
  const factor = item.media.image.width / view.width;
  const [left, top] = paddedPixelBox(item.media.image, item.cue.box);
  const x1 = Math.floor(left / factor);
  const y1 = Math.floor(top / factor);
  for (let row = 0; row < window.height; row++) {
    for (let index = 0; index < window.width * 3; index++) {
      if (
        window.data[row * window.width * 3 + index] !==
        view.data[((y1 + row) * view.width + x1) * 3 + index]
      ) {
        throw new Error('global window differs from the global view');
      }
    }
  }
}

const generationMsPerItem = generationTiming();
console.log('generation ms/item', generationMsPerItem);
const evaluation = Array.from({ length: EVAL_ITEMS }, (_, seed) => ({
  global: example(seed, 'test', 'global'),
  crop: example(seed, 'test', 'crop'),
}));
const chance =
  evaluation.reduce((sum, entry) => sum + 1 / entry.crop.allowed.length, 0) / evaluation.length;
const globalReader = await trainReader('global', evaluation);
console.log('global', globalReader);
const cropReader = await trainReader('crop', evaluation);
console.log('crop', cropReader);

const result = {
  task: 'zoom-attribute, needsOperation items; reader told the target location',
  defaults: { viewPixels: DEFAULT_VIEW_PIXELS, operationViewPixels: DEFAULT_OPERATION_VIEW_PIXELS },
  reader: `patchify ${GRID}x${GRID} of ${INPUT}px input, per-patch MLP 768-64-64, 4096-256-${CLASSES.length}, masked to the question's answer kind; Adam 1e-3, batch ${BATCH}, ${process.env.BENCH_STEPS ? `steps ${process.env.BENCH_STEPS}` : `${SECONDS}s`} per reader, pool ${POOL} refreshed by ${REFRESH}/step`,
  heldOutItems: EVAL_ITEMS,
  chance,
  globalViewAccuracy: globalReader.accuracy,
  globalViewAboveChancePoints: (globalReader.accuracy - chance) * 100,
  referenceCropAccuracy: cropReader.accuracy,
  global: globalReader,
  crop: cropReader,
  generationMsPerItem,
  backend: tf.getBackend(),
  node: process.version,
  date: new Date().toISOString(),
};
const output = join(here, '..', 'bench-results', 'legibility.json');
mkdirSync(dirname(output), { recursive: true });
writeFileSync(`${output}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
renameSync(`${output}.tmp`, output);
console.log(`wrote ${output}`);
