import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BenchmarkDataNotFoundError, MalformedRecordError } from '../errors.js';
import type { BenchmarkItem, LoadedBenchmark, MissingMedia } from '../types.js';
import {
  asObject,
  containedMediaPath,
  formatOptions,
  idField,
  optionLetters,
  pathExists,
  readJsonFile,
  readJsonLines,
  seededPermutation,
  stringArrayField,
  stringField,
} from './records.js';

/** The two V* folders the official evaluation scores (OCR/ and GPT4V-hard/ are not scored). */
export const VSTAR_CATEGORIES = ['direct_attributes', 'relative_position'] as const;

const vstarInstruction = "Answer with the option's letter from the given choices directly.";

/** "(A) red" lines of a `test_questions.jsonl` text, in order. */
export function parseLetteredOptions(text: string): string[] {
  const options: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*\(([A-Z])\)\s?(.*)$/.exec(line);
    if (match && match[1] === optionLetters[options.length]) options.push(match[2]!.trim());
  }
  return options;
}

/** The `text` of a `test_questions.jsonl` line around its option lines, to show options reordered. */
function lineChoicePrompt(text: string): BenchmarkItem['choicePrompt'] {
  const lines = text.split('\n');
  const optionLines = lines.flatMap((line, index) => (/^\s*\([A-Z]\)/.test(line) ? [index] : []));
  const before = lines.slice(0, optionLines[0]).join('\n');
  const after = lines.slice(optionLines.at(-1)! + 1).join('\n');
  return {
    format: (options) =>
      [before, formatOptions(options), after].filter((part) => part !== '').join('\n'),
  };
}

export interface VstarLoadOptions {
  /** The downloaded `vstar_bench` folder. */
  dataDir: string;
}

/**
 * Loads V*. `test_questions.jsonl` (shuffled options, letter labels) is used when present;
 * otherwise the per-image JSON files, whose first option is the correct one, are shuffled with a
 * seed taken from the file name — always showing the answer as (A) inflates accuracy.
 */
export async function loadVstar(options: VstarLoadOptions): Promise<LoadedBenchmark> {
  const jsonlPath = join(options.dataDir, 'test_questions.jsonl');
  const items = (await pathExists(jsonlPath))
    ? await loadQuestionsJsonl(options.dataDir, jsonlPath)
    : await loadPerImageJson(options.dataDir);
  const missingMedia: MissingMedia[] = [];
  const present: BenchmarkItem[] = [];
  for (const item of items) {
    const source = item.media[0];
    if (source?.kind === 'image-file' && !(await pathExists(source.path))) {
      missingMedia.push({ itemId: item.id, path: source.path });
    } else {
      present.push(item);
    }
  }
  return { items: present, missingMedia };
}

async function loadQuestionsJsonl(dataDir: string, path: string): Promise<BenchmarkItem[]> {
  const items: BenchmarkItem[] = [];
  for (const { value, location } of await readJsonLines(path, 'V* test_questions.jsonl')) {
    const record = asObject(value, location);
    const image = stringField(record, 'image', location);
    const text = stringField(record, 'text', location);
    const label = stringField(record, 'label', location).trim().toUpperCase();
    const options = parseLetteredOptions(text);
    if (options.length < 2) {
      throw new MalformedRecordError(location, 'field "text" holds fewer than two "(A) …" options');
    }
    const labelIndex = optionLetters.indexOf(label);
    if (label.length !== 1 || labelIndex < 0 || labelIndex >= options.length) {
      throw new MalformedRecordError(
        location,
        `field "label" must be one of the option letters A–${optionLetters[options.length - 1]}, got "${label}"`,
      );
    }
    const category =
      typeof record.category === 'string' ? record.category : (image.split('/')[0] ?? 'unknown');
    items.push({
      id: idField(record, 'question_id', location),
      category,
      question: text,
      media: [{ kind: 'image-file', path: await containedMediaPath(dataDir, image, location) }],
      groundTruth: { kind: 'choice', label, options },
      location,
      choicePrompt: lineChoicePrompt(text),
    });
  }
  return items;
}

async function loadPerImageJson(dataDir: string): Promise<BenchmarkItem[]> {
  const items: BenchmarkItem[] = [];
  let foundFolder = false;
  for (const category of VSTAR_CATEGORIES) {
    const folder = join(dataDir, category);
    if (!(await pathExists(folder))) continue;
    foundFolder = true;
    const names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort();
    for (const name of names) {
      const file = join(folder, name);
      const location = { file };
      const record = asObject(await readJsonFile(file, 'V* annotation'), location);
      const question = stringField(record, 'question', location);
      const options = stringArrayField(record, 'options', location);
      if (options.length < 2) {
        throw new MalformedRecordError(location, 'field "options" must hold at least two options');
      }
      const stem = basename(name, '.json');
      const order = seededPermutation(options.length, `${category}/${stem}`);
      const shown = order.map((index) => options[index]!);
      const label = optionLetters[order.indexOf(0)]!;
      items.push({
        id: `${category}/${stem}`,
        category,
        question: `${question}\n${formatOptions(shown)}\n${vstarInstruction}`,
        media: [
          {
            kind: 'image-file',
            path: await containedMediaPath(dataDir, join(category, `${stem}.jpg`), location),
          },
        ],
        groundTruth: { kind: 'choice', label, options: shown },
        location,
        choicePrompt: {
          format: (reordered) => `${question}\n${formatOptions(reordered)}\n${vstarInstruction}`,
        },
      });
    }
  }
  if (!foundFolder) {
    throw new BenchmarkDataNotFoundError(
      dataDir,
      'V* test_questions.jsonl or direct_attributes/ and relative_position/ folders',
    );
  }
  return items;
}
