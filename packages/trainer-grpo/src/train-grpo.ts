import {
  type EpisodeLimits,
  type EpisodeResult,
  type EpisodeSampling,
  type PromptProfile,
  pixelReasonerV1Profile,
  REFERENCE_TRAIN_SAMPLING,
} from '@pixel-reasoner/model-runtime';
import {
  type AdamOptions,
  endTurnOnFullContext,
  InvalidOptimizerOptionError,
  LocalModelPool,
  NamedAdam,
  resolveWorkerCount,
  type TinyVLM,
} from '@pixel-reasoner/model-runtime/local';
import { type ExecuteToolOptions, REFERENCE_TRAIN_OPTIONS } from '@pixel-reasoner/visual-ops';
import * as tf from '@tensorflow/tfjs-core';
import { InvalidGrpoOptionError } from './errors.js';
import {
  type GrpoRewardOptions,
  type ScoredGroup,
  validateRewardOptions,
} from './group-rewards.js';
import { JsonlMetricsFile } from './metrics-file.js';
import { type ClipRange, REFERENCE_CLIP, REFERENCE_LOSS_CLAMP_THRESHOLD } from './policy-loss.js';
import { type PolicyUpdateResult, policyUpdate, recomputeOldLogProbs } from './policy-update.js';
import { createStepProgress } from './progress-bar.js';
import { type PromptItem, type PromptSource, scenePrompts, validatePrompt } from './prompts.js';
import { TrainerRandom } from './random.js';
import { filterZeroAdvantage, SelectiveSampleReplay } from './replay.js';
import { rolloutGroups } from './rollouts.js';
import { type LearningRateSchedule, learningRateAt } from './schedule.js';
import {
  latestTrainerCheckpoint,
  loadTrainerCheckpoint,
  saveTrainerCheckpoint,
} from './trainer-checkpoint.js';
import { buildTrainingSample, type TrainingSample } from './training-sample.js';

/** Default peak learning rate for a TinyVLM (the reference's 1e-6 is for a 7B model). */
export const DEFAULT_GRPO_LEARNING_RATE = 1e-4;

export interface TrainGrpoOptions {
  /** The policy; trained in place. Import `@pixel-reasoner/model-runtime/local` first (gradients). */
  model: TinyVLM;
  /** Default: fresh procedural train-split scenes (`scenePrompts()`). */
  prompts?: PromptSource;
  /** Rollouts per prompt (default 8, as the reference). */
  groupSize?: number;
  /** Prompts per GRPO step (default 4). */
  promptsPerStep?: number;
  /** GRPO steps to reach (a resumed run continues up to this total). */
  steps: number;
  /** Default `pixelReasonerV1Profile`. */
  profile?: PromptProfile;
  /** Default the reference's training sampling (T 1.0 then 0.9, top-p 0.95, top-k 40). */
  sampling?: Omit<EpisodeSampling, 'seed' | 'logprobs'>;
  /** Episode limits; `maxTotalTokens` defaults to the model's context length. */
  limits?: EpisodeLimits;
  /** Visual-operation settings (default visual-ops' `REFERENCE_TRAIN_OPTIONS`). */
  toolOptions?: ExecuteToolOptions;
  reward?: GrpoRewardOptions;
  /** Drop uniform groups and refill by repetition (default true). */
  filterZeroAdvantage?: boolean;
  /** Selective Sample Replay (default off); `capacity` defaults to the buffer size. */
  selectiveSampleReplay?: boolean | { capacity?: number };
  /** Default ε_low 0.2, ε_high 0.35. */
  clip?: Partial<ClipRange>;
  /** Micro-batch losses above this are clamped (default 10). */
  clampThreshold?: number;
  /** A peak (cosine schedule with 3% warm-up, min 0.5×) or a full schedule. */
  learningRate?: number | LearningRateSchedule;
  /** Adam betas/epsilon (default 0.9, 0.95, 1e-8). */
  adam?: AdamOptions;
  /** Max global gradient norm (default 1.0). */
  gradientClip?: number;
  /** Passes over each step's buffer (default 1). */
  ppoEpochs?: number;
  /** Sequences per optimizer update (default: the whole buffer, one update per epoch). */
  trainBatchSize?: number;
  /** Sequences per forward/backward pass (default 4). */
  microBatch?: number;
  /**
   * `'sampled'` (default): π_old is the log-probability recorded while sampling each token;
   * `'recompute'`: score every rollout with the policy before updating.
   */
  oldLogProbs?: 'sampled' | 'recompute';
  /** Episodes generated concurrently (default 2). */
  rolloutConcurrency?: number;
  /**
   * Worker threads that generate the rollouts, each with a replica of the policy synced before
   * every step (`auto`: one per core; default 0: in this thread). Run rollout concurrency ≥
   * workers to keep them busy.
   */
  workers?: number | 'auto';
  /** Seed of rollouts, shuffles and replay draws (default 0). */
  seed?: number;
  /** Where `step-XXXXXXXX` checkpoints go. */
  checkpointDir?: string;
  /** Save every this many steps (default: only after the last step). */
  checkpointEvery?: number;
  /** Checkpoints kept (default 2). */
  keepCheckpoints?: number;
  /** `true`: continue from the newest checkpoint in `checkpointDir` if any; a path: from that one. */
  resume?: boolean | string;
  /** JSONL file of per-step metrics. */
  metricsFile?: string;
  onEvent?: (event: GrpoEvent) => void;
  signal?: AbortSignal;
  /** Progress bar on stderr (default: when stderr is a TTY). */
  progress?: boolean;
}

export interface GrpoStepMetrics {
  step: number;
  prompts: number;
  episodes: number;
  failedEpisodes: number;
  /** Mean correctness reward r. */
  meanRawReward: number;
  /** Share of episodes answered correctly. */
  accuracy: number;
  /** Mean over groups of RaPR (under the reward form's operation count). */
  rapr: number;
  /** Mean operations attempted per episode (the reference's ncall). */
  meanOperations: number;
  meanValidOperations: number;
  meanCuriosityBonus: number;
  meanEfficiencyPenalty: number;
  /** Mean shaped reward r'. */
  meanShapedReward: number;
  /** Share of groups dropped as uniform (MAD < tolerance). */
  filteredGroupShare: number;
  /** Sequences in the trained buffer (0 when every group was uniform). */
  sequencesTrained: number;
  tokensTrained: number;
  replaySize: number;
  meanResponseTokens: number;
  /** Assistant turns whose sampled ids differ from re-tokenising their text. */
  retokenizedTurns: number;
  truncatedTokens: number;
  /** Turns cut at a sampled image/video pad token (cannot be re-scored). */
  padTokenTurns: number;
  /** Mean micro-batch loss of the step's updates (0 without updates). */
  loss: number;
  clipFraction: number;
  meanRatio: number;
  /** Mean |logπ_θ − logπ_old| in the step's first update (sampler vs trainer agreement). */
  logProbMismatch: number;
  gradientNorm: number;
  learningRate: number;
  updates: number;
  clampedMicroBatches: number;
  rolloutMs: number;
  updateMs: number;
  ms: number;
  rolloutsPerSecond: number;
  numTensors: number;
}

export type GrpoEvent =
  | {
      type: 'rollout-end';
      step: number;
      prompts: PromptItem[];
      episodes: EpisodeResult[][];
      groups: ScoredGroup[];
      ms: number;
    }
  | { type: 'step-end'; step: number; metrics: GrpoStepMetrics }
  | { type: 'checkpoint-save'; step: number; path: string };

export interface GrpoResult {
  /** Steps completed in total (including those before a resume). */
  step: number;
  /** Metrics of the steps run by this call. */
  metrics: GrpoStepMetrics[];
  lastCheckpoint?: string;
  stopReason: 'completed' | 'aborted' | 'prompts-exhausted';
}

function requireInteger(name: string, value: number, minimum: number): void {
  if (!(Number.isInteger(value) && value >= minimum)) {
    throw new InvalidGrpoOptionError(`${name} must be an integer ≥ ${minimum}, got ${value}`);
  }
}

/** Pulls prompts from a source, counting how many were consumed. */
class PromptReader {
  cursor: number;
  private iterator: AsyncIterator<PromptItem> | Iterator<PromptItem> | undefined;
  private readonly skip: number;

  constructor(
    private readonly source: PromptSource,
    cursor: number,
  ) {
    this.cursor = cursor;
    this.skip = typeof source === 'function' ? 0 : cursor;
  }

  async take(count: number): Promise<PromptItem[]> {
    if (this.iterator === undefined) {
      const iterable =
        typeof this.source === 'function' ? this.source({ cursor: this.cursor }) : this.source;
      this.iterator =
        Symbol.asyncIterator in iterable
          ? (iterable as AsyncIterable<PromptItem>)[Symbol.asyncIterator]()
          : (iterable as Iterable<PromptItem>)[Symbol.iterator]();
      for (let skipped = 0; skipped < this.skip; skipped += 1) {
        if ((await this.iterator.next()).done) break;
      }
    }
    const items: PromptItem[] = [];
    while (items.length < count) {
      const next = await this.iterator.next();
      if (next.done) break;
      validatePrompt(next.value, this.cursor);
      items.push(next.value);
      this.cursor += 1;
    }
    return items;
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** model-runtime's Adam, with its option errors re-labelled as `adam.<option>` of `trainGrpo`. */
function createOptimizer(adam: AdamOptions | undefined): NamedAdam {
  try {
    return new NamedAdam(adam);
  } catch (error) {
    // The shared code was imported from the same install as the error class, so instanceof holds.
    if (!(error instanceof InvalidOptimizerOptionError)) throw error;
    throw new InvalidGrpoOptionError(`adam.${error.option} ${error.problem}`);
  }
}

/**
 * Curiosity-driven GRPO (Pixel Reasoner §RL) on a local TinyVLM. Each step: draw prompts, roll out
 * `groupSize` episodes per prompt with real visual operations, score them (correctness, curiosity
 * bonus, efficiency penalty), centre the shaped rewards per group, drop uniform groups and refill
 * (or compose with Selective Sample Replay), then update the policy with the asymmetric clipped
 * surrogate on the sampled tokens (token-level mean, no KL, no entropy).
 */
export async function trainGrpo(options: TrainGrpoOptions): Promise<GrpoResult> {
  const { model, signal } = options;
  const groupSize = options.groupSize ?? 8;
  const promptsPerStep = options.promptsPerStep ?? 4;
  const ppoEpochs = options.ppoEpochs ?? 1;
  const microBatch = options.microBatch ?? 4;
  const gradientClip = options.gradientClip ?? 1;
  const seed = options.seed ?? 0;
  requireInteger('steps', options.steps, 0);
  requireInteger('groupSize', groupSize, 1);
  requireInteger('promptsPerStep', promptsPerStep, 1);
  requireInteger('ppoEpochs', ppoEpochs, 1);
  requireInteger('microBatch', microBatch, 1);
  requireInteger('seed', seed, 0);
  if (options.trainBatchSize !== undefined) {
    requireInteger('trainBatchSize', options.trainBatchSize, 1);
  }
  if (options.checkpointEvery !== undefined) {
    requireInteger('checkpointEvery', options.checkpointEvery, 1);
  }
  if (!(gradientClip > 0)) {
    throw new InvalidGrpoOptionError(`gradientClip must be > 0, got ${gradientClip}`);
  }
  if (options.resume && options.checkpointDir === undefined && typeof options.resume !== 'string') {
    throw new InvalidGrpoOptionError('resume: true needs checkpointDir');
  }
  const oldLogProbMode = options.oldLogProbs ?? 'sampled';
  if (oldLogProbMode !== 'sampled' && oldLogProbMode !== 'recompute') {
    throw new InvalidGrpoOptionError(
      `oldLogProbs must be 'sampled' or 'recompute', got ${String(oldLogProbMode)}`,
    );
  }
  const reward = options.reward ?? {};
  validateRewardOptions(reward);
  const clip: ClipRange = { ...REFERENCE_CLIP, ...options.clip };
  const clampThreshold = options.clampThreshold ?? REFERENCE_LOSS_CLAMP_THRESHOLD;
  const schedule: LearningRateSchedule =
    typeof options.learningRate === 'number'
      ? { peak: options.learningRate }
      : (options.learningRate ?? { peak: DEFAULT_GRPO_LEARNING_RATE });
  learningRateAt(schedule, 0, 1);
  const bufferSize = groupSize * promptsPerStep;
  const trainBatchSize = options.trainBatchSize ?? bufferSize;
  const updatesPerStep = ppoEpochs * Math.ceil(bufferSize / trainBatchSize);
  const totalUpdates = Math.max(1, options.steps * updatesPerStep);
  const sampling: Omit<EpisodeSampling, 'seed' | 'logprobs'> =
    options.sampling ?? REFERENCE_TRAIN_SAMPLING;
  const limits: EpisodeLimits = {
    maxTotalTokens: model.config.maxSequenceLength,
    ...options.limits,
  };
  const ssrOption = options.selectiveSampleReplay;
  const replay = ssrOption
    ? new SelectiveSampleReplay<TrainingSample>({
        capacity: (typeof ssrOption === 'object' ? ssrOption.capacity : undefined) ?? bufferSize,
        advantageOf: (sample) => sample.advantage,
      })
    : undefined;

  const optimizer = createOptimizer(options.adam);
  let random = new TrainerRandom(seed);
  let step = 0;
  let promptCursor = 0;
  let lastCheckpoint: string | undefined;
  if (options.resume) {
    const path =
      typeof options.resume === 'string'
        ? ((await latestTrainerCheckpoint(options.resume)) ?? options.resume)
        : await latestTrainerCheckpoint(options.checkpointDir!);
    if (path !== undefined) {
      const restored = await loadTrainerCheckpoint({ path, model, optimizer });
      step = restored.step;
      promptCursor = restored.promptCursor;
      random = TrainerRandom.fromState(restored.randomState);
      replay?.restore(restored.replay);
      lastCheckpoint = path;
    }
  }
  const metricsFile =
    options.metricsFile !== undefined ? new JsonlMetricsFile(options.metricsFile) : undefined;
  await metricsFile?.open(step);
  const reader = new PromptReader(options.prompts ?? scenePrompts(), promptCursor);
  const guarded = endTurnOnFullContext(model);
  // Rollouts on worker replicas when asked; their weights follow every update.
  const rolloutWorkers = resolveWorkerCount(options.workers ?? 0);
  const pool =
    rolloutWorkers > 0
      ? await LocalModelPool.create({ model, workers: rolloutWorkers })
      : undefined;
  const progress = createStepProgress({
    enabled: options.progress,
    total: options.steps,
    start: step,
  });
  const allMetrics: GrpoStepMetrics[] = [];
  let stopReason: GrpoResult['stopReason'] = 'completed';

  const save = async () => {
    if (options.checkpointDir === undefined) return;
    lastCheckpoint = await saveTrainerCheckpoint({
      directory: options.checkpointDir,
      model,
      optimizer,
      progress: { step, randomState: random.state, promptCursor: reader.cursor },
      replay: replay?.items ?? [],
      ...(options.keepCheckpoints !== undefined ? { keep: options.keepCheckpoints } : {}),
    });
    options.onEvent?.({ type: 'checkpoint-save', step, path: lastCheckpoint });
  };

  try {
    while (step < options.steps) {
      if (signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const started = performance.now();
      const prompts = await reader.take(promptsPerStep);
      if (prompts.length === 0) {
        stopReason = 'prompts-exhausted';
        break;
      }
      await pool?.syncWeights();
      const rollout = await rolloutGroups({
        model: pool ?? guarded,
        prompts,
        groupSize,
        random,
        sampling,
        profile: options.profile ?? pixelReasonerV1Profile,
        limits,
        toolOptions: options.toolOptions ?? REFERENCE_TRAIN_OPTIONS,
        concurrency: options.rolloutConcurrency ?? 2,
        reward,
        ...(signal ? { signal } : {}),
      });
      if (signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const { groups, failures } = rollout;
      const groupPrompts = rollout.prompts;
      const groupEpisodes = rollout.episodes;
      const rolloutMs = performance.now() - started;
      options.onEvent?.({
        type: 'rollout-end',
        step: step + 1,
        prompts: groupPrompts,
        episodes: groupEpisodes,
        groups,
        ms: rolloutMs,
      });

      const updateStarted = performance.now();
      const sampleGroups = await Promise.all(
        groups.map(async (group, groupIndex) => ({
          uniform: group.uniform,
          items: await Promise.all(
            groupEpisodes[groupIndex]!.map((episode, member) =>
              buildTrainingSample(model, episode, {
                advantage: group.episodes[member]!.advantage,
                ...(groupPrompts[groupIndex]!.id !== undefined
                  ? { promptId: groupPrompts[groupIndex]!.id }
                  : {}),
              }),
            ),
          ),
        })),
      );
      const allSamples = sampleGroups.flatMap((group) => group.items);
      const filtered = filterZeroAdvantage(sampleGroups, random, {
        enabled: replay !== undefined ? true : options.filterZeroAdvantage !== false,
      });
      const buffer = replay
        ? replay.compose(filtered.informative, allSamples.length, random)
        : filtered.buffer;
      const fresh = new Set(allSamples);
      recomputeOldLogProbs(
        model,
        [...new Set(buffer)].filter((sample) => fresh.has(sample)),
        {
          microBatch,
          all: oldLogProbMode === 'recompute',
        },
      );

      const updates: (PolicyUpdateResult & { learningRate: number })[] = [];
      if (buffer.length > 0) {
        for (let epoch = 0; epoch < ppoEpochs; epoch += 1) {
          const order = random.shuffle([...buffer]);
          for (let start = 0; start < order.length; start += trainBatchSize) {
            const learningRate = learningRateAt(schedule, optimizer.updateCount, totalUpdates);
            const result = policyUpdate(
              model,
              optimizer,
              order.slice(start, start + trainBatchSize),
              {
                microBatch,
                clip,
                clampThreshold,
                gradientClip,
                learningRate,
              },
            );
            updates.push({ ...result, learningRate });
          }
        }
      }
      step += 1;
      const updateMs = performance.now() - updateStarted;
      const ms = performance.now() - started;
      const scored = groups.flatMap((group) => group.episodes);
      const episodes = groupEpisodes.flat();
      const updateTokens = updates.reduce((sum, update) => sum + update.tokens, 0);
      const metrics: GrpoStepMetrics = {
        step,
        prompts: prompts.length,
        episodes: episodes.length,
        failedEpisodes: failures.length,
        meanRawReward: mean(scored.map((episode) => episode.correctness)),
        accuracy: mean(scored.map((episode) => (episode.correct ? 1 : 0))),
        rapr: mean(groups.map((group) => group.pixelReasoningRate)),
        meanOperations: mean(scored.map((episode) => episode.attemptedOperations)),
        meanValidOperations: mean(scored.map((episode) => episode.validOperations)),
        meanCuriosityBonus: mean(scored.map((episode) => episode.curiosityBonus)),
        meanEfficiencyPenalty: mean(scored.map((episode) => episode.efficiencyPenalty)),
        meanShapedReward: mean(scored.map((episode) => episode.shapedReward)),
        filteredGroupShare: filtered.filteredGroupShare,
        sequencesTrained: buffer.length,
        tokensTrained: updateTokens,
        replaySize: replay?.items.length ?? 0,
        meanResponseTokens: mean(episodes.map((episode) => episode.usage.outputTokens)),
        retokenizedTurns: allSamples.reduce((sum, sample) => sum + sample.retokenizedTurns, 0),
        truncatedTokens: allSamples.reduce((sum, sample) => sum + sample.truncatedTokens, 0),
        padTokenTurns: allSamples.reduce((sum, sample) => sum + sample.padTokenTurns, 0),
        loss: mean(updates.map((update) => update.loss)),
        clipFraction:
          updateTokens > 0
            ? updates.reduce((sum, update) => sum + update.clipFraction * update.tokens, 0) /
              updateTokens
            : 0,
        meanRatio:
          updateTokens > 0
            ? updates.reduce((sum, update) => sum + update.meanRatio * update.tokens, 0) /
              updateTokens
            : 1,
        logProbMismatch: updates[0]?.meanAbsLogRatio ?? 0,
        gradientNorm: mean(updates.map((update) => update.gradientNorm)),
        learningRate: updates.at(-1)?.learningRate ?? 0,
        updates: updates.length,
        clampedMicroBatches: updates.reduce((sum, update) => sum + update.clampedMicroBatches, 0),
        rolloutMs,
        updateMs,
        ms,
        rolloutsPerSecond: rolloutMs > 0 ? (episodes.length * 1000) / rolloutMs : 0,
        numTensors: tf.memory().numTensors,
      };
      allMetrics.push(metrics);
      await metricsFile?.append({ ...metrics });
      progress?.update(step, { reward: metrics.meanRawReward, accuracy: metrics.accuracy, ms });
      options.onEvent?.({ type: 'step-end', step, metrics });
      const every = options.checkpointEvery;
      if ((every !== undefined && step % every === 0) || step === options.steps) await save();
    }
  } finally {
    progress?.stop();
    optimizer.dispose();
    await pool?.close();
  }
  return {
    step,
    metrics: allMetrics,
    ...(lastCheckpoint !== undefined ? { lastCheckpoint } : {}),
    stopReason,
  };
}
