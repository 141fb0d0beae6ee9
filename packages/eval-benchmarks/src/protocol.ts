import { InvalidRunOptionsError } from './errors.js';
import { seededPermutation } from './loaders/records.js';
import type { BenchmarkItem } from './types.js';

/**
 * The order choice options are shown in: as the data has them; shuffled per item with a seed; or
 * circular evaluation — every item asked once per rotation of its options, correct only if every
 * rotation is (VLMEvalKit's CircularEval).
 */
export type OptionOrder =
  | { kind: 'original' }
  | { kind: 'shuffle'; seed: number }
  | { kind: 'circular' };

/** `original`, `shuffle:SEED` or `circular`, as summary.json and run.json record it. */
export function describeOptionOrder(order: OptionOrder): string {
  return order.kind === 'shuffle' ? `shuffle:${order.seed}` : order.kind;
}

/** Parses {@link describeOptionOrder}'s form (`shuffle` alone means seed 0). */
export function parseOptionOrder(text: string): OptionOrder {
  if (text === 'original' || text === 'circular') return { kind: text };
  const match = /^shuffle(?::(\d+))?$/.exec(text);
  if (match) return { kind: 'shuffle', seed: match[1] === undefined ? 0 : Number(match[1]) };
  throw new InvalidRunOptionsError(
    `option order must be original, shuffle[:SEED] or circular, got "${text}"`,
  );
}

/** The id of rotation `rotation` of item `id` under circular evaluation. */
export function rotationId(id: string, rotation: number): string {
  return `${id}~rotation${rotation}`;
}

function reordered(item: BenchmarkItem, order: readonly number[], id: string): BenchmarkItem {
  if (item.groundTruth.kind !== 'choice') return item;
  const options = order.map((index) =>
    item.groundTruth.kind === 'choice' ? item.groundTruth.options[index]! : '',
  );
  const correct = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.indexOf(item.groundTruth.label.toUpperCase());
  const label = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[order.indexOf(correct)]!;
  return {
    ...item,
    id,
    question: item.choicePrompt!.format(options),
    groundTruth: { kind: 'choice', label, options },
  };
}

/**
 * Applies an option order to a benchmark's items. Items that are not multiple choice pass
 * unchanged; a multiple-choice item whose loader does not expose its options structurally
 * (`choicePrompt`) cannot be reordered and throws `InvalidRunOptionsError` naming the benchmark.
 * Shuffles are seeded by the seed, benchmark and item id (FNV-1a + mulberry32), so they do not
 * change between runs or machines. Circular evaluation returns one item per rotation, each with
 * `variantOf` set to the original id.
 */
export function applyOptionOrder(
  items: readonly BenchmarkItem[],
  order: OptionOrder,
  benchmark: string,
): BenchmarkItem[] {
  if (order.kind === 'original') return [...items];
  const result: BenchmarkItem[] = [];
  for (const item of items) {
    if (item.groundTruth.kind !== 'choice') {
      result.push(item);
      continue;
    }
    if (!item.choicePrompt) {
      throw new InvalidRunOptionsError(
        `benchmark "${benchmark}" item ${item.id}: its loader does not expose the options separately from the question text, so --options ${describeOptionOrder(order)} cannot reorder them`,
      );
    }
    const count = item.groundTruth.options.length;
    if (order.kind === 'shuffle') {
      result.push(
        reordered(item, seededPermutation(count, `${order.seed}:${benchmark}:${item.id}`), item.id),
      );
      continue;
    }
    for (let rotation = 0; rotation < count; rotation++) {
      const rotated = Array.from({ length: count }, (_, index) => (index + rotation) % count);
      result.push({
        ...reordered(item, rotated, rotationId(item.id, rotation)),
        variantOf: item.id,
      });
    }
  }
  return result;
}
