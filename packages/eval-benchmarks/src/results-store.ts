import { createHash } from 'node:crypto';
import { mkdir, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChatImage } from '@pixel-reasoner/model-runtime';
import {
  appendJsonLine,
  readTextIfExists,
  writeFileAtomic,
} from '@pixel-reasoner/model-runtime/internal';
import { CorruptResultsError } from './errors.js';
import { type ResultRecord, resultKey, type StoredImage } from './results.js';

/**
 * Reads `results.jsonl`. A last line without its newline is the torn write of a killed run and is
 * dropped; any other unreadable line is an error, since silently skipping it would re-run and
 * double-count the item.
 */
export async function readResults(file: string): Promise<ResultRecord[]> {
  const text = await readTextIfExists(file);
  if (text === undefined) return [];
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  const records: ResultRecord[] = [];
  const lines = complete.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new CorruptResultsError(file, index + 1, `invalid JSON (${(error as Error).message})`);
    }
    const record = value as Partial<ResultRecord>;
    if (typeof record.benchmark !== 'string' || typeof record.id !== 'string') {
      throw new CorruptResultsError(file, index + 1, 'a result needs "benchmark" and "id" strings');
    }
    records.push(value as ResultRecord);
  }
  return records;
}

/** The keys (`benchmark` + `id`) of finished items, for resuming. */
export function finishedKeys(records: readonly ResultRecord[]): Set<string> {
  return new Set(records.map((record) => resultKey(record.benchmark, record.id, record.repeat)));
}

/**
 * Appends results one line at a time, each flushed to disk before the next item is reported
 * finished, so a killed run loses at most the item being written.
 */
export class ResultsWriter {
  readonly file: string;
  private chain: Promise<void> = Promise.resolve();

  private constructor(file: string) {
    this.file = file;
  }

  static async open(file: string): Promise<ResultsWriter> {
    await mkdir(dirname(file), { recursive: true });
    // Cut a torn last line so the next append starts on a fresh line.
    const text = (await readTextIfExists(file)) ?? '';
    if (text !== '' && !text.endsWith('\n')) {
      await truncate(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    }
    return new ResultsWriter(file);
  }

  append(record: ResultRecord): Promise<void> {
    const next = this.chain.then(() => appendJsonLine(this.file, record, { sync: true }));
    this.chain = next.catch(() => undefined);
    return next;
  }
}

// Part of this package's public API since the first release; the implementation is shared.
export { writeFileAtomic };

/** Content-addressed image files under `<outDir>/media/`, each written once. */
export class MediaStore {
  readonly outDir: string;
  private readonly written = new Map<string, Promise<void>>();

  constructor(outDir: string) {
    this.outDir = outDir;
  }

  async save(image: ChatImage): Promise<StoredImage> {
    const hash = createHash('sha256').update(image.data).digest('hex').slice(0, 32);
    const file = `media/${hash}.${image.mediaType === 'image/png' ? 'png' : 'jpg'}`;
    let pending = this.written.get(file);
    if (!pending) {
      pending = writeFileAtomic(join(this.outDir, file), image.data);
      this.written.set(file, pending);
    }
    await pending;
    return { file, mediaType: image.mediaType, width: image.width, height: image.height };
  }

  /** The description of an image that is not kept on disk. */
  static describe(image: ChatImage): StoredImage {
    return { file: null, mediaType: image.mediaType, width: image.width, height: image.height };
  }
}
