import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './errors.js';

export const SCENE_FAMILY_NAMES = [
  'zoom-attribute',
  'relative-position',
  'count',
  'frames',
  'infographic',
] as const;
export type SceneFamilyName = (typeof SCENE_FAMILY_NAMES)[number];

export const PROCEDURAL_PART_NAMES = ['vstar', 'tallyqa', 'mvbench', 'infovqa'] as const;
export type ProceduralPartName = (typeof PROCEDURAL_PART_NAMES)[number];

export const TF_BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;

/** Everything a pipeline run needs; every field has a default (see `DEFAULT_CONFIG`). */
export interface TrainConfig {
  /** Seeds model initialisation, synthesis phrasing and rollouts. */
  seed: number;
  /** tfjs backend (default: the first that loads, see model-runtime's `selectBackend`). */
  backend?: (typeof TF_BACKEND_NAMES)[number];
  /**
   * A base checkpoint folder (written by `pixel-reasoner-train pretrain`, relative to the config
   * file): the pipeline starts SFT from it and takes its tokenizer and model shape, as the paper
   * starts from a pretrained VLM. Without it the model is initialised from scratch.
   */
  base?: string;
  /**
   * Worker threads for training gradients, GRPO rollouts and evaluation episodes, each with its
   * own tfjs backend (`auto`: one per core; 0: everything in the main thread).
   */
  workers: number | 'auto';
  scenes: {
    families: SceneFamilyName[];
    /** Pixel budget of the model's global view of an image (= the model's input budget). */
    viewPixels: number;
    /** Pixel budget of a crop / selected frame (= the model's operation budget). */
    operationViewPixels: number;
    /** Pixel budget of each video frame in the global view. */
    frameViewPixels: number;
    /** Share of items answerable without an operation. */
    answerableShare: number;
  };
  synth: {
    /** Trajectories written to `synth/` (the tokenizer corpus, and SFT data with `sft.data: "synth"`). */
    count: number;
    textOnlyShare: number;
  };
  tokenizer: {
    vocabSize: number;
    minFrequency: number;
    /** `words` (Qwen2 pre-tokenization) or `digits` (merges span words; ~2.5× shorter sequences). */
    pretokenizer: 'words' | 'digits';
  };
  model: {
    dModel: number;
    numHeads: number;
    numLayers: number;
    visionLayers: number;
    ffnDim: number;
    patchSize: number;
    /** Hierarchical patch stem widths (see TinyVLM's `stemChannels`; empty: linear patches). */
    stemChannels: number[];
    /** 2: disjoint 2×2 stem merges; 4: overlapping 4×4 windows. */
    stemKernel: 2 | 4;
    maxSequenceLength: number;
  };
  /** `pixel-reasoner-train pretrain`: perception pretraining of the base on procedural scenes. */
  pretrain: {
    /**
     * First the image encoder alone: scenes with a zoom on every object, per-token object labels
     * only (no decoder pass), many images per step. `batchSize` counts examples; `sheetWeight`
     * is the weight of tag-sheet examples (four zooms on a sheet packed with tags) against scene
     * examples (1).
     */
    vision: { steps: number; batchSize: number; learningRate: number; sheetWeight: number };
    steps: number;
    batchSize: number;
    learningRate: number;
    warmupRatio: number;
    minLearningRateRatio: number;
    gradientClip: number;
    checkpointEvery: number;
    /** Weight of the auxiliary per-token object heads against the answer loss. */
    auxiliaryWeight: number;
    /** Relative weight of each perception task. */
    tasks: { read: number; locate: number; answer: number; frames: number };
    /** Held-out items per family and task in the base's own evaluation. */
    evalItemsPerTask: number;
  };
  sft: {
    steps: number;
    batchSize: number;
    learningRate: number;
    warmupRatio: number;
    minLearningRateRatio: number;
    gradientClip: number;
    checkpointEvery: number;
    /** `stream`: fresh scenes synthesized on the fly (default); `synth`: the fixed `synth/` pool. */
    data: 'stream' | 'synth';
  };
  grpo: {
    steps: number;
    promptsPerStep: number;
    groupSize: number;
    learningRate: number;
    gradientClip: number;
    microBatch: number;
    rolloutConcurrency: number;
    checkpointEvery: number;
    maxTokensPerTurn: number;
    maxOperations: number;
    filterZeroAdvantage: boolean;
    selectiveSampleReplay: boolean;
    /** r' = r + α·max(H − RaPR, 0)·1[ops] + β·min(N − n_ops, 0) (paper values 0.5, 0.3, 0.05, 1). */
    curiosity: { alpha: number; H: number; beta: number; N: number };
  };
  eval: {
    parts: ProceduralPartName[];
    /** Held-out items per scene family: one count, or per family with a `default`. */
    itemsPerFamily: number | Partial<Record<SceneFamilyName | 'default', number>>;
    maxTokensPerTurn: number;
    maxOperations: number;
    concurrency: number;
  };
}

export const DEFAULT_CONFIG: TrainConfig = {
  seed: 0,
  workers: 'auto',
  scenes: {
    families: [...SCENE_FAMILY_NAMES],
    viewPixels: 64 * 64,
    operationViewPixels: 128 * 128,
    frameViewPixels: 32 * 32,
    answerableShare: 0.3,
  },
  synth: { count: 200, textOnlyShare: 0.25 },
  tokenizer: { vocabSize: 1024, minFrequency: 2, pretokenizer: 'words' },
  model: {
    dModel: 128,
    numHeads: 4,
    numLayers: 4,
    visionLayers: 1,
    ffnDim: 512,
    patchSize: 16,
    stemChannels: [],
    stemKernel: 2,
    maxSequenceLength: 2048,
  },
  pretrain: {
    vision: { steps: 500, batchSize: 6, learningRate: 3e-3, sheetWeight: 0 },
    steps: 1000,
    batchSize: 16,
    learningRate: 2e-3,
    warmupRatio: 0.03,
    minLearningRateRatio: 0.1,
    gradientClip: 1,
    checkpointEvery: 50,
    auxiliaryWeight: 1,
    tasks: { read: 4, locate: 3, answer: 2, frames: 1 },
    evalItemsPerTask: 50,
  },
  sft: {
    steps: 200,
    batchSize: 4,
    learningRate: 1e-3,
    warmupRatio: 0.1,
    minLearningRateRatio: 0.1,
    gradientClip: 1,
    checkpointEvery: 20,
    data: 'stream',
  },
  grpo: {
    steps: 20,
    promptsPerStep: 4,
    groupSize: 4,
    learningRate: 1e-4,
    gradientClip: 1,
    microBatch: 4,
    rolloutConcurrency: 2,
    checkpointEvery: 5,
    maxTokensPerTurn: 160,
    maxOperations: 4,
    filterZeroAdvantage: true,
    selectiveSampleReplay: false,
    curiosity: { alpha: 0.5, H: 0.3, beta: 0.05, N: 1 },
  },
  eval: {
    parts: [...PROCEDURAL_PART_NAMES],
    itemsPerFamily: 10,
    maxTokensPerTurn: 160,
    maxOperations: 4,
    concurrency: 2,
  },
};

type Check = (value: unknown, field: string) => unknown;

const integer =
  (minimum: number): Check =>
  (value, field) => {
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= minimum)) {
      throw new ConfigError(field, `must be an integer ≥ ${minimum}, got ${JSON.stringify(value)}`);
    }
    return value;
  };

const number =
  (minimum: number, maximum: number, options: { exclusiveMinimum?: boolean } = {}): Check =>
  (value, field) => {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (options.exclusiveMinimum ? value > minimum : value >= minimum) &&
      value <= maximum;
    if (!ok) {
      const low = options.exclusiveMinimum ? `(${minimum}` : `[${minimum}`;
      throw new ConfigError(
        field,
        `must be a number in ${low}, ${maximum}], got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };

const integerList =
  (minimum: number): Check =>
  (value, field) => {
    if (!Array.isArray(value)) {
      throw new ConfigError(
        field,
        `must be a list of integers ≥ ${minimum}, got ${JSON.stringify(value)}`,
      );
    }
    value.forEach((entry, index) => {
      integer(minimum)(entry, `${field}[${index}]`);
    });
    return value;
  };

const text: Check = (value, field) => {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(field, `must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
};

const boolean: Check = (value, field) => {
  if (typeof value !== 'boolean') {
    throw new ConfigError(field, `must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
};

const oneOf =
  (choices: readonly string[]): Check =>
  (value, field) => {
    if (typeof value !== 'string' || !choices.includes(value)) {
      throw new ConfigError(
        field,
        `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };

const listOf =
  (choices: readonly string[]): Check =>
  (value, field) => {
    if (!Array.isArray(value) || value.length === 0) {
      throw new ConfigError(field, `must be a non-empty list of ${choices.join(', ')}`);
    }
    value.forEach((entry, index) => {
      oneOf(choices)(entry, `${field}[${index}]`);
    });
    if (new Set(value).size !== value.length) throw new ConfigError(field, 'lists a name twice');
    return value;
  };

type Schema = { [key: string]: Check | Schema };

const SCHEMA: Schema = {
  seed: integer(0),
  backend: oneOf(TF_BACKEND_NAMES),
  base: text,
  workers: (value, field) => (value === 'auto' ? value : integer(0)(value, field)),
  scenes: {
    families: listOf(SCENE_FAMILY_NAMES),
    viewPixels: integer(256),
    operationViewPixels: integer(256),
    frameViewPixels: integer(256),
    answerableShare: number(0, 1),
  },
  synth: { count: integer(1), textOnlyShare: number(0, 1) },
  tokenizer: {
    vocabSize: integer(300),
    minFrequency: integer(1),
    pretokenizer: oneOf(['words', 'digits']),
  },
  model: {
    dModel: integer(4),
    numHeads: integer(1),
    numLayers: integer(1),
    visionLayers: integer(0),
    ffnDim: integer(4),
    patchSize: integer(2),
    stemChannels: integerList(1),
    stemKernel: (value, field) => {
      if (value !== 2 && value !== 4) {
        throw new ConfigError(field, `must be 2 or 4, got ${JSON.stringify(value)}`);
      }
      return value;
    },
    maxSequenceLength: integer(64),
  },
  pretrain: {
    vision: {
      steps: integer(0),
      batchSize: integer(1),
      learningRate: number(0, 1, { exclusiveMinimum: true }),
      sheetWeight: number(0, 100),
    },
    steps: integer(1),
    batchSize: integer(1),
    learningRate: number(0, 1, { exclusiveMinimum: true }),
    warmupRatio: number(0, 0.99),
    minLearningRateRatio: number(0, 1),
    gradientClip: number(0, 1e6),
    checkpointEvery: integer(0),
    auxiliaryWeight: number(0, 100),
    tasks: {
      read: number(0, 100),
      locate: number(0, 100),
      answer: number(0, 100),
      frames: number(0, 100),
    },
    evalItemsPerTask: integer(1),
  },
  sft: {
    steps: integer(1),
    batchSize: integer(1),
    learningRate: number(0, 1, { exclusiveMinimum: true }),
    warmupRatio: number(0, 0.99),
    minLearningRateRatio: number(0, 1),
    gradientClip: number(0, 1e6),
    checkpointEvery: integer(0),
    data: oneOf(['stream', 'synth']),
  },
  grpo: {
    steps: integer(1),
    promptsPerStep: integer(1),
    groupSize: integer(2),
    learningRate: number(0, 1, { exclusiveMinimum: true }),
    gradientClip: number(0, 1e6, { exclusiveMinimum: true }),
    microBatch: integer(1),
    rolloutConcurrency: integer(1),
    checkpointEvery: integer(1),
    maxTokensPerTurn: integer(1),
    maxOperations: integer(1),
    filterZeroAdvantage: boolean,
    selectiveSampleReplay: boolean,
    curiosity: {
      alpha: number(0, 10),
      H: number(0, 1),
      beta: number(0, 10),
      N: integer(0),
    },
  },
  eval: {
    parts: listOf(PROCEDURAL_PART_NAMES),
    itemsPerFamily: (value, field) => {
      if (typeof value === 'number') return integer(1)(value, field);
      if (!isPlainObject(value)) {
        throw new ConfigError(field, `must be an integer or an object of family → integer`);
      }
      for (const [key, count] of Object.entries(value)) {
        if (key !== 'default' && !(SCENE_FAMILY_NAMES as readonly string[]).includes(key)) {
          throw new ConfigError(`${field}.${key}`, `is not a scene family or "default"`);
        }
        integer(1)(count, `${field}.${key}`);
      }
      return value;
    },
    maxTokensPerTurn: integer(1),
    maxOperations: integer(1),
    concurrency: integer(1),
  },
};

/** A config file may also carry a `description` for people reading it. */
const FILE_SCHEMA: Schema = { ...SCHEMA, description: (value) => value };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `partial` over `base` following the schema, checking every field it sets. */
function merge(
  base: Record<string, unknown>,
  partial: unknown,
  schema: Schema,
  path: string,
): Record<string, unknown> {
  if (!isPlainObject(partial)) {
    throw new ConfigError(path || 'the config', 'must be a JSON object');
  }
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(partial)) {
    const field = path ? `${path}.${key}` : key;
    const rule = schema[key];
    if (rule === undefined) {
      throw new ConfigError(
        field,
        `is not a config field (known: ${Object.keys(schema).join(', ')})`,
      );
    }
    if (key === 'description') continue;
    result[key] =
      typeof rule === 'function'
        ? rule(value, field)
        : merge((base[key] ?? {}) as Record<string, unknown>, value, rule, field);
  }
  return result;
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
  let merged = withSource(options.source, () =>
    merge(DEFAULT_CONFIG as unknown as Record<string, unknown>, partial, FILE_SCHEMA, ''),
  );
  for (const override of options.overrides ?? []) {
    merged = withSource(`--set ${override}`, () =>
      merge(merged, parseOverride(override), SCHEMA, ''),
    );
  }
  const config = merged as unknown as TrainConfig;
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
