import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BpeTokenizer,
  loadCheckpoint,
  saveCheckpoint,
  TinyVLM,
} from '@pixel-reasoner/model-runtime/local';
import {
  evaluatePerception,
  type PerceptionScore,
  perceptionHeadSizes,
  perceptionSource,
  trainSft,
} from '@pixel-reasoner/trainer-sft';
import type { TrainConfig } from './config.js';
import { StageInterruptedError } from './errors.js';
import { readJsonIfExists, writeFileAtomic } from './files.js';
import { modelDirectory, type StageContext, sceneOptions } from './stages.js';

/** Perception examples past this index are never trained on by the default schedule's cursor. */
export const PRETRAIN_START_SEED = 0;

/** The model every stage of a config builds: the config's shape and the scenes' pixel budgets. */
export function modelConfig(config: TrainConfig) {
  return {
    ...config.model,
    maxGridSide: 64,
    inputImagePixels: config.scenes.viewPixels,
    operationImagePixels: config.scenes.operationViewPixels,
    videoFramePixels: config.scenes.frameViewPixels,
    seed: config.seed,
  };
}

async function readTokenizer(outDir: string): Promise<BpeTokenizer> {
  return BpeTokenizer.fromJSON(
    JSON.parse(await readFile(join(outDir, 'tokenizer', 'tokenizer.json'), 'utf8')),
  );
}

/**
 * Perception pretraining of the base (the stand-in for the base VLM's pretraining): a fresh
 * TinyVLM with auxiliary object heads learns on an endless stream of no-tool perception examples.
 */
export async function pretrainStage(context: StageContext): Promise<Record<string, unknown>> {
  const { config, outDir } = context;
  const model = new TinyVLM({
    tokenizer: await readTokenizer(outDir),
    modelId: 'tiny-vlm-base',
    config: { ...modelConfig(config), auxiliaryHeads: perceptionHeadSizes() },
  });
  const { pretrain } = config;
  try {
    const result = await trainSft({
      model,
      data: perceptionSource({
        families: config.scenes.families,
        sceneOptions: sceneOptions(config),
        startSeed: PRETRAIN_START_SEED,
        taskWeights: pretrain.tasks,
        randomSeed: config.seed,
      }),
      steps: pretrain.steps,
      batchSize: pretrain.batchSize,
      learningRate: pretrain.learningRate,
      warmupRatio: pretrain.warmupRatio,
      minLearningRateRatio: pretrain.minLearningRateRatio,
      gradientClip: pretrain.gradientClip,
      auxiliaryWeight: pretrain.auxiliaryWeight,
      checkpointDir: join(outDir, 'pretrain', 'checkpoints'),
      checkpointEvery: pretrain.checkpointEvery,
      metricsFile: join(outDir, 'pretrain', 'metrics.jsonl'),
      progress: context.progress,
      ...(context.signal && { signal: context.signal }),
      onEvent: (event) => {
        context.onTrainingEvent?.({ stage: 'pretrain', trainer: 'sft', event });
        if (event.type === 'train-start' && event.resumedFrom) {
          context.log(`pretrain: resuming from step ${event.resumedFrom.step}`);
        }
        if (event.type === 'step-end' && !context.progress && event.metrics.step % 25 === 0) {
          const { step, loss, ms } = event.metrics;
          context.log(`pretrain: step ${step}/${pretrain.steps} loss ${loss.toFixed(4)} ${ms} ms`);
        }
      },
    });
    if (result.stopReason === 'aborted') throw new StageInterruptedError('pretrain');
    await saveCheckpoint(model, modelDirectory(outDir, 'pretrain'));
    return {
      steps: result.step,
      stopReason: result.stopReason,
      parameters: model.parameterCount(),
    };
  } finally {
    model.dispose();
  }
}

/** Held-out scene seeds of the base's own evaluation (test split, from this seed on). */
export const PERCEPTION_EVAL_START_SEED = 0;

/** The base's held-out perception scores: every family and task, greedy answers, no tools. */
export async function perceptionEvalStage(context: StageContext): Promise<Record<string, unknown>> {
  const { config, outDir } = context;
  const model = await loadCheckpoint(modelDirectory(outDir, 'pretrain'));
  try {
    let lastLine = 0;
    const scores = await evaluatePerception({
      respond: async (messages) => {
        const result = await model.doGenerate({ messages, maxTokens: 48, temperature: 0 });
        return result.text;
      },
      families: config.scenes.families,
      itemsPerTask: config.pretrain.evalItemsPerTask,
      startSeed: PERCEPTION_EVAL_START_SEED,
      sceneOptions: sceneOptions(config),
      onItem: (done, total) => {
        if (done === total || Date.now() - lastLine > 30_000) {
          lastLine = Date.now();
          context.log(`eval-pretrain: ${done}/${total}`);
        }
      },
    });
    return { scores };
  } finally {
    model.dispose();
  }
}

/** What `base.json` beside a shipped base checkpoint says about how it was made. */
export interface BaseMetadata {
  command: string;
  config: TrainConfig;
  seed: number;
  steps: number;
  /** Wall seconds of the pretrain stage (the run that finished it). */
  pretrainSeconds: number;
  parameters: number;
  /** Held-out perception scores (test split), the base's own evaluation. */
  evaluation: PerceptionScore[];
  createdAt: string;
}

/** Copies the pretrained model to `OUT/base/` with `base.json`: what ships as the project's base. */
export async function baseStage(
  context: StageContext & { command: string },
): Promise<Record<string, unknown>> {
  const { outDir, config } = context;
  const pretrain = await readJsonIfExists<{ seconds: number; details: Record<string, number> }>(
    join(outDir, 'pretrain', 'stage.json'),
  );
  const evaluation = await readJsonIfExists<{ details: { scores: PerceptionScore[] } }>(
    join(outDir, 'eval-pretrain', 'stage.json'),
  );
  const dir = join(outDir, 'base');
  await cp(modelDirectory(outDir, 'pretrain'), dir, { recursive: true });
  const metadata: BaseMetadata = {
    command: context.command,
    config,
    seed: config.seed,
    steps: pretrain?.details.steps ?? config.pretrain.steps,
    pretrainSeconds: pretrain?.seconds ?? 0,
    parameters: pretrain?.details.parameters ?? 0,
    evaluation: evaluation?.details.scores ?? [],
    createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(dir, 'base.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  return { dir };
}
