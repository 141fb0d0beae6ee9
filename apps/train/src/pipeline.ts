import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainConfig } from './config.js';
import { OutputConflictError } from './errors.js';
import { readJsonIfExists, writeFileAtomic } from './files.js';
import { baseStage, perceptionEvalStage, pretrainStage } from './pretrain.js';
import { writeAblationReport, writePipelineReport } from './report.js';
import {
  evalStage,
  grpoStage,
  type StageContext,
  sftStage,
  synthStage,
  type TrainingEvent,
  tokenizerStage,
} from './stages.js';

export type TrainCommand = 'pretrain' | 'pipeline' | 'ablation';

/** What `OUT/<stage>/stage.json` holds once a stage has finished. */
export interface StageRecord {
  stage: string;
  completedAt: string;
  /** Wall time of the run that finished the stage (an interrupted earlier part is not included). */
  seconds: number;
  details: Record<string, unknown>;
}

export interface PipelineIo {
  log: (line: string) => void;
  signal?: AbortSignal;
  /** Progress bars on stderr (when it is a terminal). */
  progress: boolean;
  /** Clock for stage timings (default `performance.now`). */
  now?: () => number;
  /** The command line, recorded in what a run ships (the base's `base.json`). */
  command?: string;
  /** The SFT and GRPO trainers' events (steps, checkpoints), tagged with their stage. */
  onTrainingEvent?: (event: TrainingEvent) => void;
}

export interface PipelineResult {
  stages: StageRecord[];
  /** Stages skipped because an earlier run finished them. */
  skipped: string[];
  report: string;
}

interface StageDefinition {
  name: string;
  run: (context: StageContext) => Promise<Record<string, unknown>>;
}

function stagesFor(
  name: TrainCommand,
  config: TrainConfig,
  command = `pixel-reasoner-train ${name}`,
): StageDefinition[] {
  if (name === 'pretrain') {
    return [
      { name: 'synth', run: synthStage },
      { name: 'tokenizer', run: (context) => tokenizerStage(context, { perception: true }) },
      { name: 'pretrain-vision', run: (context) => pretrainStage(context, 'vision') },
      { name: 'pretrain', run: (context) => pretrainStage(context, 'language') },
      { name: 'eval-pretrain', run: perceptionEvalStage },
      {
        name: 'base',
        run: (context) => baseStage({ ...context, command }),
      },
    ];
  }
  const base = config.base;
  // From a base, its tokenizer is used and its no-tool score is the first row of the report.
  const start: StageDefinition[] =
    base === undefined
      ? [
          { name: 'synth', run: synthStage },
          { name: 'tokenizer', run: tokenizerStage },
          { name: 'sft', run: sftStage },
        ]
      : [
          { name: 'sft', run: sftStage },
          {
            name: 'eval-base',
            run: (context) =>
              evalStage(context, 'base', 'eval-base', { modelDir: base, profile: 'notool' }),
          },
        ];
  const common: StageDefinition[] = [
    ...start,
    { name: 'eval-sft', run: (context) => evalStage(context, 'sft', 'eval-sft') },
    { name: 'grpo', run: (context) => grpoStage(context, { stage: 'grpo', curiosity: true }) },
    { name: 'eval-grpo', run: (context) => evalStage(context, 'grpo', 'eval-grpo') },
  ];
  if (name === 'pipeline') return common;
  return [
    ...common,
    {
      name: 'grpo-no-curiosity',
      run: (context) => grpoStage(context, { stage: 'grpo-no-curiosity', curiosity: false }),
    },
    {
      name: 'eval-grpo-no-curiosity',
      run: (context) => evalStage(context, 'grpo-no-curiosity', 'eval-grpo-no-curiosity'),
    },
  ];
}

/** The stage names a command runs, in order. */
export function stageNames(command: TrainCommand, config: TrainConfig): string[] {
  return stagesFor(command, config).map((stage) => stage.name);
}

/**
 * Runs every stage into `OUT/<stage>/`. A finished stage leaves `stage.json` and is skipped by a
 * rerun; an interrupted one resumes from its checkpoints (SFT, GRPO) or results file (eval).
 * `OUT/config.json` pins the config, so one output folder never mixes two experiments.
 */
export async function runPipeline(
  command: TrainCommand,
  config: TrainConfig,
  outDir: string,
  io: PipelineIo,
): Promise<PipelineResult> {
  const now = io.now ?? (() => performance.now());
  await mkdir(outDir, { recursive: true });
  const configFile = join(outDir, 'config.json');
  const previous = await readJsonIfExists<TrainConfig>(configFile);
  if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(config)) {
    throw new OutputConflictError(
      `${outDir} holds a run with a different config (${configFile}); use another --out or delete it`,
    );
  }
  if (previous === undefined) {
    await writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);
  }
  const context: StageContext = {
    config,
    outDir,
    progress: io.progress,
    log: io.log,
    ...(io.signal && { signal: io.signal }),
    ...(io.onTrainingEvent && { onTrainingEvent: io.onTrainingEvent }),
  };
  const stages: StageRecord[] = [];
  const skipped: string[] = [];
  for (const stage of stagesFor(command, config, io.command)) {
    const recordFile = join(outDir, stage.name, 'stage.json');
    const done = await readJsonIfExists<StageRecord>(recordFile);
    if (done !== undefined) {
      io.log(`${stage.name}: done in an earlier run (${done.seconds.toFixed(1)} s), skipped`);
      stages.push(done);
      skipped.push(stage.name);
      continue;
    }
    io.log(`${stage.name}: running`);
    const started = now();
    const details = await stage.run(context);
    const record: StageRecord = {
      stage: stage.name,
      completedAt: new Date().toISOString(),
      seconds: (now() - started) / 1000,
      details,
    };
    await writeFileAtomic(recordFile, `${JSON.stringify(record, null, 2)}\n`);
    io.log(`${stage.name}: finished in ${record.seconds.toFixed(1)} s`);
    stages.push(record);
  }
  const report =
    command === 'pretrain'
      ? join(outDir, 'base', 'model', 'base.json')
      : command === 'pipeline'
        ? await writePipelineReport(outDir, stages)
        : await writeAblationReport(outDir, stages);
  io.log(`report: ${report}`);
  return { stages, skipped, report };
}
