import type { ChatImage, ChatMessage, ToolCallV1 } from './chat.js';

/**
 * What a backend derives from an image (a data URL, a resized tensor), kept for one episode: the
 * agent loop hands the same cache to every `doGenerate` of an episode and drops it when the
 * episode ends, so each image is prepared once however many turns send it. Entries are keyed by
 * the image's bytes (`data`) and a `kind` the backend picks, so a copy of an image that only adds
 * `raw` shares its entries.
 */
export interface ImageCacheV1 {
  /** The entry of `image` under `kind`, made by `create` on first use. */
  get<T>(image: ChatImage, kind: string, create: () => T): T;
}

/**
 * A function tool offered to a model with native function calling (the OpenAI `tools` entry).
 * `@pixel-reasoner/visual-ops` `ToolSpec`s are of this shape.
 */
export interface FunctionToolV1 {
  type: 'function';
  function: { name: string; description: string; parameters: Readonly<Record<string, unknown>> };
}

/** Sampling and control options of one generation call. */
export interface GenerateOptionsV1 {
  /** The whole chat so far, system message included. */
  messages: ChatMessage[];
  /** 0 means greedy. */
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  /** Generation stops before any of these strings; the stop string is not returned. */
  stop?: string[];
  seed?: number;
  /** Ask for per-token log-probabilities (honoured when `supportsLogprobs`). */
  logprobs?: boolean;
  abortSignal?: AbortSignal;
  /**
   * Tools for native function calling. Backends that support it send them (OpenAI `tools`) and
   * return the model's calls in `toolCalls`; backends without it ignore them, and the model can
   * still write calls as text.
   */
  tools?: readonly FunctionToolV1[];
  /** `auto` (the model decides) or `none`; sent only with `tools`. Default `auto`. */
  toolChoice?: 'auto' | 'none';
  /**
   * The episode's image cache (see `ImageCacheV1`). Backends may use it and must give the same
   * result without it; without one, a backend prepares images per call.
   */
  imageCache?: ImageCacheV1;
}

export interface TokenLogprobV1 {
  /** The token's text. */
  token: string;
  /** The token id in the backend's vocabulary, when known. */
  id?: number;
  logprob: number;
}

export type FinishReasonV1 = 'stop' | 'length' | 'abort';

export interface GenerateResultV1 {
  text: string;
  finishReason: FinishReasonV1;
  usage: { inputTokens: number; outputTokens: number };
  /** One entry per generated token, present when log-probabilities were asked for and supported. */
  logprobs?: TokenLogprobV1[];
  /** Native function calls of this turn, in order (present only when the backend returned some). */
  toolCalls?: ToolCallV1[];
}

/**
 * The model contract every backend implements. Changing it is a breaking change: add a `v2`
 * beside it instead.
 */
export interface VisionLanguageModelV1 {
  readonly specificationVersion: 'v1';
  /** Backend family, e.g. `openai-compatible` or `tiny-vlm`. */
  readonly provider: string;
  readonly modelId: string;
  readonly supportsLogprobs: boolean;
  doGenerate(options: GenerateOptionsV1): Promise<GenerateResultV1>;
}
