import { dirname } from 'node:path';
import { MalformedRecordError } from '../errors.js';
import type { BenchmarkItem, LoadedBenchmark, MediaSource, MissingMedia } from '../types.js';
import { containedMediaPath, optionLetters, pathExists } from './records.js';
import { readTsvFile, SHORT_CELL_BYTES, type TsvCellRange } from './tsv.js';

/** The instruction VLMEvalKit's `ImageMCQDataset.build_prompt` ends a choice question with. */
export const VLMEVALKIT_MCQ_INSTRUCTION =
  'Please select the correct answer from the options above. \n';

/**
 * A choice question as VLMEvalKit's `ImageMCQDataset` shows it (HR-Bench's own harness uses the
 * same prompt): an optional `Hint:` line, `Question:`, `Options:` with `A. …` lines, then
 * {@link VLMEVALKIT_MCQ_INSTRUCTION}.
 */
export function formatVlmevalkitQuestion(
  question: string,
  options: readonly string[],
  hint?: string,
): string {
  const lines = options.map((option, index) => `${optionLetters[index]}. ${option}\n`).join('');
  return `${hint === undefined ? '' : `Hint: ${hint}\n`}Question: ${question}\n${
    options.length > 0 ? `Options:\n${lines}${VLMEVALKIT_MCQ_INSTRUCTION}` : ''
  }`;
}

export interface VlmevalkitTsvLoadOptions {
  /** A VLMEvalKit TSV (`VStarBench.tsv`, `hr_bench_4k.tsv`, `MME-RealWorld-Lite.tsv`, …). */
  file: string;
  /** Columns every row must have beyond the MCQ ones (HR-Bench: `cycle_category`). */
  requiredColumns?: readonly string[];
  /** What the file is, for errors (default "VLMEvalKit TSV"). */
  what?: string;
}

/** Columns kept as further breakdowns when present (see `BenchmarkItem.groups`). */
export const VLMEVALKIT_GROUP_COLUMNS = ['l2-category', 'cycle_category', 'split'] as const;

/**
 * Loads a VLMEvalKit multiple-choice TSV: `index`, `question`, option columns `A`, `B`, … (empty
 * cells are absent options), `answer` (a letter), `category`, optional `hint`, and the image as
 * base64 in `image` — or, as VLMEvalKit allows to save space, the `index` of another row whose
 * image it shares (a cell of at most 64 characters) — or a relative `image_path` under the TSV's
 * folder. Image cells stay in the file until the item runs. Rows without any image are skipped
 * and listed as missing media, as VLMEvalKit skips them.
 */
export async function loadVlmevalkitTsv(
  options: VlmevalkitTsvLoadOptions,
): Promise<LoadedBenchmark> {
  const file = options.file;
  const what = options.what ?? 'VLMEvalKit TSV';
  const { header, rows } = await readTsvFile(file, { what, rangeColumns: ['image'] });
  for (const column of ['index', 'question', 'answer', ...(options.requiredColumns ?? [])]) {
    if (!header.includes(column)) {
      throw new MalformedRecordError(
        { file },
        `${what} has no "${column}" column (columns: ${header.join(', ')})`,
      );
    }
  }
  const imageOfIndex = new Map<string, TsvCellRange>();
  for (const { cells, ranges } of rows) {
    const range = ranges.image;
    if (cells.index !== undefined && range && range.end - range.start > SHORT_CELL_BYTES) {
      imageOfIndex.set(cells.index, range);
    }
  }
  const root = dirname(file);
  const items: BenchmarkItem[] = [];
  const missingMedia: MissingMedia[] = [];
  for (const { cells, ranges, row } of rows) {
    const location = { file, row };
    const id = cells.index;
    if (id === undefined) throw new MalformedRecordError(location, 'column "index" is empty');
    const question = cells.question;
    if (question === undefined)
      throw new MalformedRecordError(location, 'column "question" is empty');
    const choiceOptions: string[] = [];
    for (const letter of optionLetters) {
      const option = cells[letter];
      if (option === undefined) break;
      choiceOptions.push(option);
    }
    const later = [...optionLetters.slice(choiceOptions.length + 1)].find(
      (letter) => cells[letter] !== undefined,
    );
    if (later !== undefined) {
      throw new MalformedRecordError(
        location,
        `option ${later} is set but option ${optionLetters[choiceOptions.length]} is empty`,
      );
    }
    if (choiceOptions.length < 2) {
      throw new MalformedRecordError(location, 'fewer than two options in columns A, B, …');
    }
    const label = (cells.answer ?? '').trim().toUpperCase();
    const labelIndex = optionLetters.indexOf(label);
    if (label.length !== 1 || labelIndex < 0 || labelIndex >= choiceOptions.length) {
      throw new MalformedRecordError(
        location,
        `column "answer" must be one of the option letters A–${optionLetters[choiceOptions.length - 1]}, got ${JSON.stringify(cells.answer ?? '')}`,
      );
    }
    let media: MediaSource | undefined;
    const range = ranges.image;
    if (range && range.end - range.start > SHORT_CELL_BYTES) {
      media = { kind: 'base64-range', path: file, ...range, name: `${file}#${id}` };
    } else if (range) {
      const shared = imageOfIndex.get((cells.image ?? '').trim());
      if (!shared) {
        throw new MalformedRecordError(
          location,
          `column "image" holds ${JSON.stringify(cells.image)}, neither base64 nor the index of a row with an image`,
        );
      }
      media = { kind: 'base64-range', path: file, ...shared, name: `${file}#${id}` };
    } else if (cells.image_path !== undefined) {
      const path = await containedMediaPath(root, cells.image_path, location);
      if (!(await pathExists(path))) {
        missingMedia.push({ itemId: id, path });
        continue;
      }
      media = { kind: 'image-file', path };
    } else {
      missingMedia.push({ itemId: id, path: `${file} (row ${row}: no image)` });
      continue;
    }
    const hint = cells.hint;
    const groups: Record<string, string> = {};
    for (const column of VLMEVALKIT_GROUP_COLUMNS) {
      if (cells[column] !== undefined) groups[column] = cells[column]!;
    }
    items.push({
      id,
      category: cells.category ?? 'all',
      question: formatVlmevalkitQuestion(question, choiceOptions, hint),
      media: [media],
      groundTruth: { kind: 'choice', label, options: choiceOptions },
      location,
      ...(Object.keys(groups).length > 0 ? { groups } : {}),
      choicePrompt: { format: (shown) => formatVlmevalkitQuestion(question, shown, hint) },
    });
  }
  return { items, missingMedia };
}
