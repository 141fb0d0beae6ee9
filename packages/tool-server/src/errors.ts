const marker = Symbol.for('pixel-reasoner.tool-server.error');

/** Base class of every error thrown by `@pixel-reasoner/tool-server`. */
export class ToolServerError extends Error {
  readonly [marker] = true;

  constructor(options: { name: string; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = options.name;
  }

  /** Works across duplicate installs of the package, unlike `instanceof`. */
  static isInstance(error: unknown): error is ToolServerError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** A server option outside its valid range (a negative TTL, a cap of zero, ...). */
export class InvalidOptionError extends ToolServerError {
  readonly option: string;
  constructor(option: string, problem: string) {
    super({ name: 'InvalidOptionError', message: `option ${option} ${problem}` });
    this.option = option;
  }
}

/** A `/get_observation` body that does not have verl-tool's request shape. */
export class InvalidRequestError extends ToolServerError {
  readonly field: string;
  constructor(field: string, problem: string) {
    super({ name: 'InvalidRequestError', message: `request field \`${field}\` ${problem}` });
    this.field = field;
  }
}

/** An image path in a trajectory's `extra_fields.images` that resolves outside the image root. */
export class ImagePathOutsideRootError extends ToolServerError {
  readonly path: string;
  readonly root: string | undefined;
  constructor(options: { path: string; root: string | undefined }) {
    super({
      name: 'ImagePathOutsideRootError',
      message:
        options.root === undefined
          ? `image path ${JSON.stringify(options.path)} refused: no image root is configured (pass data URLs or set imageRoot)`
          : `image path ${JSON.stringify(options.path)} escapes the image root ${JSON.stringify(options.root)}`,
    });
    this.path = options.path;
    this.root = options.root;
  }
}

/** The images of a trajectory cannot be loaded (unreadable file, bad data URL, undecodable bytes). */
export class TrajectoryImageError extends ToolServerError {
  readonly trajectoryId: string;
  readonly index: number;
  constructor(options: { trajectoryId: string; index: number; detail: string; cause?: unknown }) {
    super({
      name: 'TrajectoryImageError',
      message: `trajectory ${JSON.stringify(options.trajectoryId)}: extra_fields.images[${options.index}] cannot be loaded: ${options.detail}`,
      cause: options.cause,
    });
    this.trajectoryId = options.trajectoryId;
    this.index = options.index;
  }
}
