import {
  type PromptProfile,
  parseToolCall,
  pixelReasonerV1Profile,
  REFERENCE_LIMITS,
} from '@pixel-reasoner/model-runtime';
import {
  CROP_TOOL_NAME,
  DEFAULT_MAX_INPUT_PIXELS,
  decodeImage,
  type EncodedImage,
  type ExecuteToolOptions,
  executeToolCall,
  PathOutsideRootError,
  REFERENCE_TRAIN_OPTIONS,
  resolveInsideRoot,
  SELECT_FRAMES_TOOL_NAME,
  type ToolOutcome,
  toDataUrl,
  type VisualInput,
  VisualOpsError,
} from '@pixel-reasoner/visual-ops';
import {
  ImagePathOutsideRootError,
  InvalidOptionError,
  InvalidRequestError,
  ToolServerError,
  TrajectoryImageError,
} from './errors.js';
import {
  type TrajectoryState,
  TrajectoryStore,
  type TrajectoryStoreOptions,
  type TrajectoryStoreStats,
} from './trajectory-store.js';

/** verl-tool's `ActionRequest` (`verl_tool/servers/tool_server.py`). */
export interface ActionRequest {
  trajectory_ids: string[];
  actions: string[];
  extra_fields?: Record<string, unknown>[] | null;
  finish?: boolean[] | null;
  is_last_step?: boolean[] | null;
}

/** An observation as verl-tool's agent loop reads it: plain text, or a dict with `obs`. */
export type Observation =
  | string
  | {
      obs: string;
      /** One data URL (a crop) or several (selected frames), in `<image>` order. */
      image?: string | string[];
      /** Why the action was not run (no tool call in it, the image limit). */
      invalid_reason?: string;
      /** A server-side failure for this trajectory (its images could not be loaded). */
      error?: string;
    };

/** verl-tool's `AgentResponse`. */
export interface AgentResponse {
  observations: Observation[];
  dones: boolean[];
  valids: boolean[];
  processing_time_ms: number;
}

export interface ToolServiceOptions extends TrajectoryStoreOptions {
  /**
   * Folder that image paths in `extra_fields.images` must resolve inside (absolute paths inside it
   * are fine). Without it, only `data:` URLs are accepted.
   */
  imageRoot?: string;
  /** Crop/frame settings; default the reference's RL training ones (`REFERENCE_TRAIN_OPTIONS`). */
  toolOptions?: ExecuteToolOptions;
  /**
   * Other tool names to run as one of ours, e.g. `{ crop_image: 'crop_image_normalized' }` for
   * verl-tool's own prompt (which names the crop tool `crop_image`). Default none: an unknown name
   * gets the reference's error text.
   */
  toolAliases?: Readonly<Record<string, string>>;
  /** The visual list may hold at most this many items (a video counts once); default 16. */
  maxImagesPerTrajectory?: number;
  /** Input images above this many pixels are refused (decompression-bomb guard). */
  maxInputPixels?: number;
  /** Observation texts; default the `pixel-reasoner-v1` profile (the released model's wire format). */
  profile?: PromptProfile;
  /** Called for every trajectory whose images cannot be loaded (the answer carries the message). */
  onTrajectoryError?: (error: ToolServerError) => void;
}

export interface ToolServiceStats extends TrajectoryStoreStats {
  requests: number;
  actions: number;
  inFlight: number;
}

const OUR_TOOLS: readonly string[] = [CROP_TOOL_NAME, SELECT_FRAMES_TOOL_NAME];

function expectArray(body: Record<string, unknown>, field: string, required: boolean) {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw new InvalidRequestError(field, 'is required');
    return undefined;
  }
  if (!Array.isArray(value)) throw new InvalidRequestError(field, 'must be a list');
  return value as unknown[];
}

/** Checks a request body against verl-tool's `ActionRequest` rules; throws `InvalidRequestError`. */
export function parseActionRequest(body: unknown): ActionRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError('(body)', 'must be a JSON object');
  }
  const record = body as Record<string, unknown>;
  const ids = expectArray(record, 'trajectory_ids', true)!;
  if (ids.length === 0) throw new InvalidRequestError('trajectory_ids', 'must not be empty');
  const count = ids.length;
  const sameLength = (
    field: string,
    items: unknown[] | undefined,
    check: (v: unknown) => boolean,
    kind: string,
  ) => {
    if (items === undefined) return;
    if (items.length !== count) {
      throw new InvalidRequestError(
        field,
        `has ${items.length} items, trajectory_ids has ${count}`,
      );
    }
    const bad = items.findIndex((item) => !check(item));
    if (bad >= 0) throw new InvalidRequestError(`${field}[${bad}]`, `must be ${kind}`);
  };
  sameLength('trajectory_ids', ids, (v) => typeof v === 'string', 'a string');
  const actions = expectArray(record, 'actions', true)!;
  sameLength('actions', actions, (v) => typeof v === 'string', 'a string');
  const extra = expectArray(record, 'extra_fields', false);
  sameLength(
    'extra_fields',
    extra,
    (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
    'an object',
  );
  const finish = expectArray(record, 'finish', false);
  sameLength('finish', finish, (v) => typeof v === 'boolean', 'a boolean');
  const lastStep = expectArray(record, 'is_last_step', false);
  sameLength('is_last_step', lastStep, (v) => typeof v === 'boolean', 'a boolean');
  return {
    trajectory_ids: ids as string[],
    actions: actions as string[],
    ...(extra ? { extra_fields: extra as Record<string, unknown>[] } : {}),
    ...(finish ? { finish: finish as boolean[] } : {}),
    ...(lastStep ? { is_last_step: lastStep as boolean[] } : {}),
  };
}

interface ItemResult {
  observation: Observation;
  done: boolean;
  valid: boolean;
}

/**
 * The request handling of `pixel-reasoner-tool-server` without HTTP: verl-tool requests in,
 * verl-tool answers out, the running visual list of every trajectory kept in a bounded store.
 * Items of a request, and requests, run concurrently; calls for one trajectory run in order.
 */
export class ToolService {
  readonly store: TrajectoryStore;
  private readonly imageRoot: string | undefined;
  private readonly toolOptions: ExecuteToolOptions;
  private readonly aliases: ReadonlyMap<string, string>;
  private readonly maxImages: number;
  private readonly maxInputPixels: number;
  private readonly profile: PromptProfile;
  private readonly onTrajectoryError: ((error: ToolServerError) => void) | undefined;
  private readonly queues = new Map<string, Promise<unknown>>();
  private requests = 0;
  private actions = 0;
  private inFlight = 0;

  constructor(options: ToolServiceOptions = {}) {
    this.store = new TrajectoryStore(options);
    this.imageRoot = options.imageRoot;
    this.toolOptions = options.toolOptions ?? REFERENCE_TRAIN_OPTIONS;
    const aliases = new Map<string, string>();
    for (const [alias, target] of Object.entries(options.toolAliases ?? {})) {
      if (!OUR_TOOLS.includes(target)) {
        throw new InvalidOptionError(
          'toolAliases',
          `maps ${JSON.stringify(alias)} to ${JSON.stringify(target)}; targets must be ${OUR_TOOLS.join(' or ')}`,
        );
      }
      aliases.set(alias, target);
    }
    this.aliases = aliases;
    this.maxImages = options.maxImagesPerTrajectory ?? REFERENCE_LIMITS.maxImages;
    if (!(Number.isInteger(this.maxImages) && this.maxImages > 0)) {
      throw new InvalidOptionError(
        'maxImagesPerTrajectory',
        `must be a positive integer, got ${this.maxImages}`,
      );
    }
    this.maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
    this.profile = options.profile ?? pixelReasonerV1Profile;
    this.onTrajectoryError = options.onTrajectoryError;
  }

  /** Answers one `/get_observation` body (throws `InvalidRequestError` for a malformed one). */
  async getObservations(body: unknown): Promise<AgentResponse> {
    const started = performance.now();
    const request = parseActionRequest(body);
    this.requests++;
    this.actions += request.trajectory_ids.length;
    const results = await Promise.all(
      request.trajectory_ids.map((id, index) =>
        this.serialized(id, () =>
          this.handleItem({
            id,
            action: request.actions[index]!,
            extra: request.extra_fields?.[index] ?? {},
            finish: request.finish?.[index] === true,
            lastStep: request.is_last_step?.[index] === true,
          }),
        ),
      ),
    );
    return {
      observations: results.map((result) => result.observation),
      dones: results.map((result) => result.done),
      valids: results.map((result) => result.valid),
      processing_time_ms: performance.now() - started,
    };
  }

  stats(): ToolServiceStats {
    return {
      ...this.store.stats(),
      requests: this.requests,
      actions: this.actions,
      inFlight: this.inFlight,
    };
  }

  /** Runs `task` after every earlier task of the same trajectory. */
  private async serialized<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    }
  }

  private async handleItem(item: {
    id: string;
    action: string;
    extra: Record<string, unknown>;
    finish: boolean;
    lastStep: boolean;
  }): Promise<ItemResult> {
    this.inFlight++;
    try {
      if (item.finish || item.extra.finish === true) {
        this.store.delete(item.id, 'finish');
        return { observation: '', done: true, valid: true };
      }
      const result = await this.runAction(item.id, item.action, item.extra);
      if (item.lastStep || item.extra.is_last_step === true)
        this.store.delete(item.id, 'last-step');
      return result;
    } finally {
      this.inFlight--;
    }
  }

  private async runAction(
    id: string,
    action: string,
    extra: Record<string, unknown>,
  ): Promise<ItemResult> {
    const parsed = parseToolCall(action, { knownTools: [...OUR_TOOLS, ...this.aliases.keys()] });
    if (parsed.kind === 'none') {
      return {
        observation: { obs: '', invalid_reason: 'the action does not end with </tool_call>' },
        done: false,
        valid: false,
      };
    }
    let state: TrajectoryState;
    try {
      state = this.store.get(id) ?? this.store.create(id, await this.loadVisuals(id, extra));
    } catch (error) {
      if (!ToolServerError.isInstance(error)) throw error;
      this.onTrajectoryError?.(error);
      return { observation: { obs: '', error: error.message }, done: true, valid: false };
    }
    if (parsed.kind === 'invalid') return this.errorResult(parsed.error);
    const name = this.aliases.get(parsed.call.name) ?? parsed.call.name;
    const outcome: ToolOutcome = await executeToolCall(
      { name, arguments: parsed.call.arguments },
      state.visuals,
      this.toolOptions,
    );
    if (!outcome.ok) return this.errorResult(outcome.error);
    if (state.visuals.length + outcome.images.length > this.maxImages) {
      return {
        observation: {
          obs: '',
          invalid_reason: `the trajectory would hold more than ${this.maxImages} images`,
        },
        done: true,
        valid: false,
      };
    }
    const parts =
      outcome.name === CROP_TOOL_NAME
        ? this.profile.observation({ kind: 'crop', image: outcome.images[0] })
        : this.profile.observation({
            kind: 'frames',
            frames: outcome.images,
            listLengthBefore: state.visuals.length,
          });
    const text = parts.map((part) => (part.type === 'text' ? part.text : '<image>')).join('');
    const urls = outcome.images.map((image) => toDataUrl(image));
    this.store.append(
      state,
      outcome.images.map((image) => ({ type: 'image', image })),
    );
    return {
      observation: { obs: text, image: outcome.name === CROP_TOOL_NAME ? urls[0]! : urls },
      done: false,
      valid: true,
    };
  }

  private errorResult(message: string): ItemResult {
    const parts = this.profile.observation({ kind: 'error', message });
    const text = parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
    return { observation: text, done: false, valid: false };
  }

  private resolveImagePath(path: string): string {
    const bare = path.startsWith('file://') ? path.slice('file://'.length) : path;
    if (this.imageRoot === undefined) {
      throw new ImagePathOutsideRootError({ path, root: undefined });
    }
    try {
      return resolveInsideRoot(this.imageRoot, bare);
    } catch (error) {
      if (error instanceof PathOutsideRootError) {
        throw new ImagePathOutsideRootError({ path, root: this.imageRoot });
      }
      throw error;
    }
  }

  private async loadVisuals(id: string, extra: Record<string, unknown>): Promise<VisualInput[]> {
    const sources = extra.images;
    if (!Array.isArray(sources) || sources.length === 0) {
      throw new TrajectoryImageError({
        trajectoryId: id,
        index: 0,
        detail: 'extra_fields.images must be a non-empty list of paths or data URLs',
      });
    }
    const images: EncodedImage[] = await Promise.all(
      sources.map(async (source, index) => {
        if (typeof source !== 'string') {
          throw new TrajectoryImageError({
            trajectoryId: id,
            index,
            detail: `expected a path or data URL string, got ${typeof source}`,
          });
        }
        const input = source.startsWith('data:') ? source : this.resolveImagePath(source);
        try {
          return await decodeImage(input, {
            maxPixels: this.maxInputPixels,
            label: source.startsWith('data:') ? `extra_fields.images[${index}]` : source,
          });
        } catch (error) {
          if (!VisualOpsError.isInstance(error)) throw error;
          throw new TrajectoryImageError({
            trajectoryId: id,
            index,
            detail: error.message,
            cause: error,
          });
        }
      }),
    );
    // verl-tool passes a video as its frames in `images`, marked by the dataset's `is_video`.
    if (extra.is_video === true) return [{ type: 'video', frames: images }];
    return images.map((image) => ({ type: 'image', image }));
  }
}
