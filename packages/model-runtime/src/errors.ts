const marker = Symbol.for('pixel-reasoner.model-runtime.error');

/** Base class of every error thrown by `@pixel-reasoner/model-runtime`. */
export class ModelRuntimeError extends Error {
  readonly [marker] = true;

  constructor(options: { name: string; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = options.name;
  }

  /** Works across duplicate installs of the package, unlike `instanceof`. */
  static isInstance(error: unknown): error is ModelRuntimeError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** A prompt profile id that is not built in. */
export class UnknownProfileError extends ModelRuntimeError {
  constructor(id: string, known: readonly string[]) {
    super({
      name: 'UnknownProfileError',
      message: `unknown prompt profile ${JSON.stringify(id)}; built-in profiles: ${known.join(', ')}`,
    });
  }
}

/** Episode inputs (question, media, limits, sampling) that cannot run. */
export class InvalidEpisodeInputError extends ModelRuntimeError {
  constructor(message: string) {
    super({ name: 'InvalidEpisodeInputError', message });
  }
}

/** Generate options a backend refuses before sending anything (e.g. a negative `maxTokens`). */
export class InvalidGenerateOptionsError extends ModelRuntimeError {
  constructor(message: string) {
    super({ name: 'InvalidGenerateOptionsError', message });
  }
}

/** The server answered a request with a 4xx status other than 429; retrying will not help. */
export class ModelRequestError extends ModelRuntimeError {
  readonly status: number;
  readonly url: string;
  constructor(options: { status: number; url: string; detail: string; cause?: unknown }) {
    super({
      name: 'ModelRequestError',
      message: `model server ${options.url} refused the request (HTTP ${options.status}): ${options.detail}`,
      cause: options.cause,
    });
    this.status = options.status;
    this.url = options.url;
  }
}

/** 429, 5xx, timeouts or connection failures persisted through every retry. */
export class ModelUnavailableError extends ModelRuntimeError {
  readonly attempts: number;
  readonly url: string;
  constructor(options: { url: string; attempts: number; detail: string; cause?: unknown }) {
    super({
      name: 'ModelUnavailableError',
      message: `model server ${options.url} failed after ${options.attempts} attempt(s): ${options.detail}`,
      cause: options.cause,
    });
    this.attempts = options.attempts;
    this.url = options.url;
  }
}

/** The caller's abort signal fired while a request was in flight. */
export class GenerationAbortedError extends ModelRuntimeError {
  constructor(modelId: string, cause?: unknown) {
    super({
      name: 'GenerationAbortedError',
      message: `generation by ${modelId} was aborted`,
      cause,
    });
  }
}

/** A server response that does not have the shape of a chat completion. */
export class InvalidModelResponseError extends ModelRuntimeError {
  constructor(message: string) {
    super({ name: 'InvalidModelResponseError', message });
  }
}

/** Bytes that are not a PNG or JPEG whose size can be read, or a malformed image data URL. */
export class InvalidImageError extends ModelRuntimeError {
  constructor(message: string) {
    super({ name: 'InvalidImageError', message });
  }
}

/** A backend that does not meet the v1 contract (raised by the conformance checks). */
export class ConformanceError extends ModelRuntimeError {
  readonly check: string;
  constructor(check: string, detail: string) {
    super({ name: 'ConformanceError', message: `conformance check "${check}" failed: ${detail}` });
    this.check = check;
  }
}

/** The preflight `GET /models` found no server at the URL (connection refused, DNS, timeout, 5xx). */
export class ModelServerUnreachableError extends ModelRuntimeError {
  readonly url: string;
  constructor(options: { url: string; detail: string; cause?: unknown }) {
    super({
      name: 'ModelServerUnreachableError',
      message: `model server ${options.url} is not reachable: ${options.detail}`,
      cause: options.cause,
    });
    this.url = options.url;
  }
}

/** The server is up but does not serve the requested model name. */
export class UnknownServedModelError extends ModelRuntimeError {
  readonly model: string;
  readonly available: string[];
  constructor(options: { url: string; model: string; available: string[] }) {
    super({
      name: 'UnknownServedModelError',
      message: `model server ${options.url} does not serve ${JSON.stringify(options.model)}; it serves ${options.available.length === 0 ? 'no models' : options.available.map((name) => JSON.stringify(name)).join(', ')}`,
    });
    this.model = options.model;
    this.available = options.available;
  }
}
