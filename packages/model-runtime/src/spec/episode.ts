import type { ChatImage, ChatMessage } from './chat.js';
import type { FinishReasonV1, TokenLogprobV1 } from './language-model-v1.js';

/**
 * One visual input of an episode: an image, or a video given as its frames. The shape equals
 * `VisualInput` of `@pixel-reasoner/visual-ops`, so it goes to the operations unchanged.
 */
export type EpisodeMedia =
  | { type: 'image'; image: ChatImage }
  | { type: 'video'; frames: ChatImage[] };

/** Sampling of an episode's generation calls. */
export interface EpisodeSampling {
  /** 0 is greedy. Default 0 (the reference evaluates greedily). */
  temperature?: number;
  /** Temperature of every turn after the first (reference training: 1.0, then 0.9). */
  laterTurnTemperature?: number;
  topP?: number;
  topK?: number;
  /** Turn `i` is generated with `seed + i`, so episodes are reproducible but turns differ. */
  seed?: number;
  /** Ask the backend for per-token log-probabilities. */
  logprobs?: boolean;
}

/** When an episode is cut short. Defaults come from the reference rollout. */
export interface EpisodeLimits {
  /** Tool calls (valid or not) an episode may make; a later one ends it unexecuted. Default 4. */
  maxOperations?: number;
  /** Items in the running visual list (a video counts once). Default 16. */
  maxImages?: number;
  /** Prompt plus output tokens of one turn above which the episode ends. Default 12*1024-200. */
  maxTotalTokens?: number;
  /** `maxTokens` of each generation call. Default 2048. */
  maxTokensPerTurn?: number;
}

/**
 * Which images each request shows. Input media are always shown; operation outputs that are not
 * are replaced by a short text naming their `target_image` index, and a crop of one of them gets
 * an error observation.
 * - `keep-all`: every image stays (the reference; the default).
 * - `last`: the inputs plus the `count` most recent operation images (the HF demo keeps 1).
 * - `cap`: at most `maxImages` images per request, inputs included (a video's frames each
 *   count); the oldest operation images go first.
 */
export type ImageHistoryPolicy =
  | { kind: 'keep-all' }
  | { kind: 'last'; count: number }
  | { kind: 'cap'; maxImages: number };

export type EpisodeStopReason =
  /** The last turn does not end with a tool call. */
  | 'final-answer'
  /** The last turn hit `maxTokensPerTurn` without ending in a tool call. */
  | 'max-tokens'
  | 'operation-limit'
  | 'image-limit'
  | 'token-limit'
  | 'abort';

/** The operation a turn asked for. */
export interface EpisodeOperation {
  /** The tool name as written by the model, when it could be read. */
  name?: string;
  arguments?: unknown;
  /** The text inside the last `<tool_call>` block. */
  payload: string;
  /** Whether it was executed (false when a limit ended the episode first). */
  executed: boolean;
  /** Executed and succeeded. */
  valid: boolean;
  /** The reference error text shown to the model, when it failed. */
  error?: string;
  /** The id of a native function call (answered by a `tool` message with this id). */
  toolCallId?: string;
}

export interface EpisodeTurn {
  index: number;
  /** The assistant text of this turn. */
  text: string;
  finishReason: FinishReasonV1;
  usage: { inputTokens: number; outputTokens: number };
  temperature: number;
  /** The turn's (first) operation. */
  operation?: EpisodeOperation;
  /** Every operation of a turn that made several native calls, in order (the first is `operation`). */
  operations?: EpisodeOperation[];
  /** `target_image` indices the image-history policy left out of this turn's request. */
  droppedImages?: number[];
  /** Images the operation added to the running visual list. */
  imagesAdded: ChatImage[];
  /** The observation turn appended after this one, if any. */
  observation?: ChatMessage;
  logprobs?: TokenLogprobV1[];
}

export interface EpisodeResult {
  profileId: string;
  modelId: string;
  /** Text of the last assistant turn (where the `\boxed{}` answer is). */
  finalAnswer: string;
  turns: EpisodeTurn[];
  /** Turns that ended with a tool call (the reference's `ncall`). */
  operationsAttempted: number;
  /** Operations that executed without error. */
  operationsValid: number;
  /** At least one valid operation (the paper's pixel-space reasoning indicator). */
  usedPixelReasoning: boolean;
  stopReason: EpisodeStopReason;
  /** The whole chat: system, user, then assistant and observation turns (every image kept). */
  messages: ChatMessage[];
  /** The image-history policy the requests were built with (`keep-all`, `last:K`, `cap:N`). */
  imageHistory?: string;
  usage: { inputTokens: number; outputTokens: number };
}
