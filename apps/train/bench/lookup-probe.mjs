// Can the base's decoder learn the option lookup ("Up close: 7." → the letter of "(C) 7")?
// node apps/train/bench/lookup-probe.mjs LABEL FROM_MODEL_DIR STEPS [BATCH=32] [LR=1e-3] [EVAL_EVERY=500]
// Trains the text-only `options` task on the choice families from FROM_MODEL_DIR and scores held-out
// `options` items (100 per family, greedy) every EVAL_EVERY steps. Merges { LABEL: curve } into
// apps/train/bench-results/lookup-probe.json after every evaluation.
import { loadCheckpoint, selectBackend } from '@pixel-reasoner/model-runtime/local';
import { evaluatePerception, perceptionSource, trainSft } from '@pixel-reasoner/trainer-sft';
import { sceneOptions as baseSceneOptions, DEFAULT_CONFIG } from '../dist/index.js';
import { recordLabelled } from './labelled-results.mjs';

const [label, from, stepsArg, batchArg, lrArg, everyArg] = process.argv.slice(2);
if (!label || !from || !stepsArg)
  throw new Error('usage: lookup-probe.mjs LABEL FROM_MODEL_DIR STEPS [BATCH] [LR] [EVAL_EVERY]');
const steps = Number(stepsArg);
const batchSize = Number(batchArg ?? 32);
const learningRate = Number(lrArg ?? 1e-3);
const every = Number(everyArg ?? 500);
const out = new URL('../bench-results/lookup-probe.json', import.meta.url).pathname;
const families = ['zoom-attribute', 'relative-position', 'frames'];
const sceneOptions = baseSceneOptions(DEFAULT_CONFIG);
await selectBackend({ backend: 'wasm' });
const model = await loadCheckpoint(from);
const curve = [];
const started = Date.now();
const evaluate = async (step) => {
  const scores = await evaluatePerception({
    respond: async (messages) =>
      (await model.doGenerate({ messages, maxTokens: 40, temperature: 0 })).text,
    families,
    tasks: ['options'],
    itemsPerTask: 100,
    startSeed: 0,
    sceneOptions,
  });
  const row = {
    step,
    ...Object.fromEntries(
      scores.map((s) => [s.family, { accuracy: s.accuracy, interval: s.interval }]),
    ),
  };
  curve.push(row);
  console.log(JSON.stringify(row));
  // Recorded after every evaluation, so a stopped probe keeps its curve.
  await recordLabelled(out, label, {
    command: `node apps/train/bench/lookup-probe.mjs ${process.argv.slice(2).join(' ')}`,
    from,
    batchSize,
    learningRate,
    seconds: Math.round((Date.now() - started) / 1000),
    curve,
  });
};
await evaluate(0);
// Each segment is its own trainSft run: Adam's moments restart, and the learning rate is constant
// after the first segment's warmup.
for (let done = 0; done < steps; done += every) {
  await trainSft({
    model,
    data: perceptionSource({
      families,
      sceneOptions,
      startSeed: 1_000_000 + done * batchSize,
      taskWeights: { read: 0, locate: 0, answer: 0, frames: 0, options: 1 },
    }),
    steps: every,
    batchSize,
    learningRate,
    warmupRatio: done === 0 ? 0.05 : 0,
    minLearningRateRatio: 1,
    gradientClip: 1,
    workers: 'auto',
    progress: false,
    onEvent: (event) => {
      if (event.type === 'step-end' && event.metrics.step % 100 === 0) {
        console.log(
          `step ${done + event.metrics.step} loss ${event.metrics.loss.toFixed(4)} ${event.metrics.ms} ms`,
        );
      }
    },
  });
  await evaluate(done + every);
}
