import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PROCEDURAL_SUITE, type ProceduralPart } from '@pixel-reasoner/eval-benchmarks';
import { BACKEND_PRIORITY } from '@pixel-reasoner/model-runtime/local';
import { SCENE_FAMILIES, type SceneFamily } from '@pixel-reasoner/scenes';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** The scene families a run may use (owned by scenes). */
export const SCENE_FAMILY_NAMES: readonly SceneFamily[] = SCENE_FAMILIES;
/** The parts of the procedural suite (owned by eval-benchmarks). */
export const PROCEDURAL_PART_NAMES = Object.keys(PROCEDURAL_SUITE) as readonly ProceduralPart[];

// Each rule has one message, whatever part of it fails (type, integrality, range), which names
// the value given; the issue's path names the field (see `check`).
const got = (issue: { input?: unknown }) => `got ${JSON.stringify(issue.input)}`;

const integerProblem = (minimum: number) => (issue: { input?: unknown }) =>
  `must be an integer ≥ ${minimum}, ${got(issue)}`;

const integer = (minimum: number) => {
  const error = integerProblem(minimum);
  return z.number({ error }).refine(Number.isInteger, { error }).min(minimum, { error });
};

const number = (minimum: number, maximum: number, options: { exclusiveMinimum?: boolean } = {}) => {
  const low = options.exclusiveMinimum ? `(${minimum}` : `[${minimum}`;
  const error = (issue: { input?: unknown }) =>
    `must be a number in ${low}, ${maximum}], ${got(issue)}`;
  const checked = z.number({ error }).max(maximum, { error });
  return options.exclusiveMinimum
    ? checked.gt(minimum, { error })
    : checked.min(minimum, { error });
};

const integerList = (minimum: number) =>
  z.array(integer(minimum), {
    error: (issue) => `must be a list of integers ≥ ${minimum}, ${got(issue)}`,
  });

const textProblem = (issue: { input?: unknown }) => `must be a non-empty string, ${got(issue)}`;
const text = z.string({ error: textProblem }).min(1, { error: textProblem });

const boolean = z.boolean({ error: (issue) => `must be true or false, ${got(issue)}` });

const oneOf = <const T extends readonly string[]>(choices: T) =>
  z.enum(choices, { error: (issue) => `must be one of ${choices.join(', ')}, ${got(issue)}` });

const listOf = <const T extends readonly string[]>(choices: T) => {
  const error = `must be a non-empty list of ${choices.join(', ')}`;
  return z
    .array(oneOf(choices), { error })
    .min(1, { error })
    .refine((names) => new Set(names).size === names.length, { error: 'lists a name twice' });
};

/** A strict object: an unknown key is reported with the keys it knows (`extend` included). */
const fields = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `is not a config field (known: ${Object.keys((issue.inst as z.ZodObject).shape).join(', ')})`
        : 'must be a JSON object',
  });

/** A section of the config: every field in it defaults, so an absent section is an empty one. */
const section = <T extends z.core.$ZodLooseShape>(shape: T) => {
  const object = fields(shape);
  return object.prefault({} as z.input<typeof object>);
};

const ITEMS_PER_FAMILY_KEYS = ['default', ...SCENE_FAMILIES] as const;

/** Everything a pipeline run needs, each field declared once with its rule and its default. */
const CONFIG_SCHEMA = fields({
  /** Seeds model initialisation, synthesis phrasing and rollouts. */
  seed: integer(0).default(0),
  /** tfjs backend (default: the first that loads, see model-runtime's `selectBackend`). */
  backend: oneOf(BACKEND_PRIORITY).optional(),
  /**
   * A base checkpoint folder (written by `pixel-reasoner-train pretrain`, relative to the config
   * file): the pipeline starts SFT from it and takes its tokenizer and model shape, as the paper
   * starts from a pretrained VLM. Without it the model is initialised from scratch.
   */
  base: text.optional(),
  /**
   * Worker threads for training gradients, GRPO rollouts and evaluation episodes, each with its
   * own tfjs backend (`auto`: one per core; 0: everything in the main thread).
   */
  workers: z.union([z.literal('auto'), integer(0)], { error: integerProblem(0) }).default('auto'),
  scenes: section({
    families: listOf(SCENE_FAMILIES).default(() => [...SCENE_FAMILIES]),
    /** Pixel budget of the model's global view of an image (= the model's input budget). */
    viewPixels: integer(256).default(64 * 64),
    /** Pixel budget of a crop / selected frame (= the model's operation budget). */
    operationViewPixels: integer(256).default(128 * 128),
    /** Pixel budget of each video frame in the global view. */
    frameViewPixels: integer(256).default(32 * 32),
    /** Share of items answerable without an operation. */
    answerableShare: number(0, 1).default(0.3),
  }),
  synth: section({
    /** Trajectories written to `synth/` (the tokenizer corpus, and SFT data with `sft.data: "synth"`). */
    count: integer(1).default(200),
    textOnlyShare: number(0, 1).default(0.25),
  }),
  tokenizer: section({
    vocabSize: integer(300).default(1024),
    minFrequency: integer(1).default(2),
    /** `words` (Qwen2 pre-tokenization) or `digits` (merges span words; ~2.5× shorter sequences). */
    pretokenizer: oneOf(['words', 'digits']).default('words'),
  }),
  model: section({
    dModel: integer(4).default(128),
    numHeads: integer(1).default(4),
    numLayers: integer(1).default(4),
    visionLayers: integer(0).default(1),
    ffnDim: integer(4).default(512),
    patchSize: integer(2).default(16),
    /** Hierarchical patch stem widths (see TinyVLM's `stemChannels`; empty: linear patches). */
    stemChannels: integerList(1).default(() => []),
    /** 2: disjoint 2×2 stem merges; 4: overlapping 4×4 windows. */
    stemKernel: z.literal([2, 4], { error: (issue) => `must be 2 or 4, ${got(issue)}` }).default(2),
    maxSequenceLength: integer(64).default(2048),
  }),
  /** `pixel-reasoner-train pretrain`: perception pretraining of the base on procedural scenes. */
  pretrain: section({
    /**
     * First the image encoder alone: scenes with a zoom on every object, per-token object labels
     * only (no decoder pass), many images per step. `batchSize` counts examples; `sheetWeight`
     * is the weight of tag-sheet examples (four zooms on a sheet packed with tags) against scene
     * examples (1).
     */
    vision: section({
      steps: integer(0).default(500),
      batchSize: integer(1).default(6),
      learningRate: number(0, 1, { exclusiveMinimum: true }).default(3e-3),
      sheetWeight: number(0, 100).default(0),
    }),
    steps: integer(1).default(1000),
    batchSize: integer(1).default(16),
    learningRate: number(0, 1, { exclusiveMinimum: true }).default(2e-3),
    warmupRatio: number(0, 0.99).default(0.03),
    minLearningRateRatio: number(0, 1).default(0.1),
    gradientClip: number(0, 1e6).default(1),
    checkpointEvery: integer(0).default(50),
    /** Weight of the auxiliary per-token object heads against the answer loss. */
    auxiliaryWeight: number(0, 100).default(1),
    /**
     * What the decoder sees of the object heads (TinyVLM's `groundedHeads`): `none`; `tokens`:
     * each image token carries the token embeddings of its predicted content and plate texts;
     * `pooled`: and the zoom's content reading at every token of the image (`pooledHeads`).
     */
    grounding: oneOf(['none', 'tokens', 'pooled']).default('none'),
    /** Relative weight of each perception task. */
    tasks: section({
      read: number(0, 100).default(4),
      locate: number(0, 100).default(3),
      answer: number(0, 100).default(2),
      frames: number(0, 100).default(1),
      /** Text only: the question plus what a close look shows, answered with the option. */
      options: number(0, 100).default(0),
    }),
    /** Held-out items per family and task in the base's own evaluation. */
    evalItemsPerTask: integer(1).default(50),
  }),
  sft: section({
    steps: integer(1).default(200),
    batchSize: integer(1).default(4),
    learningRate: number(0, 1, { exclusiveMinimum: true }).default(1e-3),
    warmupRatio: number(0, 0.99).default(0.1),
    minLearningRateRatio: number(0, 1).default(0.1),
    gradientClip: number(0, 1e6).default(1),
    checkpointEvery: integer(0).default(20),
    /** `stream`: fresh scenes synthesized on the fly (default); `synth`: the fixed `synth/` pool. */
    data: oneOf(['stream', 'synth']).default('stream'),
  }),
  grpo: section({
    steps: integer(1).default(20),
    promptsPerStep: integer(1).default(4),
    groupSize: integer(2).default(4),
    learningRate: number(0, 1, { exclusiveMinimum: true }).default(1e-4),
    gradientClip: number(0, 1e6, { exclusiveMinimum: true }).default(1),
    microBatch: integer(1).default(4),
    rolloutConcurrency: integer(1).default(2),
    checkpointEvery: integer(1).default(5),
    maxTokensPerTurn: integer(1).default(160),
    maxOperations: integer(1).default(4),
    filterZeroAdvantage: boolean.default(true),
    selectiveSampleReplay: boolean.default(false),
    /** r' = r + α·max(H − RaPR, 0)·1[ops] + β·min(N − n_ops, 0) (paper values 0.5, 0.3, 0.05, 1). */
    curiosity: section({
      alpha: number(0, 10).default(0.5),
      H: number(0, 1).default(0.3),
      beta: number(0, 10).default(0.05),
      N: integer(0).default(1),
    }),
  }),
  eval: section({
    parts: listOf(PROCEDURAL_PART_NAMES).default(() => [...PROCEDURAL_PART_NAMES]),
    /** Held-out items per scene family: one count, or per family with a `default`. */
    itemsPerFamily: z
      .union(
        [
          integer(1),
          z.strictObject(
            Object.fromEntries(
              ITEMS_PER_FAMILY_KEYS.map((key) => [key, integer(1).optional()]),
            ) as Record<SceneFamily | 'default', z.ZodOptional<ReturnType<typeof integer>>>,
            { error: 'is not a scene family or "default"' },
          ),
        ],
        {
          error: (issue) =>
            typeof issue.input === 'number'
              ? integerProblem(1)(issue)
              : 'must be an integer or an object of family → integer',
        },
      )
      .default(10),
    maxTokensPerTurn: integer(1).default(160),
    maxOperations: integer(1).default(4),
    concurrency: integer(1).default(2),
  }),
});

/** A config file may also carry a `description` for people reading it. */
const FILE_SCHEMA = CONFIG_SCHEMA.extend({ description: z.unknown().optional() });

/** Everything a pipeline run needs; every field has a default (see `DEFAULT_CONFIG`). */
export type TrainConfig = z.output<typeof CONFIG_SCHEMA>;

export const DEFAULT_CONFIG: TrainConfig = CONFIG_SCHEMA.parse({});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One problem of a failed parse, at the path of the field it names. */
interface Problem {
  path: PropertyKey[];
  problem: string;
}

function problemsOf(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // The branch that got past the value's shape (an object of counts) says what is wrong in
      // it; otherwise the union's own message does.
      const inside = issue.errors.find((branch) =>
        branch.some((inner) => inner.path.length > 0 || inner.code === 'unrecognized_keys'),
      );
      if (inside) return problemsOf(inside, path);
    }
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], problem: issue.message }));
    }
    return [{ path, problem: issue.message }];
  });
}

/** Where `path` sits in `input`: key indices, so problems sort in the order the input lists them. */
function positionOf(path: readonly PropertyKey[], input: unknown): number[] {
  let node = input;
  return path.map((key) => {
    const index = Array.isArray(node)
      ? Number(key)
      : isPlainObject(node)
        ? Object.keys(node).indexOf(String(key))
        : -1;
    node =
      isPlainObject(node) || Array.isArray(node)
        ? (node as Record<string, unknown>)[String(key)]
        : undefined;
    return index < 0 ? Number.POSITIVE_INFINITY : index;
  });
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index] !== b[index]) return (a[index] as number) - (b[index] as number);
  }
  return a.length - b.length;
}

function fieldName(path: readonly PropertyKey[]): string {
  const name = path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');
  return name || 'the config';
}

// A field set to `undefined` (possible from code, not JSON) breaks its rule ("got undefined")
// rather than taking its default: zod reads `undefined` as absent, this symbol as a wrong value.
const WRITTEN_UNDEFINED = Symbol('undefined');

function markUndefined(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      field === undefined ? WRITTEN_UNDEFINED : markUndefined(field),
    ]),
  );
}

/**
 * Checks what the user wrote (a config file, or one override) against `schema`, throwing the
 * problem a reader meets first, as a ConfigError naming its field.
 */
function check(schema: z.ZodType, written: unknown): void {
  const result = schema.safeParse(markUndefined(written));
  if (result.success) return;
  const [first] = problemsOf(result.error.issues)
    .map((problem) => ({ ...problem, position: positionOf(problem.path, written) }))
    .sort((a, b) => compare(a.position, b.position));
  throw new ConfigError(fieldName(first?.path ?? []), first?.problem ?? 'is not valid');
}

/**
 * `change` (checked) over `base`, merging into the schema's sections and replacing every other
 * field with the value as written, so a config keeps its key order (`config.json` of a run pins
 * it as text).
 */
function mergeInto(
  base: Record<string, unknown>,
  change: Record<string, unknown>,
  schema: z.ZodObject,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(change)) {
    const field = Object.hasOwn(schema.shape, key) ? schema.shape[key] : undefined;
    const inner = field instanceof z.ZodPrefault ? field.unwrap() : undefined;
    const current = base[key];
    merged[key] =
      inner instanceof z.ZodObject && isPlainObject(value) && isPlainObject(current)
        ? mergeInto(current, value, inner)
        : value;
  }
  return merged;
}

/** Cross-field rules the per-field schema cannot express. */
function checkConsistency(config: TrainConfig): void {
  if (config.model.dModel % config.model.numHeads !== 0) {
    throw new ConfigError(
      'model.numHeads',
      `must divide model.dModel (${config.model.dModel}), got ${config.model.numHeads}`,
    );
  }
  if (config.eval.maxTokensPerTurn >= config.model.maxSequenceLength) {
    throw new ConfigError(
      'eval.maxTokensPerTurn',
      `must be below model.maxSequenceLength (${config.model.maxSequenceLength})`,
    );
  }
  if (config.grpo.maxTokensPerTurn >= config.model.maxSequenceLength) {
    throw new ConfigError(
      'grpo.maxTokensPerTurn',
      `must be below model.maxSequenceLength (${config.model.maxSequenceLength})`,
    );
  }
}

function withSource<T>(source: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (source === undefined || !ConfigError.isInstance(error) || !(error instanceof ConfigError)) {
      throw error;
    }
    throw new ConfigError(error.field, error.problem, source);
  }
}

/** A validated config: defaults, then `partial` (a parsed config file), then `--set` overrides. */
export function resolveConfig(
  partial: unknown = {},
  options: { source?: string; overrides?: readonly string[] } = {},
): TrainConfig {
  let merged = withSource(options.source, () => {
    check(FILE_SCHEMA, partial);
    const { description: _description, ...fields } = partial as Record<string, unknown>;
    return mergeInto(DEFAULT_CONFIG, fields, CONFIG_SCHEMA);
  });
  for (const override of options.overrides ?? []) {
    const base = merged;
    merged = withSource(`--set ${override}`, () => {
      const change = parseOverride(override);
      check(CONFIG_SCHEMA, change);
      return mergeInto(base, change, CONFIG_SCHEMA);
    });
  }
  // The defaults are the schema's, and it checked every field written over them.
  const config = merged as TrainConfig;
  withSource(options.source, () => checkConsistency(config));
  return config;
}

/** `sft.steps=20` → `{ sft: { steps: 20 } }`; the value is JSON when it parses, else a string. */
export function parseOverride(text: string): Record<string, unknown> {
  const equals = text.indexOf('=');
  if (equals <= 0)
    throw new ConfigError(text, 'must look like field.path=value (e.g. sft.steps=20)');
  const path = text.slice(0, equals).split('.');
  const raw = text.slice(equals + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const root: Record<string, unknown> = {};
  let node = root;
  path.forEach((key, index) => {
    if (key === '') throw new ConfigError(text, 'has an empty field name');
    // Assigning these would change an object's prototype instead of setting a field.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw new ConfigError(text, `"${key}" is not a config field`);
    }
    if (index === path.length - 1) {
      node[key] = value;
    } else {
      const child: Record<string, unknown> = {};
      node[key] = child;
      node = child;
    }
  });
  return root;
}

/** Reads and validates a JSON config file (errors name the file and the field). */
export async function loadConfig(
  file: string | undefined,
  overrides: readonly string[] = [],
): Promise<TrainConfig> {
  if (file === undefined) return resolveConfig({}, { overrides });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('--config', `cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('the config', `is not valid JSON: ${(error as Error).message}`, file);
  }
  const config = resolveConfig(parsed, { source: file, overrides });
  // A base is named relative to the config file that names it.
  if (config.base !== undefined) config.base = resolve(dirname(file), config.base);
  return config;
}
