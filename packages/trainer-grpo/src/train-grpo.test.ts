import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend, type TinyVLM } from '@pixel-reasoner/model-runtime/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidGrpoOptionError } from './errors.js';
import { scenePrompts } from './prompts.js';
import { letterPrompts, tinyModel, tinyProfile, warmStart } from './test-helpers/tiny-setup.js';
import {
  type GrpoEvent,
  type GrpoStepMetrics,
  type TrainGrpoOptions,
  trainGrpo,
} from './train-grpo.js';

let scratch: string;
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  scratch = await mkdtemp(join(tmpdir(), 'trainer-grpo-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const base = (model: TinyVLM): TrainGrpoOptions => ({
  model,
  prompts: letterPrompts('B'),
  profile: tinyProfile,
  groupSize: 4,
  promptsPerStep: 2,
  steps: 6,
  learningRate: { peak: 1e-2, warmupRatio: 0 },
  limits: { maxTokensPerTurn: 8 },
  microBatch: 4,
  seed: 1,
  progress: false,
});

async function weights(model: TinyVLM): Promise<number[]> {
  const out: number[] = [];
  for (const variable of model.parameters.values()) out.push(...(await variable.data()));
  return out;
}

const withoutTimes = (metrics: GrpoStepMetrics) => {
  const { ms, rolloutMs, updateMs, rolloutsPerSecond, numTensors, ...rest } = metrics;
  return rest;
};

describe('trainGrpo', () => {
  it('raises the mean reward when the answer is always B (seeded, deterministic)', async () => {
    const model = tinyModel();
    await warmStart(model);
    const result = await trainGrpo({ ...base(model), steps: 8 });
    const rewards = result.metrics.map((metrics) => metrics.meanRawReward);
    const early = (rewards[0]! + rewards[1]!) / 2;
    const late = (rewards[5]! + rewards[6]! + rewards[7]!) / 3;
    expect(result.step).toBe(8);
    expect(result.stopReason).toBe('completed');
    expect(late).toBeGreaterThan(early + 0.3);
    expect(late).toBeGreaterThan(0.6);
    for (const metrics of result.metrics) {
      for (const [key, value] of Object.entries(metrics)) {
        expect(Number.isFinite(value), key).toBe(true);
      }
      // The trainer reproduces the sampler's log-probs on the sampled ids.
      expect(metrics.logProbMismatch).toBeLessThan(1e-3);
      expect(metrics.retokenizedTurns).toBeGreaterThanOrEqual(0);
    }
    // Memory stays flat: no tensors leak from step to step.
    const counts = result.metrics.map((metrics) => metrics.numTensors);
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();

    const again = tinyModel();
    await warmStart(again);
    const repeat = await trainGrpo({ ...base(again), steps: 8 });
    expect(repeat.metrics.map((metrics) => metrics.meanRawReward)).toEqual(rewards);
    again.dispose();

    // Rollouts on two worker replicas (synced every step) sample exactly what one thread does.
    const pooled = tinyModel();
    await warmStart(pooled);
    const parallel = await trainGrpo({
      ...base(pooled),
      steps: 8,
      workers: 2,
      rolloutConcurrency: 2,
    });
    expect(parallel.metrics.map(withoutTimes)).toEqual(result.metrics.map(withoutTimes));
    pooled.dispose();
  });

  it('resumes exactly from a checkpoint, Selective Sample Replay included', async () => {
    const options = (model: TinyVLM, directory: string): TrainGrpoOptions => ({
      ...base(model),
      steps: 4,
      selectiveSampleReplay: true,
      checkpointDir: directory,
      checkpointEvery: 2,
      metricsFile: join(directory, 'metrics.jsonl'),
    });
    const straightDir = join(scratch, 'straight');
    const straightModel = tinyModel();
    await warmStart(straightModel, 20);
    const straight = await trainGrpo(options(straightModel, straightDir));

    const resumedDir = join(scratch, 'resumed');
    const firstModel = tinyModel();
    await warmStart(firstModel, 20);
    // The same run, interrupted after its step-2 checkpoint (same `steps`, so the same schedule).
    const events: GrpoEvent['type'][] = [];
    const controller = new AbortController();
    const first = await trainGrpo({
      ...options(firstModel, resumedDir),
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event.type);
        if (event.type === 'checkpoint-save') controller.abort();
      },
    });
    expect(first.stopReason).toBe('aborted');
    expect(events).toEqual([
      'rollout-end',
      'step-end',
      'rollout-end',
      'step-end',
      'checkpoint-save',
    ]);
    expect(first.lastCheckpoint).toBe(join(resumedDir, 'step-00000002'));
    firstModel.dispose();

    // A fresh, differently initialised model: everything must come from the checkpoint.
    const secondModel = tinyModel(99);
    const second = await trainGrpo({ ...options(secondModel, resumedDir), resume: true });
    expect(second.step).toBe(4);
    expect(second.metrics.map((metrics) => metrics.step)).toEqual([3, 4]);
    expect(second.metrics.map(withoutTimes)).toEqual(straight.metrics.slice(2).map(withoutTimes));
    expect(second.metrics.some((metrics) => metrics.replaySize > 0)).toBe(true);
    expect(await weights(secondModel)).toEqual(await weights(straightModel));

    const lines = (await readFile(join(resumedDir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as GrpoStepMetrics).step)).toEqual([1, 2, 3, 4]);
    const entries = await readdir(resumedDir);
    expect(entries.filter((entry) => entry.startsWith('step-')).sort()).toEqual([
      'step-00000002',
      'step-00000004',
    ]);
    expect(entries.some((entry) => entry.includes('.tmp-'))).toBe(false);
    straightModel.dispose();
    secondModel.dispose();
  });

  it('stops at the step boundary when aborted', async () => {
    const model = tinyModel();
    const controller = new AbortController();
    const result = await trainGrpo({
      ...base(model),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step-end') controller.abort();
      },
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.step).toBe(1);
    model.dispose();
  });

  it('stops when the prompts run out and trains on default procedural scenes', async () => {
    const model = tinyModel(3, { maxSequenceLength: 256 });
    const scenes = scenePrompts({ families: ['zoom-attribute'], startSeed: 5 });
    const prompts = async function* () {
      let taken = 0;
      for await (const item of scenes({ cursor: 0 })) {
        if (taken++ === 2) return;
        yield item;
      }
    };
    const result = await trainGrpo({
      ...base(model),
      prompts: prompts(),
      groupSize: 2,
      promptsPerStep: 1,
      steps: 5,
      filterZeroAdvantage: false,
    });
    expect(result.step).toBe(2);
    expect(result.stopReason).toBe('prompts-exhausted');
    expect(result.metrics[0]!.episodes).toBe(2);
    model.dispose();
  });

  it('rejects invalid options with the option named', async () => {
    const model = tinyModel();
    await expect(trainGrpo({ ...base(model), groupSize: 0 })).rejects.toThrow(
      InvalidGrpoOptionError,
    );
    await expect(trainGrpo({ ...base(model), microBatch: 1.5 })).rejects.toThrow(/microBatch/);
    await expect(
      trainGrpo({ ...base(model), reward: { form: 'nope' as 'paper' } }),
    ).rejects.toThrow(/reward.form/);
    await expect(trainGrpo({ ...base(model), resume: true })).rejects.toThrow(/checkpointDir/);
    model.dispose();
  });
});
