import {
  cosineLearningRate,
  GradientWorkerPool,
  resolveWorkerCount,
  type TinyVLM,
} from '@pixel-reasoner/model-runtime/local';
import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import { ClippedAdam } from './adam.js';
import {
  latestSftCheckpoint,
  restoreSftCheckpoint,
  SFT_STATE_FORMAT,
  SFT_STATE_FORMAT_VERSION,
  type SftCheckpointInfo,
  type SftTrainerState,
  saveSftCheckpoint,
} from './checkpoints.js';
import {
  type SftData,
  type SourceItem,
  sceneTrajectorySource,
  toTrajectorySource,
} from './data.js';
import { type EncodedTrainingChat, encodeTrajectory } from './encode.js';
import { InvalidSftOptionError, NoTrainingDataError } from './errors.js';
import { MetricsLog, type SftStepMetrics } from './metrics.js';
import { validateSchedule } from './schedule.js';

export type SftEvent =
  | { type: 'train-start'; step: number; totalSteps: number; resumedFrom?: SftCheckpointInfo }
  | { type: 'step-end'; metrics: SftStepMetrics }
  | { type: 'checkpoint-save'; checkpoint: SftCheckpointInfo }
  | { type: 'sequence-skip'; trajectoryId: string; tokens: number; maxSequenceLength: number }
  | { type: 'train-end'; step: number; stopReason: SftStopReason };

export type SftStopReason = 'completed' | 'aborted' | 'data-exhausted';

export interface TrainSftOptions {
  model: TinyVLM;
  /** Default: fresh trajectories from procedural train-split scenes (`sceneTrajectorySource()`). */
  data?: SftData;
  /** Optimizer steps of the whole run (a resumed run continues up to this). */
  steps: number;
  /** Trajectories per step (default 4). */
  batchSize?: number;
  /** Peak learning rate (default 1e-3; the reference's 1e-6 is for a pretrained 7B model). */
  learningRate?: number;
  /** Linear warm-up share of the steps (default 0.1, the reference SFT's). */
  warmupRatio?: number;
  /** Cosine floor as a share of the peak (default 0.1). */
  minLearningRateRatio?: number;
  /** Adam betas (default [0.9, 0.95], the reference's). */
  betas?: readonly [number, number];
  epsilon?: number;
  /** Global-norm clip (default 1.0; 0 disables). */
  gradientClip?: number;
  /**
   * Weight of the model's auxiliary image-head losses where the data labels image tokens
   * (perception pretraining; default 1). See TinyVLM's `auxiliaryHeads`.
   */
  auxiliaryWeight?: number;
  /**
   * Worker threads that compute gradients data-parallel, each on its own tfjs backend (`auto`:
   * one per core; default 0: in this thread). The update is the same for any count, up to
   * float summation order.
   */
  workers?: number | 'auto';
  /** Where checkpoints go; without it nothing is written and nothing resumes. */
  checkpointDir?: string;
  /** Save every N steps (default 0: only at the end or on abort). */
  checkpointEvery?: number;
  /** Checkpoints kept (default 2). */
  keepCheckpoints?: number;
  /** Continue from the newest checkpoint in `checkpointDir` (default true). */
  resume?: boolean;
  /** JSONL with one `SftStepMetrics` per step. */
  metricsFile?: string;
  onEvent?: (event: SftEvent) => void;
  /** Stops after the current step and saves a checkpoint. */
  signal?: AbortSignal;
  /** A progress bar on stderr; `auto` (default) shows it when stderr is a terminal. */
  progress?: boolean | 'auto';
  /** Clock for step timings (default `performance.now`). */
  now?: () => number;
}

export interface TrainSftResult {
  /** Steps completed (including those of earlier runs). */
  step: number;
  stopReason: SftStopReason;
  /** Metrics of the steps run by this call. */
  metrics: SftStepMetrics[];
  /** The last checkpoint written, if any. */
  checkpoint?: SftCheckpointInfo;
  /** The checkpoint this run resumed from. */
  resumedFrom?: SftCheckpointInfo;
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new InvalidSftOptionError(name, `must be a positive integer, got ${value}`);
  }
  return value;
}

function inUnitInterval(name: string, value: number): number {
  if (!(value >= 0 && value < 1))
    throw new InvalidSftOptionError(name, `must be in [0, 1), got ${value}`);
  return value;
}

/**
 * Warm-start instruction tuning (the paper's SFT stage) of a TinyVLM: token-mean −log p over the
 * trained turns, Adam with global-norm clipping on a warm-up + cosine schedule, atomic checkpoints
 * that resume exactly (weights, moments, step, data cursor), metrics JSONL and a progress bar.
 * Import `@pixel-reasoner/model-runtime/local` first so the model's gradients are registered.
 */
export async function trainSft(options: TrainSftOptions): Promise<TrainSftResult> {
  const { model } = options;
  const totalSteps = positiveInteger('steps', options.steps);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 4);
  const schedule = {
    peak: options.learningRate ?? 1e-3,
    totalSteps,
    warmupRatio: options.warmupRatio ?? 0.1,
    minRatio: options.minLearningRateRatio ?? 0.1,
  };
  validateSchedule(schedule);
  const [beta1, beta2] = options.betas ?? [0.9, 0.95];
  inUnitInterval('betas[0]', beta1);
  inUnitInterval('betas[1]', beta2);
  const epsilon = options.epsilon ?? 1e-8;
  if (!(epsilon > 0))
    throw new InvalidSftOptionError('epsilon', `must be positive, got ${epsilon}`);
  const gradientClip = options.gradientClip ?? 1;
  if (!(gradientClip >= 0)) {
    throw new InvalidSftOptionError('gradientClip', `must be ≥ 0, got ${gradientClip}`);
  }
  const checkpointEvery = options.checkpointEvery ?? 0;
  if (!(Number.isInteger(checkpointEvery) && checkpointEvery >= 0)) {
    throw new InvalidSftOptionError(
      'checkpointEvery',
      `must be a non-negative integer, got ${checkpointEvery}`,
    );
  }
  const keep = positiveInteger('keepCheckpoints', options.keepCheckpoints ?? 2);
  const auxiliaryWeight = options.auxiliaryWeight ?? 1;
  const workers = resolveWorkerCount(options.workers ?? 0);
  if (!(auxiliaryWeight >= 0)) {
    throw new InvalidSftOptionError('auxiliaryWeight', `must be ≥ 0, got ${auxiliaryWeight}`);
  }
  const now = options.now ?? (() => performance.now());
  const emit = (event: SftEvent) => options.onEvent?.(event);

  const optimizer = new ClippedAdam(model.parameters, { beta1, beta2, epsilon, gradientClip });
  try {
    let step = 0;
    let cursor = 0;
    let trainableTokensSeen = 0;
    let resumedFrom: SftCheckpointInfo | undefined;
    if (options.checkpointDir !== undefined && options.resume !== false) {
      resumedFrom = await latestSftCheckpoint(options.checkpointDir);
      if (resumedFrom !== undefined) {
        const state = await restoreSftCheckpoint({ checkpoint: resumedFrom, model, optimizer });
        step = state.step;
        cursor = state.cursor;
        trainableTokensSeen = state.trainableTokens;
      }
    }
    const metricsLog = await MetricsLog.open(options.metricsFile, step);
    emit({ type: 'train-start', step, totalSteps, ...(resumedFrom && { resumedFrom }) });

    let lastCheckpoint: SftCheckpointInfo | undefined;
    const save = async () => {
      if (options.checkpointDir === undefined) return;
      if (lastCheckpoint?.step === step || (resumedFrom?.step === step && !lastCheckpoint)) return;
      const state: SftTrainerState = {
        format: SFT_STATE_FORMAT,
        formatVersion: SFT_STATE_FORMAT_VERSION,
        step,
        cursor,
        adamUpdates: optimizer.updates,
        trainableTokens: trainableTokensSeen,
        totalSteps,
      };
      lastCheckpoint = await saveSftCheckpoint({
        checkpointDir: options.checkpointDir,
        model,
        optimizer,
        state,
        keep,
      });
      emit({ type: 'checkpoint-save', checkpoint: lastCheckpoint });
    };

    const showBar =
      options.progress === true || (options.progress !== false && process.stderr.isTTY === true);
    const bar = showBar
      ? new cliProgress.SingleBar(
          {
            format: 'SFT {bar} {value}/{total} | loss {loss} | lr {lr} | eta {eta_formatted}',
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    bar?.start(totalSteps, step, { loss: '–', lr: '–' });

    const source = toTrajectorySource(options.data ?? sceneTrajectorySource());
    const iterator = source.open(cursor)[Symbol.asyncIterator]();
    const metrics: SftStepMetrics[] = [];
    let stopReason: SftStopReason = 'completed';
    let everHadData = step > 0;
    // The next batch is read and encoded while the workers compute the current one.
    const collect = async () => {
      const batch: EncodedTrainingChat[] = [];
      let batchCursor: number | undefined;
      let skippedInARow = 0;
      let skipped = 0;
      const started = now();
      while (batch.length < batchSize) {
        const next: IteratorResult<SourceItem> = await iterator.next();
        if (next.done) break;
        everHadData = true;
        batchCursor = next.value.next;
        const encoded = await encodeTrajectory(model, next.value.trajectory);
        if (encoded.tokenIds.length > model.config.maxSequenceLength) {
          emit({
            type: 'sequence-skip',
            trajectoryId: next.value.trajectory.id,
            tokens: encoded.tokenIds.length,
            maxSequenceLength: model.config.maxSequenceLength,
          });
          skippedInARow += 1;
          skipped += 1;
          if (skippedInARow >= 50 * batchSize) {
            throw new NoTrainingDataError(
              `${skippedInARow} trajectories in a row exceed maxSequenceLength ${model.config.maxSequenceLength} (last: ${encoded.tokenIds.length} tokens); raise it or shorten the data`,
            );
          }
          continue;
        }
        skippedInARow = 0;
        batch.push(encoded);
      }
      return { batch, batchCursor, skipped, dataMs: now() - started };
    };
    const compute = async (batch: EncodedTrainingChat[]) => {
      if (pool !== undefined) return pool.compute(batch, { auxiliaryWeight });
      const { value, grads } = tf.variableGrads(
        () => model.loss(batch, { auxiliaryWeight }),
        model.trainableVariables(),
      );
      const gradients = new Map<string, tf.Tensor>();
      for (const [name, variable] of model.parameters) {
        const gradient = grads[variable.name];
        if (gradient !== undefined) gradients.set(name, gradient);
      }
      const loss = (await value.data())[0]!;
      value.dispose();
      return { loss, gradients };
    };
    const pool = workers > 0 ? await GradientWorkerPool.create({ model, workers }) : undefined;
    try {
      let upcoming: ReturnType<typeof collect> | undefined;
      while (step < totalSteps) {
        if (options.signal?.aborted) {
          stopReason = 'aborted';
          break;
        }
        const started = now();
        const { batch, batchCursor, skipped, dataMs } = await (upcoming ?? collect());
        upcoming = undefined;
        if (batch.length === 0) {
          if (!everHadData) throw new NoTrainingDataError('the data source yielded no trajectory');
          stopReason = 'data-exhausted';
          break;
        }
        const learningRate = cosineLearningRate(step, schedule);
        const computing = compute(batch);
        if (pool !== undefined && step + 1 < totalSteps) {
          upcoming = collect();
          upcoming.catch(() => {});
        }
        const { loss, gradients } = await computing;
        const gradientNorm = optimizer.apply(gradients, learningRate);
        tf.dispose([...gradients.values()]);
        step += 1;
        cursor = batchCursor ?? cursor;
        const trainableTokens = batch.reduce(
          (sum, sequence) => sum + sequence.lossMask.reduce((count, flag) => count + flag, 0),
          0,
        );
        trainableTokensSeen += trainableTokens;
        const row: SftStepMetrics = {
          step,
          loss,
          learningRate,
          gradientNorm,
          sequences: batch.length,
          tokens: batch.reduce((sum, sequence) => sum + sequence.tokenIds.length, 0),
          trainableTokens,
          ms: Math.round(now() - started),
          dataMs: Math.round(dataMs),
          skippedSequences: skipped,
          cursor,
        };
        metrics.push(row);
        await metricsLog.append(row);
        bar?.update(step, { loss: loss.toFixed(4), lr: learningRate.toExponential(2) });
        emit({ type: 'step-end', metrics: row });
        if (checkpointEvery > 0 && step % checkpointEvery === 0) await save();
      }
      await save();
    } finally {
      bar?.stop();
      await pool?.close();
      await iterator.return?.();
    }
    emit({ type: 'train-end', step, stopReason });
    return {
      step,
      stopReason,
      metrics,
      ...(lastCheckpoint !== undefined && { checkpoint: lastCheckpoint }),
      ...(resumedFrom !== undefined && { resumedFrom }),
    };
  } finally {
    optimizer.dispose();
  }
}
