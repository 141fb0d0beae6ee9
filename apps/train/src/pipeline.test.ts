import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@pixel-reasoner/model-runtime/local';
import { latestSftCheckpoint } from '@pixel-reasoner/trainer-sft';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { OutputConflictError, StageInterruptedError } from './errors.js';
import { runPipeline, stageNames } from './pipeline.js';

/** Tiny everything: the point is that every stage runs and resumes, not what it learns. */
const micro = resolveConfig({
  synth: { count: 6 },
  tokenizer: { vocabSize: 600 },
  model: {
    dModel: 32,
    numHeads: 2,
    numLayers: 1,
    visionLayers: 0,
    ffnDim: 64,
    maxSequenceLength: 1536,
  },
  sft: { steps: 4, batchSize: 2, checkpointEvery: 2 },
  grpo: {
    steps: 1,
    promptsPerStep: 2,
    groupSize: 2,
    maxTokensPerTurn: 16,
    maxOperations: 2,
    checkpointEvery: 1,
  },
  eval: {
    itemsPerFamily: 1,
    maxTokensPerTurn: 16,
    maxOperations: 2,
    concurrency: 2,
    parts: ['vstar', 'tallyqa', 'infovqa'],
  },
});

let outDir: string;

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  outDir = await mkdtemp(join(tmpdir(), 'train-pipeline-'));
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('runPipeline', () => {
  it('runs every stage, resumes an interrupted SFT and skips finished stages on a rerun', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    await expect(
      runPipeline('pipeline', micro, outDir, {
        log: (line) => lines.push(line),
        signal: controller.signal,
        progress: false,
        // Interrupt SFT once it has written its step-2 checkpoint.
        onTrainingEvent: ({ event }) => {
          if (event.type === 'checkpoint-save') controller.abort();
        },
      }),
    ).rejects.toThrow(StageInterruptedError);
    expect(lines.filter((line) => line.endsWith(': running'))).toEqual([
      'synth: running',
      'tokenizer: running',
      'sft: running',
    ]);
    expect((await latestSftCheckpoint(join(outDir, 'sft', 'checkpoints')))?.step).toBe(2);

    const resumedLines: string[] = [];
    const result = await runPipeline('pipeline', micro, outDir, {
      log: (line) => resumedLines.push(line),
      progress: false,
    });
    expect(result.skipped).toEqual(['synth', 'tokenizer']);
    expect(resumedLines).toContain('sft: resuming from step 2');
    expect(result.stages.map((stage) => stage.stage)).toEqual(stageNames('pipeline', micro));
    const sft = result.stages.find((stage) => stage.stage === 'sft')!;
    expect(sft.details.steps).toBe(4);
    const sftMetrics = (await readFile(join(outDir, 'sft', 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(sftMetrics.map((line) => JSON.parse(line).step)).toEqual([1, 2, 3, 4]);
    // The summary covers the whole run, not only the resumed process's steps 3 and 4.
    const losses = sftMetrics.map((line) => JSON.parse(line).loss as number);
    expect(sft.details.finalLoss).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / 4, 10);

    const report = await readFile(result.report, 'utf8');
    expect(report).toContain('## Per family');
    expect(report).toMatch(/\| zoom-attribute \| (needs an operation|answerable) \| [0-9.]+ \[/);
    for (const row of [
      '| SFT | procedural/vstar |',
      '| SFT + GRPO | procedural/tallyqa |',
      '| SFT + GRPO | procedural/infovqa |',
    ]) {
      expect(report).toContain(row);
    }
    expect(report).toContain('![SFT loss and GRPO rollouts](curves.svg)');
    const svg = await readFile(join(outDir, 'curves.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/<title>[^<]+<\/title>/);
    expect(svg).toContain('<polyline');
    const summary = JSON.parse(await readFile(join(outDir, 'eval-grpo', 'summary.json'), 'utf8'));
    expect(Object.keys(summary).sort()).toEqual([
      'procedural/infovqa',
      'procedural/tallyqa',
      'procedural/vstar',
    ]);

    const again = await runPipeline('pipeline', micro, outDir, { log: () => {}, progress: false });
    expect(again.skipped).toEqual(stageNames('pipeline', micro));
  });

  it('refuses to resume an output folder written with another config', async () => {
    const other = resolveConfig({ ...micro, sft: { ...micro.sft, steps: 5 } });
    await expect(
      runPipeline('pipeline', other, outDir, { log: () => {}, progress: false }),
    ).rejects.toThrow(OutputConflictError);
  });

  it('pretrains a base (deterministically), ships it with its metadata, and starts the pipeline from it', async () => {
    const pretrainConfig = resolveConfig({
      ...micro,
      model: { ...micro.model, stemChannels: [8], stemKernel: 4 },
      pretrain: {
        vision: { steps: 2, batchSize: 1, learningRate: 0.003 },
        steps: 2,
        batchSize: 2,
        checkpointEvery: 1,
        evalItemsPerTask: 1,
        grounding: 'pooled',
      },
    });
    const first = join(outDir, 'pretrain-a');
    const result = await runPipeline('pretrain', pretrainConfig, first, {
      log: () => {},
      progress: false,
    });
    expect(result.stages.map((stage) => stage.stage)).toEqual(
      stageNames('pretrain', pretrainConfig),
    );
    const baseDir = join(first, 'base', 'model');
    const metadata = JSON.parse(await readFile(join(baseDir, 'base.json'), 'utf8'));
    expect(metadata.steps).toEqual({ vision: 2, language: 2 });
    expect(metadata.seconds.total).toBeGreaterThan(0);
    expect(metadata.config.pretrain.vision.steps).toBe(2);
    const { config: modelConfig } = JSON.parse(
      await readFile(join(baseDir, 'config.json'), 'utf8'),
    );
    expect(Object.keys(modelConfig.groundedHeads)).toEqual(['content', 'plate']);
    expect(modelConfig.pooledHeads).toEqual(['content']);
    expect(metadata.evaluation.length).toBeGreaterThan(0);
    for (const score of metadata.evaluation) {
      expect(score.interval[0]).toBeLessThanOrEqual(score.accuracy);
      expect(score.n).toBe(1);
    }
    // The first steps are deterministic: a second run gives the same losses.
    const second = join(outDir, 'pretrain-b');
    await runPipeline('pretrain', pretrainConfig, second, { log: () => {}, progress: false });
    for (const stage of ['pretrain-vision', 'pretrain']) {
      const losses = async (dir: string) =>
        (await readFile(join(dir, stage, 'metrics.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).loss);
      expect(await losses(second)).toEqual(await losses(first));
    }

    const fromBase = resolveConfig({ ...micro, base: baseDir });
    const pipeline = await runPipeline('pipeline', fromBase, join(outDir, 'from-base'), {
      log: () => {},
      progress: false,
    });
    expect(pipeline.stages.map((stage) => stage.stage)).toEqual([
      'sft',
      'eval-base',
      'eval-sft',
      'grpo',
      'eval-grpo',
    ]);
    const report = await readFile(pipeline.report, 'utf8');
    expect(report).toContain('base (no tools): score [95% CI]');
    const baseRun = JSON.parse(
      await readFile(join(outDir, 'from-base', 'eval-base', 'run.json'), 'utf8'),
    );
    expect(JSON.stringify(baseRun)).toContain('notool');
  }, 300_000);
});
