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

    const report = await readFile(result.report, 'utf8');
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
});
