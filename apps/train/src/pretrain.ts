import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BpeTokenizer,
  LocalModelPool,
  loadCheckpoint,
  resolveWorkerCount,
  saveCheckpoint,
  TinyVLM,
} from '@pixel-reasoner/model-runtime/local';
import {
  evaluatePerception,
  type PerceptionScore,
  perceptionGroundedHeads,
  perceptionHeadSizes,
  perceptionSource,
  trainSft,
} from '@pixel-reasoner/trainer-sft';
import type { TrainConfig } from './config.js';
import { StageInterruptedError } from './errors.js';
import { readJsonIfExists, writeFileAtomic } from './files.js';
import { drawsBar, logStep, modelDirectory, type StageContext, sceneOptions } from './stages.js';

/** Scene seeds of the vision phase start here; the language phase starts `VISION_SEED_SPAN` on. */
export const PRETRAIN_START_SEED = 0;
export const VISION_SEED_SPAN = 50_000_000;

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
 * Perception pretraining of the base (the stand-in for the base VLM's pretraining), in two phases
 * on endless streams of fresh scenes with no tool ever shown. `vision`: a fresh TinyVLM's image
 * encoder learns the auxiliary object heads alone (a zoom on every object of a scene). `language`:
 * from there, the whole model answers no-tool perception examples, the object heads still on.
 */
export async function pretrainStage(
  context: StageContext,
  phase: 'vision' | 'language',
): Promise<Record<string, unknown>> {
  const { config, outDir } = context;
  const { pretrain } = config;
  const stage = phase === 'vision' ? 'pretrain-vision' : 'pretrain';
  const model =
    phase === 'vision'
      ? new TinyVLM({
          tokenizer: await readTokenizer(outDir),
          modelId: 'tiny-vlm-base',
          config: {
            ...modelConfig(config),
            auxiliaryHeads: perceptionHeadSizes(),
            ...(pretrain.grounding !== 'none' && { groundedHeads: perceptionGroundedHeads() }),
            ...(pretrain.grounding === 'pooled' && { pooledHeads: ['content'] }),
          },
        })
      : await loadCheckpoint(modelDirectory(outDir, 'pretrain-vision'), {
          modelId: 'tiny-vlm-base',
        });
  const schedule =
    phase === 'vision'
      ? {
          steps: pretrain.vision.steps,
          batchSize: pretrain.vision.batchSize,
          learningRate: pretrain.vision.learningRate,
        }
      : {
          steps: pretrain.steps,
          batchSize: pretrain.batchSize,
          learningRate: pretrain.learningRate,
        };
  try {
    if (schedule.steps === 0) {
      await saveCheckpoint(model, modelDirectory(outDir, stage));
      return { steps: 0, parameters: model.parameterCount() };
    }
    const result = await trainSft({
      model,
      data: perceptionSource({
        families: phase === 'vision' ? ['zoom-attribute'] : config.scenes.families,
        sceneOptions: sceneOptions(config),
        // The language phase reads scenes the vision phase never showed.
        startSeed: phase === 'vision' ? PRETRAIN_START_SEED : VISION_SEED_SPAN,
        taskWeights:
          phase === 'vision'
            ? {
                read: 0,
                locate: 0,
                answer: 0,
                frames: 0,
                vision: 1,
                sheet: pretrain.vision.sheetWeight,
              }
            : { ...pretrain.tasks, vision: 0, sheet: 0 },
        randomSeed: config.seed,
      }),
      ...schedule,
      warmupRatio: pretrain.warmupRatio,
      minLearningRateRatio: pretrain.minLearningRateRatio,
      gradientClip: pretrain.gradientClip,
      auxiliaryWeight: pretrain.auxiliaryWeight,
      workers: config.workers,
      checkpointDir: join(outDir, stage, 'checkpoints'),
      checkpointEvery: pretrain.checkpointEvery,
      metricsFile: join(outDir, stage, 'metrics.jsonl'),
      progress: drawsBar(context),
      ...(context.signal && { signal: context.signal }),
      onEvent: (event) => {
        context.onTrainingEvent?.({ stage, trainer: 'sft', event });
        if (event.type === 'train-start' && event.resumedFrom) {
          context.log(`${stage}: resuming from step ${event.resumedFrom.step}`);
        }
        if (event.type === 'step-end') {
          const { step, loss, ms } = event.metrics;
          logStep(context, stage, step, schedule.steps, `loss ${loss.toFixed(4)} ${ms} ms`);
        }
      },
    });
    if (result.stopReason === 'aborted') throw new StageInterruptedError(stage);
    await saveCheckpoint(model, modelDirectory(outDir, stage));
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
  const workers = resolveWorkerCount(config.workers);
  const pool = workers > 0 ? await LocalModelPool.create({ model, workers }) : undefined;
  try {
    let lastLine = 0;
    const scores = await evaluatePerception({
      respond: async (messages) => {
        const result = await (pool ?? model).doGenerate({
          messages,
          maxTokens: 48,
          temperature: 0,
        });
        return result.text;
      },
      concurrency: Math.max(1, workers),
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
    await pool?.close();
    model.dispose();
  }
}

/** What `base.json` beside a shipped base checkpoint says about how it was made. */
export interface BaseMetadata {
  command: string;
  config: TrainConfig;
  seed: number;
  /** Optimizer steps of the vision and the language phase. */
  steps: { vision: number; language: number };
  /** Wall seconds of each stage (the run that finished it) and their sum. */
  seconds: Record<string, number> & { total: number };
  parameters: number;
  /** Held-out perception scores (test split), the base's own evaluation. */
  evaluation: PerceptionScore[];
  createdAt: string;
}

/** Copies the pretrained model to `OUT/base/model/` with `base.json`: what ships as the base. */
export async function baseStage(
  context: StageContext & { command: string },
): Promise<Record<string, unknown>> {
  const { outDir, config } = context;
  const record = (stage: string) =>
    readJsonIfExists<{ seconds: number; details: Record<string, unknown> }>(
      join(outDir, stage, 'stage.json'),
    );
  const stages = ['synth', 'tokenizer', 'pretrain-vision', 'pretrain', 'eval-pretrain'];
  const records = await Promise.all(stages.map(record));
  const seconds: Record<string, number> & { total: number } = { total: 0 };
  stages.forEach((stage, index) => {
    const value = records[index]?.seconds ?? 0;
    seconds[stage] = value;
    seconds.total += value;
  });
  const [, , vision, language, evaluation] = records;
  const dir = modelDirectory(outDir, 'base');
  await cp(modelDirectory(outDir, 'pretrain'), dir, { recursive: true });
  const metadata: BaseMetadata = {
    command: context.command,
    config,
    seed: config.seed,
    steps: {
      vision: Number(vision?.details.steps ?? 0),
      language: Number(language?.details.steps ?? 0),
    },
    seconds,
    parameters: Number(language?.details.parameters ?? 0),
    evaluation: (evaluation?.details.scores as PerceptionScore[] | undefined) ?? [],
    createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(dir, 'base.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  return { dir };
}
