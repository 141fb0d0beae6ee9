const marker = Symbol.for('pixel-reasoner.trajectory-synth.error');

/** Base class of every error thrown by `@pixel-reasoner/trajectory-synth`. */
export class TrajectorySynthError extends Error {
  readonly [marker] = true;

  constructor(options: { name: string; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = options.name;
  }

  /** Works across duplicate installs of the package, unlike `instanceof`. */
  static isInstance(error: unknown): error is TrajectorySynthError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** Where a bad record sits: a file, and a 1-based line for JSONL files. */
export interface RecordLocation {
  file: string;
  line?: number;
}

function describeLocation(location: RecordLocation): string {
  return location.line === undefined ? location.file : `${location.file}:${location.line}`;
}

/** A seed or dataset record does not match its schema. */
export class InvalidRecordError extends TrajectorySynthError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string;

  constructor(location: RecordLocation, field: string, problem: string, cause?: unknown) {
    super({
      name: 'InvalidRecordError',
      message: `${describeLocation(location)}: field \`${field}\` ${problem}`,
      cause,
    });
    this.file = location.file;
    this.line = location.line;
    this.field = field;
  }
}

/** A line of a JSONL file is not JSON at all. */
export class MalformedJsonError extends TrajectorySynthError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(location: RecordLocation, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super({
      name: 'MalformedJsonError',
      message: `${describeLocation(location)}: not valid JSON (${reason})`,
      cause,
    });
    this.file = location.file;
    this.line = location.line;
  }
}

/** A relative path in a data file points outside the data root. */
export class PathEscapeError extends TrajectorySynthError {
  readonly path: string;
  readonly root: string;

  constructor(path: string, root: string, location?: RecordLocation) {
    const where = location === undefined ? '' : `${describeLocation(location)}: `;
    super({
      name: 'PathEscapeError',
      message: `${where}path ${JSON.stringify(path)} resolves outside the root ${JSON.stringify(root)}`,
    });
    this.path = path;
    this.root = root;
  }
}

/** A file a record refers to is missing or unreadable. */
export class MissingMediaError extends TrajectorySynthError {
  readonly path: string;

  constructor(path: string, location: RecordLocation | undefined, cause?: unknown) {
    const where = location === undefined ? '' : `${describeLocation(location)}: `;
    super({
      name: 'MissingMediaError',
      message: `${where}cannot read media file ${JSON.stringify(path)}`,
      cause,
    });
    this.path = path;
  }
}

/** A synthesizer, writer or CLI option is out of range. */
export class InvalidOptionError extends TrajectorySynthError {
  readonly option: string;

  constructor(option: string, problem: string) {
    super({ name: 'InvalidOptionError', message: `option \`${option}\` ${problem}` });
    this.option = option;
  }
}

/**
 * No operation of the requested kind can be made for a seed, e.g. no wrong box that misses a
 * cue covering most of the image, or no wrong frames when the cue spans every frame.
 */
export class UnsatisfiableTrajectoryError extends TrajectorySynthError {
  readonly seedId: string;
  readonly kind: string;

  constructor(seedId: string, kind: string, reason: string) {
    super({
      name: 'UnsatisfiableTrajectoryError',
      message: `seed ${JSON.stringify(seedId)}: cannot build a \`${kind}\` trajectory (${reason})`,
    });
    this.seedId = seedId;
    this.kind = kind;
  }
}

/** An executed operation did not behave as planned (e.g. the crop failed or missed the cue). */
export class OperationCheckError extends TrajectorySynthError {
  readonly seedId: string;

  constructor(seedId: string, problem: string) {
    super({
      name: 'OperationCheckError',
      message: `seed ${JSON.stringify(seedId)}: ${problem}`,
    });
    this.seedId = seedId;
  }
}

/** The analyst backend failed or answered with something unusable. */
export class AnalystError extends TrajectorySynthError {
  constructor(message: string, cause?: unknown) {
    super({ name: 'AnalystError', message, cause });
  }
}

/**
 * A trajectory that an engine format cannot carry as it is, e.g. a text that itself contains the
 * `<image>` placeholder those formats use to place media (the counts would no longer match).
 */
export class ExportFormatError extends TrajectorySynthError {
  readonly trajectoryId: string;
  readonly format: string;

  constructor(options: { trajectoryId: string; format: string; problem: string }) {
    super({
      name: 'ExportFormatError',
      message: `trajectory ${JSON.stringify(options.trajectoryId)} cannot be written as ${options.format}: ${options.problem}`,
    });
    this.trajectoryId = options.trajectoryId;
    this.format = options.format;
  }
}

/** An output folder that cannot be one: a file is in the way, or it cannot be created or written. */
export class OutputFolderError extends TrajectorySynthError {
  readonly path: string;

  constructor(path: string, problem: string, cause?: unknown) {
    super({ name: 'OutputFolderError', message: `output folder ${path}: ${problem}`, cause });
    this.path = path;
  }
}
