import { access, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { fnv1a32, Mulberry32 } from '@pixel-reasoner/model-runtime/internal';
import {
  BenchmarkDataNotFoundError,
  MalformedRecordError,
  MediaOutsideRootError,
  type RecordLocation,
} from '../errors.js';

export type JsonObject = Record<string, unknown>;

export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function isInside(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return !(
    fromRoot === '..' ||
    fromRoot.startsWith('../') ||
    fromRoot.startsWith('..\\') ||
    isAbsolute(fromRoot)
  );
}

/**
 * The path of a record's media file under `root`, refusing any that resolves outside it: `..`
 * segments, absolute paths elsewhere, and symlinks inside the root that point out of it (checked
 * on the real path when the file exists; a missing file is the caller's missing media). `root`
 * itself may be a symlink. Throws `MediaOutsideRootError` naming the record.
 */
export async function containedMediaPath(
  root: string,
  mediaPath: string,
  location: RecordLocation,
): Promise<string> {
  const refuse = () => new MediaOutsideRootError({ location, path: mediaPath, root });
  if (mediaPath.includes('\0')) throw refuse();
  const resolvedRoot = resolve(root);
  const lexical = resolve(resolvedRoot, mediaPath);
  if (!isInside(resolvedRoot, lexical)) throw refuse();
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    return lexical;
  }
  const realRoot = await realpath(resolvedRoot).catch(() => resolvedRoot);
  if (!isInside(realRoot, real)) throw refuse();
  return lexical;
}

export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BenchmarkDataNotFoundError(path, what);
    }
    throw error;
  }
}

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = await readTextFile(path, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedRecordError({ file: path }, `invalid JSON (${(error as Error).message})`);
  }
}

/** Non-empty lines of a JSONL file, each parsed, with its 1-based line number. */
export async function readJsonLines(
  path: string,
  what: string,
): Promise<{ value: unknown; location: RecordLocation }[]> {
  const text = await readTextFile(path, what);
  const records: { value: unknown; location: RecordLocation }[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    const location = { file: path, line: index + 1 };
    try {
      records.push({ value: JSON.parse(line), location });
    } catch (error) {
      throw new MalformedRecordError(location, `invalid JSON (${(error as Error).message})`);
    }
  }
  return records;
}

export function asObject(value: unknown, location: RecordLocation): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedRecordError(location, 'expected a JSON object');
  }
  return value as JsonObject;
}

export function stringField(record: JsonObject, key: string, location: RecordLocation): string {
  const value = record[key];
  if (typeof value !== 'string') {
    throw new MalformedRecordError(
      location,
      `field "${key}" must be a string, got ${describe(value)}`,
    );
  }
  return value;
}

export function numberField(record: JsonObject, key: string, location: RecordLocation): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MalformedRecordError(
      location,
      `field "${key}" must be a number, got ${describe(value)}`,
    );
  }
  return value;
}

export function integerField(record: JsonObject, key: string, location: RecordLocation): number {
  const value = numberField(record, key, location);
  if (!Number.isInteger(value)) {
    throw new MalformedRecordError(location, `field "${key}" must be an integer, got ${value}`);
  }
  return value;
}

export function booleanField(record: JsonObject, key: string, location: RecordLocation): boolean {
  const value = record[key];
  if (typeof value !== 'boolean') {
    throw new MalformedRecordError(
      location,
      `field "${key}" must be a boolean, got ${describe(value)}`,
    );
  }
  return value;
}

export function stringArrayField(
  record: JsonObject,
  key: string,
  location: RecordLocation,
): string[] {
  const value = record[key];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw new MalformedRecordError(
      location,
      `field "${key}" must be a list of strings, got ${describe(value)}`,
    );
  }
  return value as string[];
}

/** A string or a number given as the id (datasets mix both). */
export function idField(record: JsonObject, key: string, location: RecordLocation): string {
  const value = record[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  throw new MalformedRecordError(location, `field "${key}" must be an id, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40) ?? ''}`.trim();
}

export const optionLetters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** "(A) red\n(B) blue" — the option block V* and MVBench show the model. */
export function formatOptions(options: readonly string[]): string {
  return options.map((option, index) => `(${optionLetters[index]}) ${option}`).join('\n');
}

/** Fisher–Yates with mulberry32 seeded from `seedText` (FNV-1a, so shuffles do not change between runs or machines); returns the new order as old indices. */
export function seededPermutation(length: number, seedText: string): number[] {
  const generator = new Mulberry32(fnv1a32(seedText));
  const random = () => generator.next();
  const order = Array.from({ length }, (_, index) => index);
  for (let index = length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}
