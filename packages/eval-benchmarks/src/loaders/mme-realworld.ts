import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import {
  BenchmarkDataNotFoundError,
  MalformedRecordError,
  type RecordLocation,
} from '../errors.js';
import type { BenchmarkItem, LoadedBenchmark, MissingMedia } from '../types.js';
import {
  asObject,
  containedMediaPath,
  idField,
  optionLetters,
  pathExists,
  readJsonFile,
  stringArrayField,
  stringField,
} from './records.js';

/** The official annotation file names (English, Chinese) at the top of the download. */
export const MME_REALWORLD_ANNOTATION_FILES = ['MME_RealWorld.json', 'MME_RealWorld_CN.json'];

/** The official prompt's closing instruction (`--test-prompt` of `model_vqa_mme_real_world.py`). */
export const MME_REALWORLD_INSTRUCTION =
  'Select the best answer to the above multiple-choice question based on the image. Respond with only the letter (A, B, C, D, or E) of the correct option.';

/** "(A) text" → "text"; the official choices carry their letter. */
function optionText(choice: string, index: number, location: RecordLocation): string {
  const match = /^\s*\(([A-Z])\)\s?([\s\S]*)$/.exec(choice);
  if (!match || match[1] !== optionLetters[index]) {
    throw new MalformedRecordError(
      location,
      `choice ${index + 1} must start with "(${optionLetters[index]}) ", got ${JSON.stringify(choice.slice(0, 40))}`,
    );
  }
  return match[2]!;
}

const lettered = (options: readonly string[]) =>
  options.map((option, index) => `(${optionLetters[index]}) ${option}`);

/** The question as the official script builds it: text, the lettered choices, the instruction. */
export function formatMmeRealworldQuestion(text: string, options: readonly string[]): string {
  const choices = lettered(options)
    .map((choice) => `${choice}\n`)
    .join('');
  return `${text} The choices are listed below: \n${choices}${MME_REALWORLD_INSTRUCTION}\nThe best answer is:`;
}

/** The question as lmms-eval's `mme_realworld_doc_to_text` builds it from the parquet row. */
export function formatMmeRealworldLmmsEvalQuestion(
  question: string,
  options: readonly string[],
): string {
  return `${question} The choices are listed below:\n${lettered(options).join('\n')}\n${MME_REALWORLD_INSTRUCTION}\nThe best answer is: `;
}

/** The official scorer folds every "…attribute…" category into "<first part>/attribute". */
export function foldMmeRealworldCategory(category: string): string {
  const lower = category.toLowerCase();
  return lower.includes('attribute') ? `${lower.split('/')[0]}/attribute` : lower;
}

function checkedLabel(value: string, count: number, location: RecordLocation, field: string) {
  const label = value.trim().toUpperCase();
  const index = optionLetters.indexOf(label);
  if (label.length !== 1 || index < 0 || index >= count) {
    throw new MalformedRecordError(
      location,
      `field "${field}" must be one of the option letters A–${optionLetters[count - 1]}, got ${JSON.stringify(value)}`,
    );
  }
  return label;
}

export interface MmeRealworldLoadOptions {
  /** The download folder (holding `MME_RealWorld.json` and the image folders) or a JSON file. */
  path: string;
  /** Folder the `Image` paths are relative to (default: the JSON file's folder). */
  imageRoot?: string;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/**
 * Loads MME-RealWorld in its official layout: a JSON list of records with `Question_id`,
 * `Image` (relative to the image folder), `Text`, `Answer choices` ("(A) …" to "(E) …"),
 * `Ground truth` (a letter), `Task` (Perception / Reasoning), `Subtask` and `Category`. The
 * category is `Task/Subtask` (the official per-subtask report); `groups.task` and
 * `groups.category` (folded as the official scorer folds attribute categories) go beside it.
 */
export async function loadMmeRealworld(options: MmeRealworldLoadOptions): Promise<LoadedBenchmark> {
  let file = options.path;
  if (await isDirectory(file)) {
    const found = [];
    for (const name of MME_REALWORLD_ANNOTATION_FILES) {
      if (await pathExists(join(file, name))) found.push(join(file, name));
    }
    if (found.length === 0) {
      throw new BenchmarkDataNotFoundError(
        join(file, MME_REALWORLD_ANNOTATION_FILES[0]!),
        'MME-RealWorld annotation JSON',
      );
    }
    file = found[0]!;
  }
  const root = options.imageRoot ?? dirname(file);
  const value = await readJsonFile(file, 'MME-RealWorld annotation JSON');
  if (!Array.isArray(value)) {
    throw new MalformedRecordError({ file }, 'expected a JSON list of questions');
  }
  const items: BenchmarkItem[] = [];
  const missingMedia: MissingMedia[] = [];
  for (let row = 0; row < value.length; row++) {
    const location = { file, row };
    const record = asObject(value[row], location);
    const id = idField(record, 'Question_id', location);
    const text = stringField(record, 'Text', location);
    const choices = stringArrayField(record, 'Answer choices', location);
    if (choices.length < 2) {
      throw new MalformedRecordError(location, 'field "Answer choices" must hold at least two');
    }
    const shown = choices.map((choice, index) => optionText(choice, index, location));
    const label = checkedLabel(
      stringField(record, 'Ground truth', location),
      shown.length,
      location,
      'Ground truth',
    );
    const task = stringField(record, 'Task', location);
    const subtask = stringField(record, 'Subtask', location);
    const category = foldMmeRealworldCategory(stringField(record, 'Category', location));
    const path = await containedMediaPath(root, stringField(record, 'Image', location), location);
    if (!(await pathExists(path))) {
      missingMedia.push({ itemId: id, path });
      continue;
    }
    items.push({
      id,
      category: `${task}/${subtask}`,
      question: formatMmeRealworldQuestion(text, shown),
      media: [{ kind: 'image-file', path }],
      groundTruth: { kind: 'choice', label, options: shown },
      location,
      groups: { task, category: `${task}/${subtask}/${category}` },
      choicePrompt: { format: (reordered) => formatMmeRealworldQuestion(text, reordered) },
    });
  }
  return { items, missingMedia };
}

export interface MmeRealworldParquetLoadOptions {
  /** A parquet file, or a folder whose `*.parquet` files (also under `data/`) are read in name order. */
  path: string;
}

async function parquetFiles(path: string): Promise<string[]> {
  if (!(await isDirectory(path))) {
    if (!(await pathExists(path))) {
      throw new BenchmarkDataNotFoundError(path, 'MME-RealWorld parquet');
    }
    return [path];
  }
  const files: string[] = [];
  for (const folder of [path, join(path, 'data')]) {
    if (!(await isDirectory(folder))) continue;
    for (const name of (await readdir(folder)).sort()) {
      if (name.endsWith('.parquet')) files.push(join(folder, name));
    }
  }
  if (files.length === 0) {
    throw new BenchmarkDataNotFoundError(
      path,
      'MME-RealWorld parquet files (*.parquet or data/*.parquet)',
    );
  }
  return files;
}

function imageBytes(value: unknown, location: RecordLocation): Uint8Array {
  const text =
    typeof value === 'string'
      ? value
      : value instanceof Uint8Array
        ? // Raw image bytes start with a PNG/JPEG/WebP signature; anything else is base64 text.
          /^(\x89PNG|\xff\xd8|RIFF)/.test(Buffer.from(value.subarray(0, 4)).toString('latin1'))
          ? undefined
          : Buffer.from(value).toString('latin1')
        : null;
  if (text === undefined) return value as Uint8Array;
  if (text === null || text === '') {
    throw new MalformedRecordError(location, 'column "bytes" must hold the base64 image');
  }
  const data = new Uint8Array(Buffer.from(text, 'base64'));
  if (data.length === 0) throw new MalformedRecordError(location, 'column "bytes" is not base64');
  return data;
}

function optionList(value: unknown, location: RecordLocation): string[] {
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value;
  throw new MalformedRecordError(
    location,
    'column "multi-choice options" must be a list of strings',
  );
}

/**
 * Loads the lmms-eval parquet of MME-RealWorld or MME-RealWorld-Lite: `index`, `question`,
 * `multi-choice options` ("(A) …" strings, five), `answer` (a letter), `category`,
 * `l2-category` and the image as base64 text in `bytes`. As lmms-eval's aggregation does, the
 * task is Perception when `category` mentions it (else Reasoning), the subtask the last part of
 * `category` and the fine category `l2-category` (folded like the official scorer's).
 */
export async function loadMmeRealworldParquet(
  options: MmeRealworldParquetLoadOptions,
): Promise<LoadedBenchmark> {
  const items: BenchmarkItem[] = [];
  for (const file of await parquetFiles(options.path)) {
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
    } catch (error) {
      throw new MalformedRecordError(
        { file },
        `not a readable parquet file (${(error as Error).message})`,
      );
    }
    for (let row = 0; row < rows.length; row++) {
      const location = { file, row };
      const record = rows[row]!;
      const id = idField(record, 'index', location);
      const question = stringField(record, 'question', location);
      const shown = optionList(record['multi-choice options'], location).map((choice, index) =>
        optionText(choice, index, location),
      );
      const label = checkedLabel(
        stringField(record, 'answer', location),
        shown.length,
        location,
        'answer',
      );
      const category = stringField(record, 'category', location);
      const task = category.toLowerCase().includes('perception') ? 'Perception' : 'Reasoning';
      const subtask = category.split('/').at(-1)!;
      const fine = foldMmeRealworldCategory(stringField(record, 'l2-category', location));
      items.push({
        id,
        category: `${task}/${subtask}`,
        question: formatMmeRealworldLmmsEvalQuestion(question, shown),
        media: [
          { kind: 'image-bytes', data: imageBytes(record.bytes, location), name: `${file}#${id}` },
        ],
        groundTruth: { kind: 'choice', label, options: shown },
        location,
        groups: { task, category: `${task}/${subtask}/${fine}` },
        choicePrompt: {
          format: (reordered) => formatMmeRealworldLmmsEvalQuestion(question, reordered),
        },
      });
    }
  }
  return { items, missingMedia: [] };
}
