import { join } from 'node:path';
import {
  type ConfidenceInterval,
  type ResultRecord,
  readResults,
  scoreInterval,
} from '@pixel-reasoner/eval-benchmarks';

/** Scores of one scene family's items that need (or do not need) an operation. */
export interface FamilySplit {
  family: string;
  needsOperation: boolean;
  metric: 'accuracy' | 'anls';
  n: number;
  score: number | null;
  interval: ConfidenceInterval | null;
  /** Share of episodes with at least one valid operation. */
  rapr: number | null;
  /** Attempted operations whose arguments were exactly well-formed, over all attempted. */
  wellFormedRate: number | null;
  /** `select_frames` calls the executor accepted, over those attempted. */
  validFrameSelections: number | null;
  operationsAttempted: number;
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** Family of a procedural item id (`zoom-attribute/test/12`). */
function familyOf(record: ResultRecord): string {
  return record.id.split('/')[0] ?? record.benchmark;
}

/**
 * Per scene family and per needs-operation / answerable: the score with its 95% interval, RaPR,
 * the well-formed share of tool calls and the valid share of `select_frames` calls, from an
 * evaluation's `results.jsonl` (every scored item, none dropped).
 */
export async function familySplits(evalDir: string): Promise<FamilySplit[]> {
  const records = (await readResults(join(evalDir, 'results.jsonl'))).filter(
    (record) => record.score !== null && typeof record.needsOperation === 'boolean',
  );
  const groups = new Map<string, ResultRecord[]>();
  for (const record of records) {
    const key = `${familyOf(record)}\u0000${record.needsOperation}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const splits: FamilySplit[] = [];
  for (const [key, group] of groups) {
    const [family, needs] = key.split('\u0000') as [string, string];
    const metric = group[0]!.metric === 'anls' ? 'anls' : 'accuracy';
    const scores = group.map((record) => record.score as number);
    const operations = group.flatMap((record) =>
      record.episode.steps.flatMap((step) => (step.operation ? [step.operation] : [])),
    );
    const frameCalls = operations.filter((operation) => operation.name === 'select_frames');
    splits.push({
      family,
      needsOperation: needs === 'true',
      metric,
      n: group.length,
      score: scores.reduce((sum, score) => sum + score, 0) / group.length,
      interval: scoreInterval(metric, scores),
      rapr: share(group.filter((record) => record.episode.usedPixelReasoning).length, group.length),
      wellFormedRate: share(
        operations.filter((operation) => operation.wellFormed === true).length,
        operations.length,
      ),
      validFrameSelections: share(
        frameCalls.filter((operation) => operation.valid).length,
        frameCalls.length,
      ),
      operationsAttempted: operations.length,
    });
  }
  return splits.sort(
    (a, b) =>
      a.family.localeCompare(b.family) || Number(b.needsOperation) - Number(a.needsOperation),
  );
}

const percent = (value: number | null | undefined) =>
  typeof value === 'number' && Number.isFinite(value) ? (value * 100).toFixed(1) : '–';

function cell(split: FamilySplit | undefined): string {
  if (split === undefined) return '–';
  const interval = split.interval
    ? ` [${percent(split.interval.low)}, ${percent(split.interval.high)}]`
    : '';
  return `${percent(split.score)}${interval} (n ${split.n})`;
}

/**
 * A Markdown table with one row per family and split and one score column per model, then one
 * RaPR / well-formed column per model.
 */
export function familyTable(models: readonly { label: string; splits: FamilySplit[] }[]): string {
  const keys = new Map<string, { family: string; needsOperation: boolean }>();
  for (const model of models) {
    for (const split of model.splits) {
      keys.set(`${split.family}|${split.needsOperation}`, split);
    }
  }
  const header = [
    'family',
    'items',
    ...models.map((model) => `${model.label}: score [95% CI]`),
    ...models.map((model) => `${model.label}: RaPR / well-formed`),
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const ordered = [...keys.values()].sort(
    (a, b) =>
      a.family.localeCompare(b.family) || Number(b.needsOperation) - Number(a.needsOperation),
  );
  for (const key of ordered) {
    const find = (splits: FamilySplit[]) =>
      splits.find(
        (split) => split.family === key.family && split.needsOperation === key.needsOperation,
      );
    lines.push(
      `| ${key.family} | ${key.needsOperation ? 'needs an operation' : 'answerable'} | ${models
        .map((model) => cell(find(model.splits)))
        .join(' | ')} | ${models
        .map((model) => {
          const split = find(model.splits);
          return split ? `${percent(split.rapr)} / ${percent(split.wellFormedRate)}` : '–';
        })
        .join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
