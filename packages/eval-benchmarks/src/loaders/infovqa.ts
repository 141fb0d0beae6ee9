import { join } from 'node:path';
import { MalformedRecordError } from '../errors.js';
import type { BenchmarkItem, LoadedBenchmark, MissingMedia } from '../types.js';
import {
  asObject,
  containedMediaPath,
  idField,
  pathExists,
  readJsonFile,
  stringArrayField,
  stringField,
} from './records.js';

/** Annotation file names as the InfographicVQA download ships them. */
export const INFOVQA_ANNOTATION_FILES = {
  val: 'infographicsVQA_val_v1.0_withQT.json',
  test: 'infographicsVQA_test_v1.0.json',
} as const;

export type InfovqaSplit = keyof typeof INFOVQA_ANNOTATION_FILES;

export interface InfovqaLoadOptions {
  /** Folder holding the annotation JSON and `images/`. */
  dataDir: string;
  /** `val` is scored locally; `test` answers are hidden (its items carry no answers). */
  split?: InfovqaSplit;
  annotationFile?: string;
  imagesDir?: string;
}

export async function loadInfovqa(options: InfovqaLoadOptions): Promise<LoadedBenchmark> {
  const split = options.split ?? 'val';
  const file = join(options.dataDir, options.annotationFile ?? INFOVQA_ANNOTATION_FILES[split]);
  const imagesDir = options.imagesDir ?? join(options.dataDir, 'images');
  const document = asObject(await readJsonFile(file, 'InfographicVQA annotation file'), { file });
  const records = document.data;
  if (!Array.isArray(records)) {
    throw new MalformedRecordError({ file }, 'field "data" must be a list of question records');
  }
  const items: BenchmarkItem[] = [];
  const missingMedia: MissingMedia[] = [];
  for (let row = 0; row < records.length; row++) {
    const location = { file, row };
    const record = asObject(records[row], location);
    const answers =
      record.answers === undefined && split === 'test'
        ? []
        : stringArrayField(record, 'answers', location);
    if (split === 'val' && answers.length === 0) {
      throw new MalformedRecordError(location, 'field "answers" is empty');
    }
    const id = idField(record, 'questionId', location);
    const path = await containedMediaPath(
      imagesDir,
      stringField(record, 'image_local_name', location),
      location,
    );
    if (!(await pathExists(path))) {
      missingMedia.push({ itemId: id, path });
      continue;
    }
    items.push({
      id,
      category: answerTypeCategory(record.answer_type, split),
      question: stringField(record, 'question', location),
      media: [{ kind: 'image-file', path }],
      groundTruth: { kind: 'texts', values: answers },
      location,
    });
  }
  return { items, missingMedia };
}

// Val records label answers ("single span", "multi-span", "non-extractive", "question span").
function answerTypeCategory(answerType: unknown, split: InfovqaSplit): string {
  if (Array.isArray(answerType) && typeof answerType[0] === 'string') return answerType[0];
  if (typeof answerType === 'string') return answerType;
  return split;
}
