const marker = Symbol.for('pixel-reasoner.eval-benchmarks.error');

/** Base class of every error thrown by `@pixel-reasoner/eval-benchmarks`. */
export class EvalBenchmarksError extends Error {
  readonly [marker] = true;

  constructor(options: { name: string; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = options.name;
  }

  /** Works across duplicate installs of the package, unlike `instanceof`. */
  static isInstance(error: unknown): error is EvalBenchmarksError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** Where a record sits in its source file: a 1-based line (JSONL) or a 0-based record/row index. */
export interface RecordLocation {
  file: string;
  line?: number;
  row?: number;
}

export function describeLocation(location: RecordLocation): string {
  if (location.line !== undefined) return `${location.file}:${location.line}`;
  if (location.row !== undefined) return `${location.file} (record ${location.row})`;
  return location.file;
}

/** A record in a benchmark file lacks a field or has one of the wrong type. */
export class MalformedRecordError extends EvalBenchmarksError {
  readonly location: RecordLocation;

  constructor(location: RecordLocation, problem: string) {
    super({ name: 'MalformedRecordError', message: `${describeLocation(location)}: ${problem}` });
    this.location = location;
  }
}

/** A benchmark's data folder or annotation file is not where the layout says it is. */
export class BenchmarkDataNotFoundError extends EvalBenchmarksError {
  readonly path: string;

  constructor(path: string, what: string) {
    super({ name: 'BenchmarkDataNotFoundError', message: `${what} not found: ${path}` });
    this.path = path;
  }
}

/** A benchmark name or specification the registry does not know. */
export class UnknownBenchmarkError extends EvalBenchmarksError {
  constructor(specification: string, known: readonly string[]) {
    super({
      name: 'UnknownBenchmarkError',
      message: `unknown benchmark "${specification}"; known: ${known.join(', ')}`,
    });
  }
}

/** Runner options that cannot describe a run (bad shard, concurrency or limit). */
export class InvalidRunOptionsError extends EvalBenchmarksError {
  constructor(message: string) {
    super({ name: 'InvalidRunOptionsError', message });
  }
}

/** A line of an existing `results.jsonl` that is neither valid JSON nor the torn tail of a killed run. */
export class CorruptResultsError extends EvalBenchmarksError {
  constructor(file: string, line: number, problem: string) {
    super({ name: 'CorruptResultsError', message: `${file}:${line}: ${problem}` });
  }
}

/** A media file exists but cannot be read as an image or video. */
export class UnreadableMediaError extends EvalBenchmarksError {
  readonly path: string;

  constructor(path: string, problem: string) {
    super({ name: 'UnreadableMediaError', message: `${path}: ${problem}` });
    this.path = path;
  }
}

/** An output folder holds results of another model, profile or setting than the run asked for. */
export class RunSettingsMismatchError extends EvalBenchmarksError {
  readonly file: string;
  readonly differences: string[];

  constructor(file: string, differences: string[]) {
    super({
      name: 'RunSettingsMismatchError',
      message: `${file}: this output folder was written with other settings; use a new --out or delete the folder (${differences.join('; ')})`,
    });
    this.file = file;
    this.differences = differences;
  }
}

/** A media path of a dataset record resolves outside the dataset's root (`..`, absolute, symlink). */
export class MediaOutsideRootError extends EvalBenchmarksError {
  readonly location: RecordLocation;
  readonly path: string;
  readonly root: string;

  constructor(options: { location: RecordLocation; path: string; root: string }) {
    super({
      name: 'MediaOutsideRootError',
      message: `${describeLocation(options.location)}: media path ${JSON.stringify(options.path)} resolves outside the dataset root ${JSON.stringify(options.root)}`,
    });
    this.location = options.location;
    this.path = options.path;
    this.root = options.root;
  }
}
