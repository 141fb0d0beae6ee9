import type { ExecuteToolOptions, ToolCall } from '@pixel-reasoner/visual-ops';
import type { ChatImage, ChatMessage, ChatPart, ToolCallV1 } from '../spec/chat.js';
import type { EpisodeLimits } from '../spec/episode.js';
import type { FinishReasonV1 } from '../spec/language-model-v1.js';
import type { ToolCallParseResult } from '../tool-call/parse-tool-call.js';

/** What an executed (or refused) operation shows the model next. */
export type ObservationInput =
  | { kind: 'crop'; image: ChatImage }
  | {
      kind: 'frames';
      frames: ChatImage[];
      /** Length of the running visual list before the frames are added (a video counts once). */
      listLengthBefore: number;
    }
  | { kind: 'error'; message: string };

/** Where in the episode a turn is. */
export interface TurnContext {
  /** 0 for the first assistant turn. */
  turnIndex: number;
}

/** One generation as the agent loop hands it to a profile. */
export interface TurnOutput {
  text: string;
  finishReason: FinishReasonV1;
  toolCalls?: ToolCallV1[];
}

/** A tool call a turn made: readable (`call`) or not (`invalid`, with the error text to show). */
export type TurnToolCall = Exclude<ToolCallParseResult, { kind: 'none' }> & {
  /** The native call id (answered by a `tool` message); absent for calls written as text. */
  id?: string;
};

/** How a profile reads a turn. */
export interface TurnReading {
  /** The assistant text of the turn (what the answer is extracted from). */
  text: string;
  /** The assistant message as it goes back into the chat. */
  message: ChatMessage;
  /** The turn's tool calls in order; empty for a final answer. */
  calls: TurnToolCall[];
}

export interface OperationContext extends TurnContext {
  /** Items in the running visual list (a video counts once): the largest valid `target_image`. */
  visualCount: number;
}

/** A call mapped onto one of our visual operations, or the error text the model is shown. */
export type ResolvedOperation = { ok: true; call: ToolCall } | { ok: false; error: string };

/** The result of one call of a turn, ready to be reported to the model. */
export interface OperationReport {
  /** The native call id, when the call had one. */
  id?: string;
  observation: ObservationInput;
}

/**
 * The wire-format side of a prompt profile that goes beyond the reference layout: how calls are
 * read from a turn, mapped onto our operations and answered. Every hook is optional; without them
 * a profile follows the reference (`<tool_call>` text at the end of the turn, one user turn per
 * observation).
 */
export interface ToolProtocolHooks {
  /**
   * `text` (default): the tools are described in the system prompt and called in the text.
   * `native`: the tools go into every request (`tools`, `tool_choice: auto`) and calls come back
   * structured (`GenerateResultV1.toolCalls`).
   */
  readonly toolProtocol?: 'text' | 'native';
  /** Limits the model was trained or evaluated with; the caller's limits override them. */
  readonly limits?: EpisodeLimits;
  /** Operation settings of the protocol (box convention, padding, crop budget); the caller's override them. */
  readonly toolOptions?: ExecuteToolOptions;
  /** Reads a turn: the message to keep and the calls it made. */
  readTurn?(output: TurnOutput, context: TurnContext): TurnReading;
  /** Maps a readable call onto one of our operations (tool name and argument convention). */
  resolveOperation?(call: ToolCall, context: OperationContext): ResolvedOperation;
  /** The messages reporting a turn's results (one report per call, in call order). */
  observationMessages?(reports: readonly OperationReport[], context: TurnContext): ChatMessage[];
}

/** The parts of a user turn that shows `reports` with `observation`, one after another. */
export function concatenateObservations(
  reports: readonly OperationReport[],
  observation: (input: ObservationInput, context: TurnContext) => ChatPart[],
  context: TurnContext,
): ChatPart[] {
  return reports.flatMap((report) => observation(report.observation, context));
}
