import type { ConfidenceInterval } from '../intervals.js';
import {
  type BenchmarkSummary,
  headlineValue,
  type RunSummary,
  type ScoreSplit,
} from '../summary.js';

/** The four columns of the paper's Table 1, in its order. */
export const PAPER_COLUMNS = [
  { key: 'vstar', title: 'V* Bench', metric: 'Acc' },
  { key: 'tallyqa', title: 'TallyQA-complex', metric: 'Acc' },
  { key: 'mvbench', title: 'MVBench-test', metric: 'Acc' },
  { key: 'infovqa', title: 'InfoVQA-test', metric: 'ANLS' },
] as const;

export type PaperColumn = (typeof PAPER_COLUMNS)[number]['key'];

/** Rows of the paper's Table 1 shown for comparison (Pixel Reasoner and its base model). */
export const PAPER_ROWS: readonly {
  model: string;
  size: string;
  scores: Record<PaperColumn, number | null>;
}[] = [
  {
    model: 'Pixel-Reasoner (paper)',
    size: '7B',
    scores: { vstar: 84.3, tallyqa: 73.8, mvbench: 67.8, infovqa: 84.0 },
  },
  {
    model: 'Warm-Start Model (paper)',
    size: '7B',
    scores: { vstar: 79.0, tallyqa: 67.9, mvbench: 59.0, infovqa: 74.3 },
  },
  {
    model: 'Qwen2.5-VL (paper)',
    size: '7B',
    scores: { vstar: 70.4, tallyqa: 68.6, mvbench: 63.8, infovqa: 80.7 },
  },
];

/** Which paper column a benchmark's result belongs in, if any (`vstar`, `parquet:vstar`, …). */
export function paperColumnOf(benchmark: string): PaperColumn | null {
  const name = benchmark.replace(/^parquet:/, '').toLowerCase();
  if (name.startsWith('vstar') || name.startsWith('v*')) return 'vstar';
  if (name.startsWith('tally')) return 'tallyqa';
  if (name.startsWith('mvbench')) return 'mvbench';
  if (name.startsWith('info')) return 'infovqa';
  return null;
}

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : (value * 100).toFixed(1);
}

/** `41.5 [35.2, 48.1]`: a score with its 95% interval, in percent. */
export function formatScoreWithInterval(
  value: number | null | undefined,
  interval: ConfidenceInterval | null | undefined,
): string {
  if (value === null || value === undefined) return '–';
  if (!interval) return formatPercent(value);
  return `${formatPercent(value)} [${formatPercent(interval.low)}, ${formatPercent(interval.high)}]`;
}

function formatSplit(split: ScoreSplit | null | undefined): string {
  if (!split) return '–';
  return `${formatScoreWithInterval(split.score, split.interval)} (n=${split.n})`;
}

function metricLabel(summary: BenchmarkSummary): string {
  return summary.metric === 'anls' ? 'ANLS' : 'Acc';
}

export interface MarkdownReportOptions {
  /** Row label of the evaluated model. */
  model: string;
  /** Add the paper's rows for comparison (default true). */
  includePaperRows?: boolean;
}

/**
 * A Markdown report whose first table has the shape of the paper's Table 1 (model rows, one column
 * per benchmark); benchmarks outside the paper's four get columns of their own after them.
 */
/** Aggregation, circular evaluation and Avg@k of a benchmark, as report lines. */
export function protocolLines(entry: RunSummary[string]): string[] {
  const lines = [`Aggregation: ${entry.aggregation ?? 'micro'}`, ''];
  if (entry.circular) {
    lines.push(
      `Circular evaluation: ${entry.circular.complete} items (${entry.circular.rotations} rotations), correct only if every rotation is${entry.circular.incomplete > 0 ? `; ${entry.circular.incomplete} incomplete` : ''}`,
      '',
    );
  }
  if (entry.avgAtK) {
    const repeats = entry.avgAtK.perRepeat
      .map((run) => `seed ${run.seed ?? '–'}: ${formatPercent(run.score)}`)
      .join(', ');
    lines.push(
      `Avg@${entry.avgAtK.k}: ${formatScoreWithInterval(entry.avgAtK.score, entry.avgAtK.interval)}, spread ${formatPercent(entry.avgAtK.spread)} (${repeats})`,
      '',
    );
  }
  return lines;
}

export function renderMarkdownReport(summary: RunSummary, options: MarkdownReportOptions): string {
  const names = Object.keys(summary);
  const paperNames = new Map<PaperColumn, string>();
  const extraNames: string[] = [];
  for (const name of names) {
    const column = paperColumnOf(name);
    if (column && !paperNames.has(column)) paperNames.set(column, name);
    else extraNames.push(name);
  }
  const header = ['Model', 'Size'];
  for (const column of PAPER_COLUMNS) header.push(`${column.title} ${column.metric}`);
  for (const name of extraNames)
    header.push(`${summary[name]!.title} ${metricLabel(summary[name]!)}`);
  const ownRow = [options.model, '–'];
  for (const column of PAPER_COLUMNS) {
    const name = paperNames.get(column.key);
    ownRow.push(name ? formatPercent(headlineValue(summary[name]!)) : '–');
  }
  for (const name of extraNames) ownRow.push(formatPercent(headlineValue(summary[name]!)));
  const rows = [ownRow];
  if (options.includePaperRows ?? true) {
    for (const paperRow of PAPER_ROWS) {
      const row = [paperRow.model, paperRow.size];
      for (const column of PAPER_COLUMNS) {
        const value = paperRow.scores[column.key];
        row.push(value === null ? '–' : value.toFixed(1));
      }
      for (const _ of extraNames) row.push('–');
      rows.push(row);
    }
  }
  const lines: string[] = ['# Evaluation report', '', table(header, rows), ''];

  lines.push('## Per benchmark', '');
  lines.push(
    table(
      [
        'Benchmark',
        'Metric',
        'Score [95% CI]',
        'n',
        'Needs operation',
        'Answerable',
        'RaPR',
        'Well-formed calls',
        'Operation error rate',
        'Missing media',
        'Failed',
      ],
      names.map((name) => {
        const entry = summary[name]!;
        return [
          name,
          metricLabel(entry),
          formatScoreWithInterval(headlineValue(entry), entry.interval),
          String(entry.n),
          formatSplit(entry.needsOperation),
          formatSplit(entry.answerable),
          formatPercent(entry.rapr),
          formatPercent(entry.wellFormedRate),
          formatPercent(entry.operationErrorRate),
          String(entry.missingMedia.length),
          String(entry.failed),
        ];
      }),
    ),
    '',
  );
  for (const name of names) {
    const entry = summary[name]!;
    lines.push(`### ${name}`, '');
    lines.push(
      table(
        ['Category', metricLabel(entry), 'n'],
        Object.entries(entry.byCategory).map(([category, value]) => [
          category,
          formatPercent(value.score),
          String(value.n),
        ]),
      ),
      '',
    );
    for (const [group, values] of Object.entries(entry.byGroup ?? {})) {
      lines.push(
        table(
          [group, metricLabel(entry), 'n'],
          Object.entries(values).map(([value, part]) => [
            value,
            formatPercent(part.score),
            String(part.n),
          ]),
        ),
        '',
      );
    }
    lines.push(...protocolLines(entry));
    const settings = Object.entries(entry.settings);
    if (settings.length > 0) {
      lines.push(
        `Settings: ${settings.map(([key, value]) => `${key}=${String(value)}`).join(', ')}`,
        '',
      );
    }
    if (entry.missingMedia.length > 0) {
      lines.push(`Missing media (${entry.missingMedia.length}, not run):`, '');
      for (const missing of entry.missingMedia.slice(0, 20)) {
        lines.push(`- ${missing.itemId}: \`${missing.path}\``);
      }
      if (entry.missingMedia.length > 20) lines.push(`- … ${entry.missingMedia.length - 20} more`);
      lines.push('');
    }
    const failures = entry.failures ?? [];
    if (failures.length > 0) {
      lines.push(`Failed items (${failures.length}, no result, retried by the next run):`, '');
      for (const failure of failures.slice(0, 50)) {
        lines.push(`- ${failure.itemId}: ${failure.error.replace(/\s+/g, ' ')}`);
      }
      if (failures.length > 50) lines.push(`- … ${failures.length - 50} more (summary.json)`);
      lines.push('');
    }
  }
  lines.push(
    'Scores are percentages with 95% intervals (Wilson for accuracy, normal on the mean for ANLS). ' +
      'RaPR: share of episodes with at least one valid visual operation. Well-formed calls: share of ' +
      'tool calls whose arguments are exactly what the tool spec says (4 numbers in [0, 1] for a box, ' +
      'distinct frames 1..16), while the executor also accepts e.g. the first four of five numbers. ' +
      'Needs operation / answerable: items whose answer is illegible / legible without an operation.',
  );
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [
    `| ${header.map(escapeCell).join(' | ')} |`,
    `|${header.map((_, index) => (index < 1 ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of rows) lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
  return lines.join('\n');
}
