const marker = Symbol.for('pixel-reasoner.model-runtime.local.error');

/** Base class of every error thrown by `@pixel-reasoner/model-runtime/local`. */
export class LocalModelError extends Error {
  readonly [marker] = true;

  constructor(options: { name: string; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = options.name;
  }

  /** Works across duplicate installs of the package, unlike `instanceof`. */
  static isInstance(error: unknown): error is LocalModelError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** A requested tfjs backend could not be loaded or initialised. */
export class BackendUnavailableError extends LocalModelError {
  constructor(message: string, cause?: unknown) {
    super({ name: 'BackendUnavailableError', message, cause });
  }
}

/** A model configuration value is out of range or inconsistent. */
export class InvalidModelConfigError extends LocalModelError {
  constructor(message: string) {
    super({ name: 'InvalidModelConfigError', message });
  }
}

/** A tokenizer file uses a feature this tokenizer does not implement, or is malformed. */
export class UnsupportedTokenizerError extends LocalModelError {
  constructor(message: string) {
    super({ name: 'UnsupportedTokenizerError', message });
  }
}

/** A prompt (plus generation budget) does not fit the model's maximum sequence length. */
export class ContextLengthExceededError extends LocalModelError {
  constructor(message: string) {
    super({ name: 'ContextLengthExceededError', message });
  }
}

/** An image in a chat could not be decoded or does not fit the vision encoder. */
export class InvalidImageError extends LocalModelError {
  constructor(message: string, cause?: unknown) {
    super({ name: 'InvalidImageError', message, cause });
  }
}

/** A checkpoint folder or safetensors file is missing, malformed or mismatched. */
export class InvalidCheckpointError extends LocalModelError {
  constructor(message: string, cause?: unknown) {
    super({ name: 'InvalidCheckpointError', message, cause });
  }
}

/** A batch handed to the training API is inconsistent (shapes, masks, image counts). */
export class InvalidBatchError extends LocalModelError {
  constructor(message: string) {
    super({ name: 'InvalidBatchError', message });
  }
}

/** An optimizer or learning-rate schedule option is out of range; the message names it. */
export class InvalidOptimizerOptionError extends LocalModelError {
  /** The option's name (`beta1`, `peak`, `maxNorm`, ...), so callers can re-label it. */
  readonly option: string;
  /** What is wrong with it, e.g. `must be in [0, 1), got 1`. */
  readonly problem: string;

  constructor(option: string, problem: string) {
    super({ name: 'InvalidOptimizerOptionError', message: `${option} ${problem}` });
    this.option = option;
    this.problem = problem;
  }
}

/** A worker thread of a data-parallel pool failed (its error text is in the message). */
export class WorkerFailedError extends LocalModelError {
  constructor(message: string, cause?: unknown) {
    super({ name: 'WorkerFailedError', message, cause });
  }
}
