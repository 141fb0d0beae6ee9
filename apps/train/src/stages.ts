import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  proceduralBenchmarks,
  type RunSummary,
  runBenchmarks,
} from '@pixel-reasoner/eval-benchmarks';
import { renderQwenChat } from '@pixel-reasoner/model-runtime';
import {
  BpeTokenizer,
  endTurnOnFullContext,
  LocalModelPool,
  loadCheckpoint,
  resolveWorkerCount,
  saveCheckpoint,
  TinyVLM,
} from '@pixel-reasoner/model-runtime/local';
import {
  type GrpoEvent,
  type GrpoStepMetrics,
  scenePrompts,
  trainGrpo,
} from '@pixel-reasoner/trainer-grpo';
import {
  buildTokenizer,
  perceptionSource,
  readSftMetrics,
  type SftEvent,
  sceneTrajectorySource,
  trainSft,
} from '@pixel-reasoner/trainer-sft';
import {
  readTrajectoriesJsonl,
  sceneSeeds,
  synthesizeDataset,
  TRAJECTORIES_FILE,
  writeTrajectoriesJsonl,
} from '@pixel-reasoner/trajectory-synth';
import type { TrainConfig } from './config.js';
import { StageInterruptedError } from './errors.js';
import { readJsonLines, writeFileAtomic } from './files.js';
import { modelConfig } from './pretrain.js';

/** A trainer's own event, tagged with the stage that emitted it. */
export type TrainingEvent =
  | { stage: string; trainer: 'sft'; event: SftEvent }
  | { stage: string; trainer: 'grpo'; event: GrpoEvent };

export interface StageContext {
  config: TrainConfig;
  outDir: string;
  signal?: AbortSignal;
  progress: boolean;
  log: (line: string) => void;
  onTrainingEvent?: (event: TrainingEvent) => void;
}

/** Whether trainers draw a progress bar (on a terminal); otherwise stages log plain lines. */
export function drawsBar(context: StageContext): boolean {
  return context.progress && process.stderr.isTTY === true;
}

/** Every 25 steps when no bar is drawn (nohup, CI, a log file): a plain progress line. */
export function logStep(
  context: StageContext,
  stage: string,
  step: number,
  total: number,
  detail: string,
): void {
  if (!drawsBar(context) && (step % 25 === 0 || step === total)) {
    context.log(`${stage}: step ${step}/${total} ${detail}`);
  }
}

/** Scene settings shared by synthesis, SFT data, GRPO prompts and the held-out suite. */
export function sceneOptions(config: TrainConfig) {
  return {
    viewPixels: config.scenes.viewPixels,
    operationViewPixels: config.scenes.operationViewPixels,
    frameViewPixels: config.scenes.frameViewPixels,
    answerableShare: config.scenes.answerableShare,
  };
}

/** GRPO prompts start far past the SFT stream, so RL sees scenes SFT never did. */
export const GRPO_PROMPT_START_SEED = 10_000_000;

export async function synthStage(context: StageContext): Promise<Record<string, unknown>> {
  const { config } = context;
  const dir = join(context.outDir, 'synth');
  const seeds = sceneSeeds({
    ...sceneOptions(config),
    families: config.scenes.families,
    split: 'train',
    startSeed: 0,
    count: config.synth.count,
  });
  const kinds: Record<string, number> = {};
  const trajectories = synthesizeDataset(seeds, {
    textOnlyShare: config.synth.textOnlyShare,
    randomSeed: config.seed,
    onProgress: (event) => {
      if (event.trajectory) kinds[event.trajectory.kind] = (kinds[event.trajectory.kind] ?? 0) + 1;
    },
  });
  const { count } = await writeTrajectoriesJsonl(dir, trajectories);
  return { trajectories: count, kinds };
}

/** Perception examples added to the tokenizer corpus of a base, so their answers merge too. */
const PERCEPTION_CORPUS_EXAMPLES = 400;

async function* perceptionCorpus(config: TrainConfig): AsyncGenerator<string> {
  const source = perceptionSource({
    families: config.scenes.families,
    sceneOptions: sceneOptions(config),
    taskWeights: config.pretrain.tasks,
    randomSeed: config.seed,
  });
  let count = 0;
  for await (const { trajectory } of source.open(0)) {
    yield renderQwenChat(trajectory.turns.map((turn) => turn.message));
    count += 1;
    if (count >= PERCEPTION_CORPUS_EXAMPLES) return;
  }
}

export async function tokenizerStage(
  context: StageContext,
  options: { perception?: boolean } = {},
): Promise<Record<string, unknown>> {
  const { config } = context;
  const tokenizer = await buildTokenizer({
    ...(options.perception && { corpus: perceptionCorpus(config) }),
    trajectories: readTrajectoriesJsonl(join(context.outDir, 'synth', TRAJECTORIES_FILE)),
    vocabSize: config.tokenizer.vocabSize,
    minFrequency: config.tokenizer.minFrequency,
    pretokenizer: config.tokenizer.pretokenizer,
  });
  await writeFileAtomic(
    join(context.outDir, 'tokenizer', 'tokenizer.json'),
    JSON.stringify(tokenizer.toJSON()),
  );
  return { vocabSize: tokenizer.vocabSize };
}

export function modelDirectory(outDir: string, stage: string): string {
  return join(outDir, stage, 'model');
}

/** The SFT model's starting point: the config's base checkpoint, or a fresh model. */
async function initialSftModel(config: TrainConfig, outDir: string): Promise<TinyVLM> {
  if (config.base !== undefined) return loadCheckpoint(config.base, { modelId: 'tiny-vlm-sft' });
  const tokenizer = BpeTokenizer.fromJSON(
    JSON.parse(await readFile(join(outDir, 'tokenizer', 'tokenizer.json'), 'utf8')),
  );
  return new TinyVLM({ tokenizer, modelId: 'tiny-vlm-sft', config: modelConfig(config) });
}

export async function sftStage(context: StageContext): Promise<Record<string, unknown>> {
  const { config, outDir } = context;
  const model = await initialSftModel(config, outDir);
  try {
    const synthFile = join(outDir, 'synth', TRAJECTORIES_FILE);
    const data =
      config.sft.data === 'synth'
        ? () => readTrajectoriesJsonl(synthFile)
        : sceneTrajectorySource({
            families: config.scenes.families,
            sceneOptions: sceneOptions(config),
            // Past the synthesized pool: the stream is all fresh scenes.
            startSeed: config.synth.count,
            textOnlyShare: config.synth.textOnlyShare,
            randomSeed: config.seed,
          });
    const metricsFile = join(outDir, 'sft', 'metrics.jsonl');
    const result = await trainSft({
      model,
      data,
      steps: config.sft.steps,
      batchSize: config.sft.batchSize,
      learningRate: config.sft.learningRate,
      warmupRatio: config.sft.warmupRatio,
      minLearningRateRatio: config.sft.minLearningRateRatio,
      gradientClip: config.sft.gradientClip,
      workers: config.workers,
      checkpointDir: join(outDir, 'sft', 'checkpoints'),
      checkpointEvery: config.sft.checkpointEvery,
      metricsFile,
      progress: drawsBar(context),
      ...(context.signal && { signal: context.signal }),
      onEvent: (event) => {
        context.onTrainingEvent?.({ stage: 'sft', trainer: 'sft', event });
        if (event.type === 'step-end') {
          const { step, loss, ms } = event.metrics;
          logStep(context, 'sft', step, config.sft.steps, `loss ${loss.toFixed(4)} ${ms} ms`);
        }
        if (event.type === 'train-start' && event.resumedFrom) {
          context.log(`sft: resuming from step ${event.resumedFrom.step}`);
        }
      },
    });
    if (result.stopReason === 'aborted') throw new StageInterruptedError('sft');
    await saveCheckpoint(model, modelDirectory(outDir, 'sft'));
    // From the metrics file, so a resumed run reports the whole run, not its last process.
    const rows = await readSftMetrics(metricsFile);
    const tail = rows.slice(-10);
    return {
      steps: result.step,
      stopReason: result.stopReason,
      parameters: model.parameterCount(),
      finalLoss: tail.length ? tail.reduce((sum, row) => sum + row.loss, 0) / tail.length : null,
      skippedSequences: rows.reduce((sum, row) => sum + (row.skippedSequences ?? 0), 0),
    };
  } finally {
    model.dispose();
  }
}

export async function grpoStage(
  context: StageContext,
  variant: { stage: string; curiosity: boolean },
): Promise<Record<string, unknown>> {
  const { config, outDir } = context;
  const model = await loadCheckpoint(modelDirectory(outDir, 'sft'), {
    modelId: `tiny-vlm-${variant.stage}`,
  });
  const { curiosity } = config.grpo;
  const metricsFile = join(outDir, variant.stage, 'metrics.jsonl');
  try {
    const result = await trainGrpo({
      model,
      prompts: scenePrompts({
        ...sceneOptions(config),
        families: config.scenes.families,
        split: 'train',
        startSeed: GRPO_PROMPT_START_SEED,
      }),
      steps: config.grpo.steps,
      promptsPerStep: config.grpo.promptsPerStep,
      groupSize: config.grpo.groupSize,
      learningRate: config.grpo.learningRate,
      gradientClip: config.grpo.gradientClip,
      microBatch: config.grpo.microBatch,
      rolloutConcurrency: config.grpo.rolloutConcurrency,
      workers: config.workers,
      limits: {
        maxTokensPerTurn: config.grpo.maxTokensPerTurn,
        maxOperations: config.grpo.maxOperations,
      },
      filterZeroAdvantage: config.grpo.filterZeroAdvantage,
      selectiveSampleReplay: config.grpo.selectiveSampleReplay,
      reward: {
        // The ablation's "without curiosity" run drops the bonus and keeps everything else.
        alpha: variant.curiosity ? curiosity.alpha : 0,
        H: curiosity.H,
        beta: curiosity.beta,
        N: curiosity.N,
      },
      seed: config.seed,
      checkpointDir: join(outDir, variant.stage, 'checkpoints'),
      checkpointEvery: config.grpo.checkpointEvery,
      resume: true,
      metricsFile,
      progress: drawsBar(context),
      onEvent: (event) => {
        context.onTrainingEvent?.({ stage: variant.stage, trainer: 'grpo', event });
        if (event.type === 'step-end') {
          const { accuracy, rapr, ms } = event.metrics;
          logStep(
            context,
            variant.stage,
            event.step,
            config.grpo.steps,
            `accuracy ${accuracy.toFixed(3)} RaPR ${rapr.toFixed(3)} ${Math.round(ms)} ms`,
          );
        }
      },
      ...(context.signal && { signal: context.signal }),
    });
    if (result.stopReason === 'aborted') throw new StageInterruptedError(variant.stage);
    await saveCheckpoint(model, modelDirectory(outDir, variant.stage));
    // From the metrics file, so a resumed run reports the whole run, not its last process.
    const tail = (await readJsonLines<GrpoStepMetrics>(metricsFile)).slice(-5);
    const mean = (key: 'accuracy' | 'rapr' | 'meanShapedReward') =>
      tail.length ? tail.reduce((sum, row) => sum + row[key], 0) / tail.length : null;
    return {
      steps: result.step,
      stopReason: result.stopReason,
      curiosity: variant.curiosity,
      trainAccuracy: mean('accuracy'),
      trainRapr: mean('rapr'),
      meanShapedReward: mean('meanShapedReward'),
    };
  } finally {
    model.dispose();
  }
}

export async function evalStage(
  context: StageContext,
  modelStage: string,
  evalStageName: string,
  options: { modelDir?: string; profile?: string } = {},
): Promise<Record<string, unknown>> {
  const { config, outDir } = context;
  const model = await loadCheckpoint(options.modelDir ?? modelDirectory(outDir, modelStage));
  const workers = resolveWorkerCount(config.workers);
  const pool = workers > 0 ? await LocalModelPool.create({ model, workers }) : undefined;
  const dir = join(outDir, evalStageName);
  await mkdir(dir, { recursive: true });
  try {
    const { summary } = await runBenchmarks({
      model: pool ?? endTurnOnFullContext(model),
      ...(options.profile !== undefined && { profile: options.profile }),
      benchmarks: proceduralBenchmarks({
        parts: config.eval.parts,
        itemsPerFamily: config.eval.itemsPerFamily,
        sceneOptions: sceneOptions(config),
      }),
      outDir: dir,
      concurrency: Math.max(config.eval.concurrency, workers),
      limits: {
        maxTokensPerTurn: config.eval.maxTokensPerTurn,
        maxOperations: config.eval.maxOperations,
        maxTotalTokens: model.config.maxSequenceLength,
      },
      progress: context.progress ? 'auto' : false,
      ...(context.signal && { signal: context.signal }),
    });
    if (context.signal?.aborted) throw new StageInterruptedError(evalStageName);
    return { model: modelStage, summary: compactSummary(summary) };
  } finally {
    await pool?.close();
    model.dispose();
  }
}

/** The headline numbers per benchmark, for stage records and the final report. */
export interface BenchmarkNumbers {
  metric: string;
  value: number | null;
  rapr: number | null;
  operationErrorRate: number | null;
  n: number;
  failed: number;
}

export function compactSummary(summary: RunSummary): Record<string, BenchmarkNumbers> {
  const numbers: Record<string, BenchmarkNumbers> = {};
  for (const [name, entry] of Object.entries(summary)) {
    numbers[name] = {
      metric: entry.metric,
      value: (entry.metric === 'anls' ? entry.anls : entry.accuracy) ?? null,
      rapr: entry.rapr,
      operationErrorRate: entry.operationErrorRate,
      n: entry.n,
      failed: entry.failed,
    };
  }
  return numbers;
}
