import { join } from 'node:path';
import { type ChartSeries, lineChartsSvg } from './chart.js';
import { familySplits, familyTable } from './family-table.js';
import { readJsonLines, writeFileAtomic } from './files.js';
import type { StageRecord } from './pipeline.js';
import type { BenchmarkNumbers } from './stages.js';

const percent = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? (value * 100).toFixed(1) : '–';
const fixed = (value: unknown, digits = 3) =>
  typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';

function evalNumbers(stages: readonly StageRecord[], name: string) {
  const record = stages.find((stage) => stage.stage === name);
  return record?.details.summary as Record<string, BenchmarkNumbers> | undefined;
}

/** One row per (model, benchmark): the headline metric, RaPR and the operation error rate. */
function comparisonTable(
  stages: readonly StageRecord[],
  rows: readonly { label: string; evalStage: string }[],
): string {
  const lines = [
    '| model | benchmark | metric | value | RaPR | op error rate | n |',
    '|---|---|---|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const summary = evalNumbers(stages, row.evalStage);
    if (summary === undefined) continue;
    for (const [benchmark, numbers] of Object.entries(summary)) {
      lines.push(
        `| ${row.label} | ${benchmark} | ${numbers.metric} | ${percent(numbers.value)} | ${percent(numbers.rapr)} | ${percent(numbers.operationErrorRate)} | ${numbers.n}${numbers.failed ? ` (${numbers.failed} failed)` : ''} |`,
      );
    }
  }
  return lines.join('\n');
}

function stageTable(stages: readonly StageRecord[]): string {
  const lines = ['| stage | seconds | notes |', '|---|---:|---|'];
  for (const stage of stages) {
    const details = stage.details;
    const notes: string[] = [];
    if (typeof details.trajectories === 'number')
      notes.push(`${details.trajectories} trajectories`);
    if (typeof details.vocabSize === 'number') notes.push(`vocabulary ${details.vocabSize}`);
    if (typeof details.parameters === 'number') notes.push(`${details.parameters} parameters`);
    if (typeof details.steps === 'number') notes.push(`${details.steps} steps`);
    if (typeof details.finalLoss === 'number') notes.push(`final loss ${fixed(details.finalLoss)}`);
    if (typeof details.trainAccuracy === 'number') {
      notes.push(`train accuracy ${percent(details.trainAccuracy)}%`);
    }
    if (typeof details.trainRapr === 'number')
      notes.push(`train RaPR ${percent(details.trainRapr)}%`);
    if (typeof details.model === 'string') notes.push(`model from ${details.model}`);
    lines.push(`| ${stage.stage} | ${stage.seconds.toFixed(1)} | ${notes.join(', ')} |`);
  }
  const total = stages.reduce((sum, stage) => sum + stage.seconds, 0);
  lines.push(`| **total** | **${total.toFixed(1)}** | |`);
  return lines.join('\n');
}

interface SftRow {
  step: number;
  loss: number;
}
interface GrpoRow {
  step: number;
  meanShapedReward: number;
  accuracy: number;
  rapr: number;
}

/** Training curves from the metrics JSONL files: SFT loss, GRPO reward / accuracy / RaPR. */
export async function writeCurves(outDir: string, grpoStages: readonly string[]): Promise<string> {
  const sft = await readJsonLines<SftRow>(join(outDir, 'sft', 'metrics.jsonl'));
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  const grpoSeries: ChartSeries[] = [];
  let colour = 0;
  for (const stage of grpoStages) {
    const rows = await readJsonLines<GrpoRow>(join(outDir, stage, 'metrics.jsonl'));
    for (const [key, label] of [
      ['meanShapedReward', 'shaped reward'],
      ['accuracy', 'accuracy'],
      ['rapr', 'RaPR'],
    ] as const) {
      grpoSeries.push({
        name: `${stage} ${label}`,
        color: colours[colour++ % colours.length]!,
        points: rows.map((row) => ({ x: row.step, y: row[key] })),
      });
    }
  }
  const svg = lineChartsSvg([
    {
      title: 'SFT loss (token mean −log p)',
      xLabel: 'step',
      series: [
        {
          name: 'loss',
          color: '#1f77b4',
          points: sft.map((row) => ({ x: row.step, y: row.loss })),
        },
      ],
    },
    { title: 'GRPO rollouts', xLabel: 'step', series: grpoSeries },
  ]);
  const file = join(outDir, 'curves.svg');
  await writeFileAtomic(file, svg);
  return file;
}

/** The rows of a report that were evaluated, with their per-family splits from results.jsonl. */
async function familyRows(
  outDir: string,
  stages: readonly StageRecord[],
  rows: readonly { label: string; evalStage: string }[],
) {
  const present = rows.filter((row) => stages.some((stage) => stage.stage === row.evalStage));
  return Promise.all(
    present.map(async (row) => ({
      ...row,
      splits: await familySplits(join(outDir, row.evalStage)),
    })),
  );
}

const FAMILY_NOTE = [
  'Per scene family, items that need an operation (the detail is illegible in the global view,',
  'by calibration) apart from those answerable without one. Score: accuracy (ANLS for',
  'infographic) with its 95% interval (Wilson; normal for ANLS); chance is 25% on the',
  'four-option families. RaPR: episodes with at least one valid visual operation;',
  'well-formed: tool calls whose arguments are exactly what the tool takes (4 numbers for a box).',
].join('\n');

export async function writePipelineReport(
  outDir: string,
  stages: readonly StageRecord[],
): Promise<string> {
  await writeCurves(outDir, ['grpo']);
  const rows = [
    { label: 'base (no tools)', evalStage: 'eval-base' },
    { label: 'SFT', evalStage: 'eval-sft' },
    { label: 'SFT + GRPO', evalStage: 'eval-grpo' },
  ];
  const families = await familyRows(outDir, stages, rows);
  const markdown = [
    '# Pixel Reasoner pipeline (embedded TinyVLM)',
    '',
    'Procedural held-out suite (scenes test split), greedy decoding. The base answers with the',
    '`notool` prompt (no visual operations); SFT and SFT + GRPO with the `pixel-reasoner-v1` tools.',
    '',
    '## Per family',
    '',
    FAMILY_NOTE,
    '',
    familyTable(families),
    '',
    '## Per benchmark',
    '',
    'Value is accuracy (ANLS for infovqa); the operation error rate is invalid over attempted',
    'operations.',
    '',
    comparisonTable(stages, rows),
    '',
    `Per-item trajectories: ${families.map((row) => `\`${row.evalStage}/report.html\``).join(', ')}.`,
    '',
    '## Training curves',
    '',
    '![SFT loss and GRPO rollouts](curves.svg)',
    '',
    '## Stages',
    '',
    stageTable(stages),
    '',
  ].join('\n');
  const file = join(outDir, 'report.md');
  await writeFileAtomic(file, markdown);
  return file;
}

function meanOver(summary: Record<string, BenchmarkNumbers> | undefined, key: 'value' | 'rapr') {
  if (summary === undefined) return null;
  const values = Object.values(summary)
    .map((numbers) => numbers[key])
    .filter((value): value is number => typeof value === 'number');
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
}

export async function writeAblationReport(
  outDir: string,
  stages: readonly StageRecord[],
): Promise<string> {
  await writeCurves(outDir, ['grpo', 'grpo-no-curiosity']);
  const variants = [
    { label: 'SFT only', evalStage: 'eval-sft', trainStage: undefined },
    {
      label: 'GRPO without curiosity (α = 0)',
      evalStage: 'eval-grpo-no-curiosity',
      trainStage: 'grpo-no-curiosity',
    },
    { label: 'GRPO with curiosity', evalStage: 'eval-grpo', trainStage: 'grpo' },
  ];
  const lines = [
    '| variant | mean value | mean RaPR | train RaPR (last steps) | train accuracy (last steps) |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const variant of variants) {
    const summary = evalNumbers(stages, variant.evalStage);
    const training = stages.find((stage) => stage.stage === variant.trainStage)?.details;
    lines.push(
      `| ${variant.label} | ${percent(meanOver(summary, 'value'))} | ${percent(meanOver(summary, 'rapr'))} | ${percent(training?.trainRapr)} | ${percent(training?.trainAccuracy)} |`,
    );
  }
  const markdown = [
    '# Ablation: curiosity bonus (embedded TinyVLM)',
    '',
    'Both GRPO runs start from the same SFT checkpoint with the same budget, prompts and seed; the',
    'only difference is α (the curiosity coefficient). Means are over the procedural benchmarks.',
    '',
    lines.join('\n'),
    '',
    '## Per family',
    '',
    FAMILY_NOTE,
    '',
    familyTable(await familyRows(outDir, stages, variants)),
    '',
    '## Per benchmark',
    '',
    comparisonTable(stages, variants),
    '',
    '![training curves](curves.svg)',
    '',
    '## Stages',
    '',
    stageTable(stages),
    '',
  ].join('\n');
  const file = join(outDir, 'ablation.md');
  await writeFileAtomic(file, markdown);
  return file;
}
