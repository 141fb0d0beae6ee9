import * as tf from '@tensorflow/tfjs-core';
import type { ChatMessage } from '../spec/chat.js';
import type {
  FinishReasonV1,
  GenerateOptionsV1,
  GenerateResultV1,
  ImageCacheV1,
  TokenLogprobV1,
  VisionLanguageModelV1,
} from '../spec/language-model-v1.js';
import { type EncodedChat, encodeChat, type PixelBudgets } from './chat-encoding.js';
import {
  ContextLengthExceededError,
  InvalidBatchError,
  InvalidImageError,
  InvalidModelConfigError,
} from './errors.js';
import {
  attendHeads,
  attention,
  causalMask,
  gatherRows,
  gelu,
  layerNorm,
  linear,
  patchify,
  splitHeads,
  tokenLogProbs,
} from './fast-ops.js';
import type { PreparedImage } from './image-input.js';
import { sampleToken, seededRandom } from './sampling.js';
import { StreamingDetokenizer } from './streaming-text.js';
import type { BpeTokenizer } from './tokenizer.js';

export interface TinyVLMConfig {
  vocabSize: number;
  /** Width of the decoder and the vision encoder. */
  dModel: number;
  numHeads: number;
  /** Causal decoder blocks. */
  numLayers: number;
  /** Bidirectional blocks over each image's patches (0 = patch embedding only). */
  visionLayers: number;
  ffnDim: number;
  /** Side of a square image patch in pixels; image sides are resized to multiples of it. */
  patchSize: number;
  /**
   * Channel widths of a hierarchical patch stem (empty: one linear patch embedding). With `k`
   * widths the image is cut into patches of `patchSize / 2^k` pixels, each embedded by a linear
   * map + GELU, then `k` times 2×2 neighbours are merged by a linear map (+ GELU) until the patch
   * is `patchSize` wide: a nonlinear, translation-equivariant encoder of small detail (strokes a
   * few pixels wide) at the same token count, made only of reshapes and plain 2-D matmuls.
   */
  stemChannels: number[];
  /**
   * Window of each stem merge, in cells of the finer grid: 2 merges disjoint 2×2 blocks; 4 merges
   * overlapping 4×4 windows (stride 2, zero-padded by one cell), so every detail smaller than a
   * patch lies wholly inside some token's window whatever its offset to the grid.
   */
  stemKernel: 2 | 4;
  /**
   * Auxiliary per-image-token classifiers on the vision encoder's output, by name → class count
   * (empty: none). Trained only where a sequence carries `imageTargets`; generation ignores them.
   */
  auxiliaryHeads: Record<string, number>;
  /**
   * Auxiliary heads whose prediction the decoder sees as text, by head name → one text per class
   * (empty: none). Each image token the decoder gets is the encoder's feature plus, per grounded
   * head, the head's class probabilities times the mean token embedding of each class's text
   * (an empty text adds nothing), scaled to the size of the token's feature: a token showing a
   * "7" carries the embedding the answer's "7" has, so the decoder copies a glyph as it copies a
   * word of the prompt. The heads themselves train on the features before grounding.
   */
  groundedHeads: Record<string, string[]>;
  /**
   * Grounded heads whose image-level reading is added to every token of the image as well: the
   * mix of the head's classes over the image's tokens, each token weighted by its probability of
   * not being class 0 ("nothing here"). A zoom on one tag then tells its content at every token,
   * so the decoder need not first find the tag's token to copy it.
   */
  pooledHeads: string[];
  /** Longest token sequence (text + image tokens); sets the learned position table. */
  maxSequenceLength: number;
  /** Longest image side in patches (learned row/column embeddings). */
  maxGridSide: number;
  /** Pixel budget (width·height) of user images. */
  inputImagePixels: number;
  /** Pixel budget of visual-operation outputs such as crops (a zoom is seen sharper). */
  operationImagePixels: number;
  /** Pixel budget of each video frame. */
  videoFramePixels: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

/**
 * Added to the logits of renderer-only tokens. Finite on purpose: softmax gives them probability
 * 0 (exp underflows) while log-probs, their gradients and 0·logp products stay finite, which −∞
 * would turn into NaN.
 */
export const MASKED_LOGIT = -1e9;

/**
 * Special tokens only the chat renderer may place (`<|im_start|>`, `<|vision_start|>`,
 * `<|vision_end|>`, `<|image_pad|>`, `<|video_pad|>`, and any other special added token of a
 * loaded tokenizer), i.e. every special token except the turn enders `<|im_end|>` and
 * `<|endoftext|>`. TinyVLM masks their logits, so generation never samples them and the training
 * log-probs (`sequenceLogProbs`, `loss`) come from the same masked distribution the sampler used.
 */
export function rendererOnlyTokenIds(tokenizer: BpeTokenizer): number[] {
  const turnEnders = new Set(['<|im_end|>', '<|endoftext|>']);
  return tokenizer.addedTokens
    .filter((token) => token.special && !turnEnders.has(token.content))
    .map((token) => token.id);
}

/** Decodes one token's bytes for its log-prob entry (U+FFFD where a character is split). */
const tokenText = new TextDecoder();

/** `logSoftmax(logits)[id]`, computed the same way without materialising the whole vector. */
function logProbOf(logits: Float32Array, id: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of logits) if (value > max) max = value;
  let sum = 0;
  for (const value of logits) sum += Math.exp(value - max);
  return logits[id]! - (max + Math.log(sum));
}

export const DEFAULT_TINY_VLM_CONFIG: Omit<TinyVLMConfig, 'vocabSize'> = {
  dModel: 128,
  numHeads: 4,
  numLayers: 4,
  visionLayers: 1,
  ffnDim: 512,
  patchSize: 16,
  stemChannels: [],
  stemKernel: 2,
  auxiliaryHeads: {},
  groundedHeads: {},
  pooledHeads: [],
  maxSequenceLength: 1024,
  maxGridSide: 32,
  inputImagePixels: 64 * 64,
  operationImagePixels: 128 * 128,
  videoFramePixels: 32 * 32,
  seed: 0,
};

/** Denominators of `TinyVLM.loss` (see `lossNormalizers`). */
export interface LossNormalizers {
  /** Tokens that carry the answer loss. */
  tokens: number;
  /** Per auxiliary head: labelled object (class > 0) and background (class 0) image tokens. */
  auxiliary: Record<string, { objects: number; background: number }>;
}

/** What the training APIs take per sequence; an `EncodedChat` is one. */
export interface TrainingSequence {
  tokenIds: readonly number[];
  /** One per run of image/video pad tokens, in order. */
  images: readonly PreparedImage[];
  /** 1 where the token counts in the loss (default for `loss`: the sequence's own `lossMask`). */
  lossMask?: readonly number[];
  /**
   * Per auxiliary head: one class id per image token of this sequence (images in order, each
   * row-major over its patch grid), or −1 where the token is not labelled.
   */
  imageTargets?: Readonly<Record<string, readonly number[]>>;
}

export interface TinyVLMOptions {
  tokenizer: BpeTokenizer;
  /** Overrides of the defaults; `vocabSize` defaults to the tokenizer's. */
  config?: Partial<TinyVLMConfig>;
  modelId?: string;
  /** Randomness for unseeded sampling (default `Math.random`). */
  random?: () => number;
  /** Default `maxTokens` of `doGenerate` (256). */
  defaultMaxTokens?: number;
}

export interface GenerateTokensOptions {
  maxTokens: number;
  /** Decode with the key/value cache (default) or recompute the whole sequence per token. */
  useKvCache?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  random?: () => number;
  /** Ids that end generation (they are included in the result). */
  stopTokenIds?: readonly number[];
  /** Called after each token; return true to stop. May be async (lets abort signals fire). */
  onToken?: (id: number, logprob: number) => boolean | Promise<boolean>;
}

export interface GeneratedTokens {
  ids: number[];
  logprobs: number[];
  finishReason: 'stop' | 'length' | 'callback';
}

interface BlockParams {
  attentionNormGamma: tf.Variable;
  attentionNormBeta: tf.Variable;
  qkvWeight: tf.Variable;
  qkvBias: tf.Variable;
  outputWeight: tf.Variable;
  outputBias: tf.Variable;
  mlpNormGamma: tf.Variable;
  mlpNormBeta: tf.Variable;
  upWeight: tf.Variable;
  upBias: tf.Variable;
  downWeight: tf.Variable;
  downBias: tf.Variable;
}

/** Per layer and head: transposed keys `[headDim, t]` and values `[t, headDim]`. */
interface KvCache {
  keys: tf.Tensor2D[][];
  values: tf.Tensor2D[][];
  length: number;
}

/**
 * What `decodeStep` reads and extends: per layer, every head's keys and values stacked as
 * `[heads, length, headDim]`, so one step attends all heads with one batched matmul each way.
 */
interface DecodeCache {
  keys: tf.Tensor3D[];
  values: tf.Tensor3D[];
  length: number;
}

function validateConfig(config: TinyVLMConfig): void {
  const positiveIntegers: Exclude<
    keyof TinyVLMConfig,
    'stemChannels' | 'stemKernel' | 'auxiliaryHeads' | 'groundedHeads' | 'pooledHeads'
  >[] = [
    'vocabSize',
    'dModel',
    'numHeads',
    'numLayers',
    'ffnDim',
    'patchSize',
    'maxSequenceLength',
    'maxGridSide',
    'inputImagePixels',
    'operationImagePixels',
    'videoFramePixels',
  ];
  for (const key of positiveIntegers) {
    const value = config[key];
    if (!Number.isInteger(value) || value <= 0) {
      throw new InvalidModelConfigError(`${key} must be a positive integer, got ${value}`);
    }
  }
  if (!Number.isInteger(config.visionLayers) || config.visionLayers < 0) {
    throw new InvalidModelConfigError(
      `visionLayers must be a non-negative integer, got ${config.visionLayers}`,
    );
  }
  const stemPatch = config.patchSize / 2 ** config.stemChannels.length;
  if (
    !Array.isArray(config.stemChannels) ||
    !config.stemChannels.every((width) => Number.isInteger(width) && width > 0) ||
    !Number.isInteger(stemPatch)
  ) {
    throw new InvalidModelConfigError(
      `stemChannels must be positive integers whose count k divides patchSize ${config.patchSize} by 2^k, got ${JSON.stringify(config.stemChannels)}`,
    );
  }
  if (config.stemKernel !== 2 && config.stemKernel !== 4) {
    throw new InvalidModelConfigError(`stemKernel must be 2 or 4, got ${config.stemKernel}`);
  }
  for (const [name, classes] of Object.entries(config.auxiliaryHeads)) {
    if (!(Number.isInteger(classes) && classes >= 2)) {
      throw new InvalidModelConfigError(
        `auxiliaryHeads.${name} must be an integer class count ≥ 2, got ${classes}`,
      );
    }
  }
  for (const [name, texts] of Object.entries(config.groundedHeads)) {
    const classes = config.auxiliaryHeads[name];
    if (
      classes === undefined ||
      !Array.isArray(texts) ||
      texts.length !== classes ||
      !texts.every((text) => typeof text === 'string')
    ) {
      throw new InvalidModelConfigError(
        `groundedHeads.${name} must be one text per class of auxiliaryHeads.${name} (${classes ?? 'no such head'}), got ${JSON.stringify(texts)}`,
      );
    }
  }
  if (
    !Array.isArray(config.pooledHeads) ||
    !config.pooledHeads.every((name) => config.groundedHeads[name] !== undefined)
  ) {
    throw new InvalidModelConfigError(
      `pooledHeads must name grounded heads, got ${JSON.stringify(config.pooledHeads)}`,
    );
  }
  if (config.dModel % config.numHeads !== 0) {
    throw new InvalidModelConfigError(
      `dModel (${config.dModel}) must be divisible by numHeads (${config.numHeads})`,
    );
  }
}

/** Row-major `[tokens, images]` one-hot of the image each image token belongs to. */
function imageMembership(images: readonly PreparedImage[]): Float32Array {
  const sizes = images.map((image) => image.gridWidth * image.gridHeight);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const out = new Float32Array(total * images.length);
  let row = 0;
  sizes.forEach((size, image) => {
    for (let token = 0; token < size; token += 1, row += 1) out[row * images.length + image] = 1;
  });
  return out;
}

const windowIndexCache = new Map<string, Int32Array>();

/**
 * Row indices into a `[rows·columns + 1, C]` table (the last row zeros) that gather, for each cell
 * of the half-resolution grid, the 4×4 window of the finer grid starting one cell up and left.
 */
function overlappingWindows(rows: number, columns: number): tf.Tensor1D {
  const key = `${rows}x${columns}`;
  let indices = windowIndexCache.get(key);
  if (indices === undefined) {
    const outRows = rows / 2;
    const outColumns = columns / 2;
    indices = new Int32Array(outRows * outColumns * 16);
    let at = 0;
    for (let row = 0; row < outRows; row += 1) {
      for (let column = 0; column < outColumns; column += 1) {
        for (let dy = 0; dy < 4; dy += 1) {
          for (let dx = 0; dx < 4; dx += 1) {
            const y = 2 * row - 1 + dy;
            const x = 2 * column - 1 + dx;
            indices[at++] =
              y >= 0 && y < rows && x >= 0 && x < columns ? y * columns + x : rows * columns;
          }
        }
      }
    }
    windowIndexCache.set(key, indices);
  }
  return tf.tensor1d(indices, 'int32');
}

/**
 * A small vision-language model in TensorFlow.js: patch-embedding vision encoder plus a causal
 * transformer decoder whose image-pad positions take the image features. Weights are laid out
 * `[in, out]`. Implements `VisionLanguageModelV1` and exposes what trainers need.
 */
export class TinyVLM implements VisionLanguageModelV1 {
  readonly specificationVersion = 'v1';
  readonly provider = 'tiny-vlm';
  readonly supportsLogprobs = true;
  readonly modelId: string;
  readonly config: TinyVLMConfig;
  readonly tokenizer: BpeTokenizer;
  /** Every weight by its checkpoint name (tfjs variable names are left unique per instance). */
  readonly parameters: ReadonlyMap<string, tf.Variable>;

  private readonly random: () => number;
  private readonly defaultMaxTokens: number;
  private readonly imagePad: number;
  private readonly videoPad: number;
  private readonly stopIds: number[];
  /** Ids only the chat renderer places (see `rendererOnlyTokenIds`). */
  private readonly rendererOnly: ReadonlySet<number>;
  /** `[vocabSize]`: 0, or a large negative number on renderer-only ids; added to every logit row. */
  private readonly logitMask: tf.Tensor1D;
  /** Per grounded head: `[classes, vocabSize]` weights averaging each class text's token embeddings. */
  private readonly grounding: ReadonlyMap<string, tf.Tensor2D>;
  private readonly decoderBlocks: BlockParams[];
  private readonly visionBlocks: BlockParams[];

  constructor(options: TinyVLMOptions) {
    this.tokenizer = options.tokenizer;
    this.config = {
      ...DEFAULT_TINY_VLM_CONFIG,
      vocabSize: options.tokenizer.vocabSize,
      ...options.config,
    };
    validateConfig(this.config);
    if (this.config.vocabSize < options.tokenizer.vocabSize) {
      throw new InvalidModelConfigError(
        `vocabSize ${this.config.vocabSize} is smaller than the tokenizer's ${options.tokenizer.vocabSize}`,
      );
    }
    this.modelId = options.modelId ?? 'tiny-vlm';
    this.random = options.random ?? Math.random;
    this.defaultMaxTokens = options.defaultMaxTokens ?? 256;
    this.imagePad = this.tokenizer.requireToken('<|image_pad|>');
    this.videoPad = this.tokenizer.requireToken('<|video_pad|>');
    this.stopIds = [
      this.tokenizer.requireToken('<|im_end|>'),
      this.tokenizer.requireToken('<|endoftext|>'),
    ];
    const { dModel, ffnDim, vocabSize, patchSize } = this.config;
    this.rendererOnly = new Set(rendererOnlyTokenIds(this.tokenizer));
    const maskValues = new Float32Array(vocabSize);
    for (const id of this.rendererOnly) maskValues[id] = MASKED_LOGIT;
    this.logitMask = tf.keep(tf.tensor1d(maskValues));
    const grounding = new Map<string, tf.Tensor2D>();
    for (const [name, texts] of Object.entries(this.config.groundedHeads)) {
      const weights = new Float32Array(texts.length * vocabSize);
      texts.forEach((text, label) => {
        const ids = text === '' ? [] : this.tokenizer.encode(text);
        for (const id of ids) weights[label * vocabSize + id]! += 1 / ids.length;
      });
      grounding.set(name, tf.keep(tf.tensor2d(weights, [texts.length, vocabSize])));
    }
    this.grounding = grounding;
    const parameters = new Map<string, tf.Variable>();
    // tfjs reads a seed of 0 as "unseeded" (Math.random), so each variable draws a non-zero seed
    // from a generator seeded by the config: the same config always gives the same weights.
    const seeds = seededRandom(this.config.seed);
    const normal = (name: string, shape: number[], std: number) => {
      const seed = 1 + Math.floor(seeds() * 0x7ffffffe);
      const variable = tf.variable(tf.randomNormal(shape, 0, std, 'float32', seed), true);
      parameters.set(name, variable);
      return variable;
    };
    const constant = (name: string, shape: number[], value: number) => {
      const variable = tf.variable(tf.fill(shape, value), true);
      parameters.set(name, variable);
      return variable;
    };
    const block = (prefix: string, layers: number): BlockParams => {
      // GPT-2 style: residual projections shrink with depth so the stream starts near identity.
      const residualStd = 0.02 / Math.sqrt(2 * Math.max(1, layers));
      return {
        attentionNormGamma: constant(`${prefix}.attention_norm.gamma`, [dModel], 1),
        attentionNormBeta: constant(`${prefix}.attention_norm.beta`, [dModel], 0),
        qkvWeight: normal(`${prefix}.attention.qkv.weight`, [dModel, 3 * dModel], 0.02),
        qkvBias: constant(`${prefix}.attention.qkv.bias`, [3 * dModel], 0),
        outputWeight: normal(`${prefix}.attention.output.weight`, [dModel, dModel], residualStd),
        outputBias: constant(`${prefix}.attention.output.bias`, [dModel], 0),
        mlpNormGamma: constant(`${prefix}.mlp_norm.gamma`, [dModel], 1),
        mlpNormBeta: constant(`${prefix}.mlp_norm.beta`, [dModel], 0),
        upWeight: normal(`${prefix}.mlp.up.weight`, [dModel, ffnDim], 0.02),
        upBias: constant(`${prefix}.mlp.up.bias`, [ffnDim], 0),
        downWeight: normal(`${prefix}.mlp.down.weight`, [ffnDim, dModel], residualStd),
        downBias: constant(`${prefix}.mlp.down.bias`, [dModel], 0),
      };
    };
    normal('token_embedding', [vocabSize, dModel], 0.02);
    normal('position_embedding', [this.config.maxSequenceLength, dModel], 0.01);
    const stemPatch = patchSize / 2 ** this.config.stemChannels.length;
    let stemWidth = stemPatch * stemPatch * 3;
    this.config.stemChannels.forEach((width, index) => {
      normal(`vision.stem.${index}.weight`, [stemWidth, width], Math.sqrt(2 / stemWidth));
      constant(`vision.stem.${index}.bias`, [width], 0);
      stemWidth = this.config.stemKernel ** 2 * width;
    });
    normal('vision.patch.weight', [stemWidth, dModel], 1 / Math.sqrt(stemWidth));
    constant('vision.patch.bias', [dModel], 0);
    normal('vision.row_embedding', [this.config.maxGridSide, dModel], 0.02);
    normal('vision.column_embedding', [this.config.maxGridSide, dModel], 0.02);
    this.visionBlocks = Array.from({ length: this.config.visionLayers }, (_, index) =>
      block(`vision.layers.${index}`, this.config.visionLayers),
    );
    constant('vision.norm.gamma', [dModel], 1);
    constant('vision.norm.beta', [dModel], 0);
    normal('vision.projection.weight', [dModel, dModel], 0.02);
    constant('vision.projection.bias', [dModel], 0);
    this.decoderBlocks = Array.from({ length: this.config.numLayers }, (_, index) =>
      block(`decoder.layers.${index}`, this.config.numLayers),
    );
    constant('decoder.norm.gamma', [dModel], 1);
    constant('decoder.norm.beta', [dModel], 0);
    normal('lm_head.weight', [dModel, vocabSize], 0.02);
    for (const [name, classes] of Object.entries(this.config.auxiliaryHeads)) {
      normal(`aux.${name}.weight`, [dModel, classes], 0.02);
      constant(`aux.${name}.bias`, [classes], 0);
    }
    this.parameters = parameters;
  }

  /** Every weight, for `optimizer.minimize(loss, false, model.trainableVariables())`. */
  trainableVariables(): tf.Variable[] {
    return [...this.parameters.values()];
  }

  /** Number of scalar weights. */
  parameterCount(): number {
    let total = 0;
    for (const variable of this.parameters.values()) total += variable.size;
    return total;
  }

  /** Pixel budgets derived from the config. */
  get pixelBudgets(): PixelBudgets {
    return {
      input: this.config.inputImagePixels,
      operation: this.config.operationImagePixels,
      videoFrame: this.config.videoFramePixels,
    };
  }

  /**
   * Renders and tokenizes a chat, decoding and resizing its images to their budgets.
   * `trainableMessages` (one flag per message) takes messages out of the loss mask; with an
   * episode's `imageCache`, an image prepared on an earlier turn is not prepared again.
   */
  encodeChat(
    messages: readonly ChatMessage[],
    options: {
      addGenerationPrompt?: boolean;
      trainableMessages?: readonly boolean[];
      imageCache?: ImageCacheV1;
    } = {},
  ): Promise<EncodedChat> {
    return encodeChat(messages, {
      tokenizer: this.tokenizer,
      patchSize: this.config.patchSize,
      budgets: this.pixelBudgets,
      addGenerationPrompt: options.addGenerationPrompt ?? false,
      ...(options.trainableMessages !== undefined && {
        trainableMessages: options.trainableMessages,
      }),
      ...(options.imageCache !== undefined && { imageCache: options.imageCache }),
    });
  }

  /**
   * `[batch, maxLength]` log-probabilities of each token given the tokens (and images) before
   * it; 0 at position 0, at padding and at renderer-only tokens (the model never predicts those:
   * see `rendererOnlyTokenIds`). Differentiable w.r.t. `trainableVariables()`.
   */
  sequenceLogProbs(batch: readonly TrainingSequence[]): tf.Tensor2D {
    if (batch.length === 0)
      throw new InvalidBatchError('sequenceLogProbs needs at least one sequence');
    const seqLen = Math.max(...batch.map((sequence) => sequence.tokenIds.length));
    return tf.tidy(() => this.alignedLogProbs(batch, seqLen, this.forward(batch, seqLen).hidden));
  }

  private alignedLogProbs(
    batch: readonly TrainingSequence[],
    seqLen: number,
    hidden: tf.Tensor2D,
  ): tf.Tensor2D {
    const rows = batch.length * seqLen;
    const nextTokens = new Int32Array(rows);
    const valid = new Float32Array(rows);
    batch.forEach((sequence, item) => {
      for (let position = 1; position < sequence.tokenIds.length; position += 1) {
        const id = sequence.tokenIds[position]!;
        nextTokens[item * seqLen + position - 1] = id;
        // The renderer places these; the model never predicts them (its logits mask them out).
        valid[item * seqLen + position] = this.rendererOnly.has(id) ? 0 : 1;
      }
    });
    return tf.tidy(() => {
      const logits = this.logits(hidden);
      const predicted = tf.reshape(tokenLogProbs(logits, tf.tensor1d(nextTokens, 'int32')), [
        batch.length,
        seqLen,
      ]);
      // Row t predicts token t+1: shift right by one so column t scores token t.
      const aligned = tf.pad(tf.slice(predicted, [0, 0], [batch.length, seqLen - 1]), [
        [0, 0],
        [1, 0],
      ]);
      return tf.mul(aligned, tf.tensor2d(valid, [batch.length, seqLen])) as tf.Tensor2D;
    });
  }

  /** The loss mask of one sequence: its `lossMask` (or every token after the first), 0 on renderer-only tokens. */
  private maskOf(sequence: TrainingSequence, item: number): Float32Array {
    if (sequence.lossMask !== undefined && sequence.lossMask.length !== sequence.tokenIds.length) {
      throw new InvalidBatchError(
        `sequence ${item}: lossMask has ${sequence.lossMask.length} entries for ${sequence.tokenIds.length} tokens`,
      );
    }
    const mask = new Float32Array(sequence.tokenIds.length);
    for (let position = 1; position < sequence.tokenIds.length; position += 1) {
      if (this.rendererOnly.has(sequence.tokenIds[position]!)) continue;
      mask[position] = sequence.lossMask ? sequence.lossMask[position]! : 1;
    }
    return mask;
  }

  /** Labels of head `name` for one sequence's image tokens (−1 where unlabelled), validated. */
  private labelsOf(sequence: TrainingSequence, item: number, name: string): Int32Array {
    let size = 0;
    for (const image of sequence.images) size += image.gridWidth * image.gridHeight;
    const classes = this.config.auxiliaryHeads[name]!;
    const labels = sequence.imageTargets?.[name];
    if (labels !== undefined && labels.length !== size) {
      throw new InvalidBatchError(
        `sequence ${item}: imageTargets.${name} has ${labels.length} labels for ${size} image tokens`,
      );
    }
    const out = new Int32Array(size).fill(-1);
    if (labels === undefined) return out;
    labels.forEach((label, index) => {
      if (!Number.isInteger(label) || label >= classes || label < -1) {
        throw new InvalidBatchError(
          `sequence ${item}: imageTargets.${name}[${index}] = ${label} is not a class of ${classes} (or −1)`,
        );
      }
      out[index] = label;
    });
    return out;
  }

  /**
   * The denominators of `loss` for a whole batch: trained tokens, and per auxiliary head the
   * labelled object and background tokens. A batch split across workers passes the whole batch's
   * normalizers to each part, so the parts' losses (and gradients) add up to the whole's.
   */
  lossNormalizers(batch: readonly TrainingSequence[]): LossNormalizers {
    let tokens = 0;
    batch.forEach((sequence, item) => {
      for (const flag of this.maskOf(sequence, item)) tokens += flag;
    });
    const auxiliary: Record<string, { objects: number; background: number }> = {};
    for (const name of Object.keys(this.config.auxiliaryHeads)) {
      const counts = { objects: 0, background: 0 };
      batch.forEach((sequence, item) => {
        for (const label of this.labelsOf(sequence, item, name)) {
          if (label > 0) counts.objects += 1;
          else if (label === 0) counts.background += 1;
        }
      });
      auxiliary[name] = counts;
    }
    return { tokens, auxiliary };
  }

  /**
   * Mean negative log-likelihood over masked tokens (each sequence's `lossMask`, or every token
   * after the first), plus `auxiliaryWeight` (default 1) times each auxiliary head's
   * cross-entropy over the image tokens its `imageTargets` label, background (class 0) and
   * object tokens weighing half each. `normalizers` (default: this batch's) set the denominators.
   * Use inside `optimizer.minimize`.
   */
  loss(
    batch: readonly TrainingSequence[],
    options: { auxiliaryWeight?: number; normalizers?: LossNormalizers } = {},
  ): tf.Scalar {
    const normalizers = options.normalizers ?? this.lossNormalizers(batch);
    const seqLen = Math.max(...batch.map((sequence) => sequence.tokenIds.length));
    const mask = new Float32Array(batch.length * seqLen);
    batch.forEach((sequence, item) => {
      mask.set(this.maskOf(sequence, item), item * seqLen);
    });
    return tf.tidy(() => {
      if (!mask.some((flag) => flag > 0)) {
        // Nothing to predict: only the image encoder's auxiliary heads train (no decoder pass).
        const images = batch.flatMap((sequence) => sequence.images);
        const auxiliary =
          images.length === 0
            ? undefined
            : this.auxiliaryLoss(batch, this.encodeVision(images), normalizers.auxiliary);
        return (
          auxiliary === undefined ? tf.scalar(0) : tf.mul(auxiliary, options.auxiliaryWeight ?? 1)
        ) as tf.Scalar;
      }
      const { hidden, imageFeatures } = this.forward(batch, seqLen);
      const logProbs = this.alignedLogProbs(batch, seqLen, hidden);
      const total = tf.sum(tf.mul(logProbs, tf.tensor2d(mask, [batch.length, seqLen])));
      let loss = tf.div(tf.neg(total), Math.max(1, normalizers.tokens)) as tf.Scalar;
      const auxiliary =
        imageFeatures === undefined
          ? undefined
          : this.auxiliaryLoss(batch, imageFeatures, normalizers.auxiliary);
      if (auxiliary !== undefined) {
        loss = tf.add(loss, tf.mul(auxiliary, options.auxiliaryWeight ?? 1)) as tf.Scalar;
      }
      return loss;
    });
  }

  /** Sum over heads of the class-balanced cross-entropy on labelled image tokens. */
  private auxiliaryLoss(
    batch: readonly TrainingSequence[],
    imageFeatures: tf.Tensor2D,
    counts: LossNormalizers['auxiliary'],
  ): tf.Scalar | undefined {
    let total: tf.Scalar | undefined;
    for (const name of Object.keys(this.config.auxiliaryHeads)) {
      const { objects = 0, background = 0 } = counts[name] ?? {};
      if (objects + background === 0) continue;
      const labels = batch.flatMap((sequence, item) => [...this.labelsOf(sequence, item, name)]);
      if (labels.every((label) => label < 0)) continue;
      // Class 0 ("nothing here") covers most tokens: background and object tokens each weigh
      // half of the head's loss, so the rare objects are not drowned out.
      const shares = (objects > 0 ? 1 : 0) + (background > 0 ? 1 : 0);
      const weights = new Float32Array(labels.length);
      labels.forEach((label, index) => {
        if (label > 0) weights[index] = 1 / (shares * objects);
        else if (label === 0) weights[index] = 1 / (shares * background);
      });
      const logits = this.headLogits(name, imageFeatures);
      const targets = tf.tensor1d(
        labels.map((label) => Math.max(0, label)),
        'int32',
      );
      const picked = tokenLogProbs(logits, targets);
      const headLoss = tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(weights)))) as tf.Scalar;
      total = total === undefined ? headLoss : (tf.add(total, headLoss) as tf.Scalar);
    }
    return total;
  }

  /**
   * Per auxiliary head `name`: `[imageTokens, classes]` logits for these images (in order, as
   * `encodeImages` lays out their tokens).
   */
  auxiliaryLogits(name: string, images: readonly PreparedImage[]): tf.Tensor2D {
    if (this.config.auxiliaryHeads[name] === undefined) {
      throw new InvalidModelConfigError(`no auxiliary head ${JSON.stringify(name)}`);
    }
    return tf.tidy(() => this.headLogits(name, this.encodeVision(images)));
  }

  private headLogits(name: string, features: tf.Tensor2D): tf.Tensor2D {
    return linear(
      features,
      this.param(`aux.${name}.weight`) as tf.Tensor2D,
      this.param(`aux.${name}.bias`) as tf.Tensor1D,
    ) as tf.Tensor2D;
  }

  /** Generates token ids after an encoded prompt (which should end with the generation prompt). */
  async generateTokens(
    prompt: TrainingSequence,
    options: GenerateTokensOptions,
  ): Promise<GeneratedTokens> {
    const useKvCache = options.useKvCache ?? true;
    const random = options.random ?? this.random;
    const stopIds = options.stopTokenIds ?? this.stopIds;
    const room = this.config.maxSequenceLength - prompt.tokenIds.length;
    if (room <= 0) {
      throw new ContextLengthExceededError(
        `prompt has ${prompt.tokenIds.length} tokens; the model's maxSequenceLength is ${this.config.maxSequenceLength}`,
      );
    }
    const maxTokens = Math.min(options.maxTokens, room);
    const ids: number[] = [];
    const logprobs: number[] = [];
    const tokens = [...prompt.tokenIds];
    let cache: DecodeCache | undefined;
    let finishReason: GeneratedTokens['finishReason'] = 'length';
    try {
      let logits: Float32Array;
      if (useKvCache) {
        const prefill = this.prefill(prompt);
        cache = {
          keys: prefill.cache.keys.map((heads) =>
            tf.tidy(() => tf.transpose(tf.stack(heads), [0, 2, 1]) as tf.Tensor3D),
          ),
          values: prefill.cache.values.map((heads) => tf.stack(heads) as tf.Tensor3D),
          length: prefill.cache.length,
        };
        tf.dispose([...prefill.cache.keys.flat(), ...prefill.cache.values.flat()]);
        logits = prefill.logits;
      } else {
        logits = this.lastLogitsUncached({ tokenIds: tokens, images: prompt.images });
      }
      for (let step = 0; step < maxTokens; step += 1) {
        const id = sampleToken(logits, {
          temperature: options.temperature ?? 0,
          topK: options.topK,
          topP: options.topP,
          random,
        });
        const logprob = logProbOf(logits, id);
        ids.push(id);
        logprobs.push(logprob);
        tokens.push(id);
        if (stopIds.includes(id)) {
          finishReason = 'stop';
          break;
        }
        if (options.onToken && (await options.onToken(id, logprob))) {
          finishReason = 'callback';
          break;
        }
        if (step + 1 === maxTokens) break;
        logits =
          cache !== undefined
            ? this.decodeStep(cache, id)
            : this.lastLogitsUncached({ tokenIds: tokens, images: prompt.images });
      }
    } finally {
      if (cache !== undefined) tf.dispose([...cache.keys, ...cache.values]);
    }
    return { ids, logprobs, finishReason };
  }

  async doGenerate(options: GenerateOptionsV1): Promise<GenerateResultV1> {
    const prompt = await this.encodeChat(options.messages, {
      addGenerationPrompt: true,
      ...(options.imageCache !== undefined && { imageCache: options.imageCache }),
    });
    const usage = { inputTokens: prompt.tokenIds.length, outputTokens: 0 };
    if (options.abortSignal?.aborted) {
      return {
        text: '',
        finishReason: 'abort',
        usage,
        ...(options.logprobs ? { logprobs: [] } : {}),
      };
    }
    const stops = (options.stop ?? []).filter((stop) => stop.length > 0);
    const random = options.seed !== undefined ? seededRandom(options.seed) : this.random;
    let finishReason: FinishReasonV1 = 'length';
    let stopAt = -1;
    // Text is built one token at a time; each token's end offset (as a full decode of the ids up
    // to it would measure it) says which log-probs lie wholly before a stop string.
    const detokenizer = new StreamingDetokenizer(this.tokenizer, { skipSpecialTokens: true });
    const tokenEnds: number[] = [];
    const result = await this.generateTokens(prompt, {
      maxTokens: options.maxTokens ?? this.defaultMaxTokens,
      temperature: options.temperature ?? 1,
      topK: options.topK,
      topP: options.topP,
      random,
      onToken: async (id) => {
        const searchedBefore = detokenizer.text.length;
        detokenizer.push(id);
        tokenEnds.push(detokenizer.decodedLength);
        if (stops.length > 0) {
          // Only a match ending in the new text can be new: earlier text held no stop string.
          const text = detokenizer.text + detokenizer.unfinished;
          for (const stop of stops) {
            const index = text.indexOf(stop, Math.max(0, searchedBefore - stop.length + 1));
            if (index >= 0 && (stopAt < 0 || index < stopAt)) stopAt = index;
          }
          if (stopAt >= 0) {
            finishReason = 'stop';
            return true;
          }
        }
        // Yield to the event loop so an abort signal raised by a timer or request can land.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (options.abortSignal?.aborted) {
          finishReason = 'abort';
          return true;
        }
        return false;
      },
    });
    if (result.finishReason === 'stop') finishReason = 'stop';
    // Every id but a final stop token went through `onToken`, so this is the decoded content.
    let text = detokenizer.finish();
    let keptTokens = result.ids.length;
    if (stopAt >= 0) {
      text = text.slice(0, stopAt);
      // Keep log-probs only of tokens whose text lies wholly before the stop string.
      keptTokens = 0;
      while (keptTokens < tokenEnds.length && tokenEnds[keptTokens]! <= stopAt) keptTokens += 1;
    }
    usage.outputTokens = result.ids.length;
    const generated: GenerateResultV1 = { text, finishReason, usage };
    if (options.logprobs) {
      generated.logprobs = result.ids.slice(0, keptTokens).map(
        (id, index): TokenLogprobV1 => ({
          token: tokenText.decode(this.tokenizer.tokenBytes(id)),
          id,
          logprob: result.logprobs[index]!,
        }),
      );
    }
    return generated;
  }

  /** Releases every weight. */
  dispose(): void {
    for (const variable of this.parameters.values()) variable.dispose();
    this.logitMask.dispose();
    for (const weights of this.grounding.values()) weights.dispose();
  }

  private param(name: string): tf.Variable {
    const variable = this.parameters.get(name);
    if (variable === undefined) throw new InvalidModelConfigError(`missing parameter ${name}`);
    return variable;
  }

  /**
   * `[totalImageTokens, dModel]`: what the vision encoder hands the decoder for these images, in
   * order, each image's tokens row-major over its patch grid (grounded, see `groundedHeads`).
   * Differentiable.
   */
  encodeImages(images: readonly PreparedImage[]): tf.Tensor2D {
    return tf.tidy(() => this.ground(this.encodeVision(images), images));
  }

  /**
   * `features` plus, per grounded head, its class probabilities times the class texts'
   * embeddings, scaled by the token's feature norm over the mean token-embedding norm: image
   * features are ~100× larger than token embeddings, and unscaled the text part would vanish in
   * the decoder's layer norm. Per token, so a batch split across workers grounds the same way.
   */
  private ground(features: tf.Tensor2D, images: readonly PreparedImage[]): tf.Tensor2D {
    if (this.grounding.size === 0) return features;
    const table = this.param('token_embedding');
    // Row norms as sqrt(sum(x²)): tf.norm's gradient goes through abs, which tfjs cannot differentiate.
    const rowNorms = (x: tf.Tensor2D, keepDims: boolean) =>
      tf.sqrt(tf.sum(tf.square(x), 1, keepDims));
    const scale = tf.div(rowNorms(features, true), tf.mean(rowNorms(table as tf.Tensor2D, false)));
    const pooled = new Set(this.config.pooledHeads);
    // `[tokens, images]`: which image each token belongs to.
    const membership =
      pooled.size === 0
        ? undefined
        : tf.tensor2d(imageMembership(images), [features.shape[0], images.length]);
    let grounded = features;
    for (const [name, weights] of this.grounding) {
      const classEmbeddings = tf.matMul(weights, table);
      let probabilities: tf.Tensor2D = tf.softmax(this.headLogits(name, features));
      if (membership !== undefined && pooled.has(name)) {
        const something = tf.sub(1, tf.slice(probabilities, [0, 0], [-1, 1]));
        const weighted = tf.matMul(tf.mul(membership, something), probabilities, true, false);
        const totals = tf.matMul(membership, something, true, false);
        const perImage = tf.div(weighted, tf.add(totals, 1e-6));
        probabilities = tf.add(probabilities, tf.matMul(membership, perImage)) as tf.Tensor2D;
      }
      const text = tf.mul(tf.matMul(probabilities, classEmbeddings), scale);
      grounded = tf.add(grounded, text) as tf.Tensor2D;
    }
    return grounded;
  }

  /** The vision encoder's output before grounding: what the auxiliary heads read. */
  private encodeVision(images: readonly PreparedImage[]): tf.Tensor2D {
    const { maxGridSide, numHeads } = this.config;
    const patches: tf.Tensor2D[] = [];
    const rows: number[] = [];
    const columns: number[] = [];
    for (const image of images) {
      if (image.gridHeight > maxGridSide || image.gridWidth > maxGridSide) {
        throw new InvalidImageError(
          `image grid ${image.gridWidth}x${image.gridHeight} exceeds maxGridSide ${maxGridSide}`,
        );
      }
      patches.push(this.embedPatches(image));
      for (let row = 0; row < image.gridHeight; row += 1) {
        for (let column = 0; column < image.gridWidth; column += 1) {
          rows.push(row);
          columns.push(column);
        }
      }
    }
    const allPatches = patches.length === 1 ? patches[0]! : (tf.concat(patches, 0) as tf.Tensor2D);
    let x: tf.Tensor = linear(
      allPatches,
      this.param('vision.patch.weight') as tf.Tensor2D,
      this.param('vision.patch.bias') as tf.Tensor1D,
    );
    x = tf.add(
      x,
      tf.add(
        gatherRows(this.param('vision.row_embedding') as tf.Tensor2D, tf.tensor1d(rows, 'int32')),
        gatherRows(
          this.param('vision.column_embedding') as tf.Tensor2D,
          tf.tensor1d(columns, 'int32'),
        ),
      ),
    );
    const sizes = images.map((image) => image.gridWidth * image.gridHeight);
    for (const block of this.visionBlocks) {
      x = this.block(x as tf.Tensor2D, block, (query, key, value) => {
        if (sizes.length === 1) {
          return attention({
            query,
            key,
            value,
            batch: 1,
            seqLen: sizes[0]!,
            numHeads,
            causal: false,
          });
        }
        const queries = tf.split(query, sizes, 0) as tf.Tensor2D[];
        const keys = tf.split(key, sizes, 0) as tf.Tensor2D[];
        const values = tf.split(value, sizes, 0) as tf.Tensor2D[];
        const outputs = sizes.map((size, index) =>
          attention({
            query: queries[index]!,
            key: keys[index]!,
            value: values[index]!,
            batch: 1,
            seqLen: size,
            numHeads,
            causal: false,
          }),
        );
        return tf.concat(outputs, 0) as tf.Tensor2D;
      });
    }
    const normalized = layerNorm(
      x,
      this.param('vision.norm.gamma') as tf.Tensor1D,
      this.param('vision.norm.beta') as tf.Tensor1D,
    );
    return linear(
      normalized,
      this.param('vision.projection.weight') as tf.Tensor2D,
      this.param('vision.projection.bias') as tf.Tensor1D,
    ) as tf.Tensor2D;
  }

  /**
   * `[gridHeight·gridWidth, features]` per-patch inputs of the final patch projection: the raw
   * pixels of each patch, or (with a stem) merged stem features in the same row-major grid order.
   */
  private embedPatches(image: PreparedImage): tf.Tensor2D {
    const { patchSize, stemChannels } = this.config;
    const pixels = tf.tensor3d(image.pixels, [image.height, image.width, 3]);
    if (stemChannels.length === 0) return patchify(pixels, patchSize);
    let side = patchSize / 2 ** stemChannels.length;
    let grid: tf.Tensor3D = pixels;
    let features = patchify(grid, side);
    stemChannels.forEach((width, index) => {
      const embedded = gelu(
        linear(
          features,
          this.param(`vision.stem.${index}.weight`) as tf.Tensor2D,
          this.param(`vision.stem.${index}.bias`) as tf.Tensor1D,
        ),
      );
      const rows = image.height / side;
      const columns = image.width / side;
      if (this.config.stemKernel === 2) {
        grid = tf.reshape(embedded, [rows, columns, width]);
        features = patchify(grid, 2);
      } else {
        const padded = tf.concat([embedded, tf.zeros([1, width])], 0) as tf.Tensor2D;
        const windows = gatherRows(padded, overlappingWindows(rows, columns));
        features = tf.reshape(windows, [(rows / 2) * (columns / 2), 16 * width]);
      }
      side *= 2;
    });
    return features;
  }

  /** Pre-norm transformer block; `attend` maps q, k, v `[rows, d]` to `[rows, d]`. */
  private block(
    x: tf.Tensor2D,
    params: BlockParams,
    attend: (query: tf.Tensor2D, key: tf.Tensor2D, value: tf.Tensor2D) => tf.Tensor2D,
  ): tf.Tensor2D {
    const normed = layerNorm(
      x,
      params.attentionNormGamma as tf.Tensor1D,
      params.attentionNormBeta as tf.Tensor1D,
    );
    const qkv = linear(normed, params.qkvWeight as tf.Tensor2D, params.qkvBias as tf.Tensor1D);
    const [query, key, value] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const attended = attend(query, key, value);
    const afterAttention = tf.add(
      x,
      linear(attended, params.outputWeight as tf.Tensor2D, params.outputBias as tf.Tensor1D),
    ) as tf.Tensor2D;
    const mlpIn = layerNorm(
      afterAttention,
      params.mlpNormGamma as tf.Tensor1D,
      params.mlpNormBeta as tf.Tensor1D,
    );
    const up = gelu(linear(mlpIn, params.upWeight as tf.Tensor2D, params.upBias as tf.Tensor1D));
    return tf.add(
      afterAttention,
      linear(up, params.downWeight as tf.Tensor2D, params.downBias as tf.Tensor1D),
    ) as tf.Tensor2D;
  }

  /** Token + image embeddings plus positions for right-padded sequences: `[batch·seqLen, d]`. */
  private embed(
    batch: readonly TrainingSequence[],
    seqLen: number,
  ): { embedded: tf.Tensor2D; imageFeatures?: tf.Tensor2D } {
    if (seqLen > this.config.maxSequenceLength) {
      throw new ContextLengthExceededError(
        `sequence of ${seqLen} tokens exceeds maxSequenceLength ${this.config.maxSequenceLength}`,
      );
    }
    const { vocabSize, dModel } = this.config;
    const indices = new Int32Array(batch.length * seqLen);
    const images: PreparedImage[] = [];
    let imageRow = 0;
    batch.forEach((sequence, item) => {
      let expected = 0;
      for (const image of sequence.images) expected += image.gridWidth * image.gridHeight;
      let seen = 0;
      sequence.tokenIds.forEach((id, position) => {
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
          throw new InvalidBatchError(
            `sequence ${item}, position ${position}: token id ${id} is outside the vocabulary`,
          );
        }
        if (id === this.imagePad || id === this.videoPad) {
          indices[item * seqLen + position] = vocabSize + imageRow;
          imageRow += 1;
          seen += 1;
        } else {
          indices[item * seqLen + position] = id;
        }
      });
      if (seen !== expected) {
        throw new InvalidBatchError(
          `sequence ${item} has ${seen} image/video pad tokens but its ${sequence.images.length} images need ${expected}`,
        );
      }
      images.push(...sequence.images);
    });
    const tokenTable = this.param('token_embedding') as tf.Tensor2D;
    const imageFeatures = images.length === 0 ? undefined : this.encodeVision(images);
    const table =
      imageFeatures === undefined
        ? tokenTable
        : (tf.concat([tokenTable, this.ground(imageFeatures, images)], 0) as tf.Tensor2D);
    const gathered = gatherRows(table, tf.tensor1d(indices, 'int32'));
    const positions = tf.slice(this.param('position_embedding'), [0, 0], [seqLen, dModel]);
    const embedded = tf.reshape(
      tf.add(tf.reshape(gathered, [batch.length, seqLen, dModel]), positions),
      [batch.length * seqLen, dModel],
    ) as tf.Tensor2D;
    return imageFeatures === undefined ? { embedded } : { embedded, imageFeatures };
  }

  private forward(
    batch: readonly TrainingSequence[],
    seqLen: number,
  ): { hidden: tf.Tensor2D; imageFeatures?: tf.Tensor2D } {
    const { embedded, imageFeatures } = this.embed(batch, seqLen);
    let x = embedded;
    const { numHeads } = this.config;
    for (const block of this.decoderBlocks) {
      x = this.block(x, block, (query, key, value) =>
        attention({ query, key, value, batch: batch.length, seqLen, numHeads, causal: true }),
      );
    }
    return imageFeatures === undefined ? { hidden: x } : { hidden: x, imageFeatures };
  }

  private logits(hidden: tf.Tensor2D): tf.Tensor2D {
    const normed = layerNorm(
      hidden,
      this.param('decoder.norm.gamma') as tf.Tensor1D,
      this.param('decoder.norm.beta') as tf.Tensor1D,
    );
    const raw = linear(normed, this.param('lm_head.weight') as tf.Tensor2D);
    return tf.add(raw, this.logitMask) as tf.Tensor2D;
  }

  private lastRowLogits(hidden: tf.Tensor2D): Float32Array {
    const last = tf.slice(hidden, [hidden.shape[0] - 1, 0], [1, hidden.shape[1]]);
    return this.logits(last).dataSync() as Float32Array;
  }

  private lastLogitsUncached(sequence: TrainingSequence): Float32Array {
    return tf.tidy(() =>
      this.lastRowLogits(this.forward([sequence], sequence.tokenIds.length).hidden),
    );
  }

  /** Runs the prompt once, keeping each layer's per-head keys and values. */
  private prefill(prompt: TrainingSequence): { cache: KvCache; logits: Float32Array } {
    const { numHeads } = this.config;
    const seqLen = prompt.tokenIds.length;
    const cache: KvCache = { keys: [], values: [], length: seqLen };
    const logits = tf.tidy(() => {
      let x = this.embed([prompt], seqLen).embedded;
      const scale = 1 / Math.sqrt(this.config.dModel / numHeads);
      for (const block of this.decoderBlocks) {
        x = this.block(x, block, (query, key, value) => {
          const keyHeads = splitHeads(key, numHeads, 'transposed');
          const valueHeads = splitHeads(value, numHeads, 'rows');
          cache.keys.push(keyHeads.map((tensor) => tf.keep(tensor)));
          cache.values.push(valueHeads.map((tensor) => tf.keep(tensor)));
          const queryHeads = splitHeads(tf.mul(query, scale) as tf.Tensor2D, numHeads, 'rows');
          return attendHeads(queryHeads, keyHeads, valueHeads, causalMask(seqLen));
        });
      }
      return this.lastRowLogits(x);
    });
    return { cache, logits };
  }

  /**
   * Feeds one token through the decoder against the cache, extending it. All heads attend at
   * once (`[heads, 1, headDim]` queries against the stacked cache), so a step runs a handful of
   * kernels per layer instead of a reshape, transpose, unstack, concat and matmul per head.
   */
  private decodeStep(cache: DecodeCache, id: number): Float32Array {
    const { numHeads, dModel } = this.config;
    if (cache.length >= this.config.maxSequenceLength) {
      throw new ContextLengthExceededError(
        `decoding past maxSequenceLength ${this.config.maxSequenceLength}`,
      );
    }
    const position = cache.length;
    const headDim = dModel / numHeads;
    const scale = 1 / Math.sqrt(headDim);
    const logits = tf.tidy(() => {
      let x = tf.add(
        gatherRows(this.param('token_embedding') as tf.Tensor2D, tf.tensor1d([id], 'int32')),
        tf.slice(this.param('position_embedding'), [position, 0], [1, dModel]),
      ) as tf.Tensor2D;
      this.decoderBlocks.forEach((block, layer) => {
        x = this.block(x, block, (query, key, value) => {
          // A `[1, heads·headDim]` row is `[heads, 1, headDim]` in memory: reshapes, not copies.
          const perHead: [number, number, number] = [numHeads, 1, headDim];
          const keys = tf.concat([cache.keys[layer]!, tf.reshape(key, perHead)], 1) as tf.Tensor3D;
          const values = tf.concat(
            [cache.values[layer]!, tf.reshape(value, perHead)],
            1,
          ) as tf.Tensor3D;
          cache.keys[layer]!.dispose();
          cache.values[layer]!.dispose();
          cache.keys[layer] = tf.keep(keys);
          cache.values[layer] = tf.keep(values);
          const queries = tf.reshape(tf.mul(query, scale), perHead) as tf.Tensor3D;
          const weights = tf.softmax(tf.matMul(queries, keys, false, true));
          return tf.reshape(tf.matMul(weights, values), [1, dModel]) as tf.Tensor2D;
        });
      });
      return this.lastRowLogits(x);
    });
    cache.length += 1;
    return logits;
  }
}
