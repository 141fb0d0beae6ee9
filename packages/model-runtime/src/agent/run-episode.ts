import {
  CROP_TOOL_NAME,
  type ExecuteToolOptions,
  ensureDecoded,
  executeToolCall,
  type ToolCall,
  type ToolOutcome,
  type VisualInput,
} from '@pixel-reasoner/visual-ops';
import { InvalidEpisodeInputError } from '../errors.js';
import { createImageCache } from '../image/image-cache.js';
import { type PromptProfile, pixelReasonerV1Profile } from '../prompt/profiles.js';
import {
  concatenateObservations,
  type ObservationInput,
  type OperationReport,
  type ResolvedOperation,
  type TurnOutput,
  type TurnReading,
} from '../prompt/protocol.js';
import { IM_END, REFERENCE_LIMITS } from '../prompt/reference-strings.js';
import type { ChatImage, ChatMessage } from '../spec/chat.js';
import type {
  EpisodeLimits,
  EpisodeMedia,
  EpisodeOperation,
  EpisodeResult,
  EpisodeSampling,
  EpisodeStopReason,
  EpisodeTurn,
  ImageHistoryPolicy,
} from '../spec/episode.js';
import type { GenerateResultV1, VisionLanguageModelV1 } from '../spec/language-model-v1.js';
import { parseToolCall } from '../tool-call/parse-tool-call.js';
import {
  applyImageHistory,
  countInputImages,
  describeImageHistory,
  droppedImageError,
  droppedOperationImages,
  type TrackedImage,
  validateImageHistory,
} from './image-history.js';

export type EpisodeEvent =
  | { type: 'turn-start'; turnIndex: number }
  | { type: 'turn-end'; turn: EpisodeTurn }
  | { type: 'operation-end'; turnIndex: number; operation: EpisodeOperation };

export interface RunEpisodeOptions {
  model: VisionLanguageModelV1;
  /** Default `pixelReasonerV1Profile`. */
  profile?: PromptProfile;
  question: string;
  /** Images, or one video first; may be empty for a text-only question. */
  media: readonly EpisodeMedia[];
  /** Default greedy (the reference's evaluation). */
  sampling?: EpisodeSampling;
  limits?: EpisodeLimits;
  signal?: AbortSignal;
  /**
   * Crop padding, box mode and resize budgets of the operations (over the profile's own; visual-ops
   * defaults: eval).
   */
  toolOptions?: ExecuteToolOptions;
  /** Which operation images each request shows (default `keep-all`). */
  imageHistory?: ImageHistoryPolicy;
  onEvent?: (event: EpisodeEvent) => void;
}

function resolveLimits(limits: EpisodeLimits = {}): Required<EpisodeLimits> {
  const resolved = {
    maxOperations: limits.maxOperations ?? REFERENCE_LIMITS.maxOperations,
    maxImages: limits.maxImages ?? REFERENCE_LIMITS.maxImages,
    maxTotalTokens: limits.maxTotalTokens ?? REFERENCE_LIMITS.maxTotalTokens,
    maxTokensPerTurn: limits.maxTokensPerTurn ?? REFERENCE_LIMITS.maxTokensPerTurn,
  };
  for (const [key, value] of Object.entries(resolved)) {
    const minimum = key === 'maxOperations' ? 0 : 1;
    if (!(Number.isInteger(value) && value >= minimum)) {
      throw new InvalidEpisodeInputError(
        `limits.${key} must be an integer ≥ ${minimum}, got ${value}`,
      );
    }
  }
  return resolved;
}

function validateSampling(sampling: EpisodeSampling): void {
  for (const key of ['temperature', 'laterTurnTemperature', 'topP', 'topK'] as const) {
    const value = sampling[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new InvalidEpisodeInputError(`sampling.${key} must be a number ≥ 0, got ${value}`);
    }
  }
  if (sampling.seed !== undefined && !Number.isInteger(sampling.seed)) {
    throw new InvalidEpisodeInputError(`sampling.seed must be an integer, got ${sampling.seed}`);
  }
}

function observationFor(
  outcome: ToolOutcome,
  listLengthBefore: number,
): { observation: ObservationInput; images: ChatImage[] } {
  if (!outcome.ok) return { observation: { kind: 'error', message: outcome.error }, images: [] };
  if (outcome.name === 'crop_image_normalized') {
    const [image] = outcome.images;
    return { observation: { kind: 'crop', image }, images: [image] };
  }
  return {
    observation: { kind: 'frames', frames: outcome.images, listLengthBefore },
    images: outcome.images,
  };
}

/** The reference reading: the last `<tool_call>` block when the turn ends with one. */
function defaultReadTurn(output: TurnOutput): TurnReading {
  const text = output.text.split(IM_END).join('');
  const parsed = parseToolCall(text);
  return {
    text,
    message: { role: 'assistant', content: text },
    calls: parsed.kind === 'none' ? [] : [parsed],
  };
}

/** A `target_image` the image-history policy has dropped, if the call names one. */
function droppedTarget(call: ToolCall, dropped: ReadonlySet<number>): number | undefined {
  if (call.name !== CROP_TOOL_NAME || dropped.size === 0) return undefined;
  const args = call.arguments;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  const target = (args as Record<string, unknown>).target_image;
  return typeof target === 'number' && dropped.has(target) ? target : undefined;
}

/**
 * Inputs arrive encoded (decoding a photo costs ~30 ms, wasted when the model never crops it); the
 * first crop of an input image decodes it into the episode's visual list, so later crops of it
 * reuse the pixels.
 */
async function decodeCropTarget(call: ToolCall, visualList: VisualInput[]): Promise<void> {
  if (call.name !== CROP_TOOL_NAME || visualList[0]?.type === 'video') return;
  const args = call.arguments;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return;
  const target = (args as Record<string, unknown>).target_image;
  if (!(Number.isInteger(target) && (target as number) >= 1)) return;
  const item = visualList[(target as number) - 1];
  if (item?.type !== 'image' || item.image.raw !== undefined) return;
  visualList[(target as number) - 1] = {
    type: 'image',
    image: await ensureDecoded(item.image, `image ${target}`),
  };
}

/**
 * Runs one Pixel Reasoner episode the way the reference rollout does: generate; when the turn
 * ends with `</tool_call>`, execute the last tool call on the running visual list and append the
 * observation as a user turn; repeat until a turn without a tool call, a limit or an abort.
 * A profile with `ToolProtocolHooks` changes how calls are read (a peer's text format, or native
 * `tool_calls` with `toolProtocol: 'native'`, where every call of a turn runs), mapped onto our
 * operations and answered; the limits and operation settings it declares apply unless the caller
 * sets them.
 *
 * Limits follow `_generate_vllm`: a tool call is refused (and the episode ends) once
 * `maxOperations` calls were made before it, when the visual list already holds more than
 * `maxImages` items, or when the turn's prompt plus output exceeded `maxTotalTokens`; an operation
 * whose images would push the list past `maxImages` ends the episode without its observation.
 *
 * `imageHistory` decides which operation images each request shows (default: all); the chat in
 * the result keeps every image.
 *
 * Every request of the episode carries the same `imageCache`, so a backend encodes each image
 * (a data URL, a prepared tensor) once for the episode; the cache goes with the episode. Inputs
 * are decoded only when a crop first needs their pixels.
 */
export async function runEpisode(options: RunEpisodeOptions): Promise<EpisodeResult> {
  const { model, question, signal, onEvent } = options;
  const profile = options.profile ?? pixelReasonerV1Profile;
  const sampling = options.sampling ?? {};
  validateSampling(sampling);
  const limits = resolveLimits({ ...profile.limits, ...options.limits });
  const toolOptions: ExecuteToolOptions = { ...profile.toolOptions, ...options.toolOptions };
  const imageHistory = options.imageHistory ?? { kind: 'keep-all' };
  validateImageHistory(imageHistory);
  if (typeof question !== 'string') {
    throw new InvalidEpisodeInputError(`question must be a string, got ${typeof question}`);
  }
  const readTurn = profile.readTurn ?? defaultReadTurn;
  const native = profile.toolProtocol === 'native';
  const messages: ChatMessage[] = profile.initialMessages({ question, media: options.media });
  const inputImages = countInputImages(messages);
  if (imageHistory.kind === 'cap' && inputImages > imageHistory.maxImages) {
    throw new InvalidEpisodeInputError(
      `imageHistory cap:${imageHistory.maxImages} is below the ${inputImages} input images`,
    );
  }
  const visualList: VisualInput[] = options.media.map((item) =>
    item.type === 'image'
      ? { type: 'image', image: item.image }
      : { type: 'video', frames: item.frames },
  );
  // Each image's data URL (or prepared tensor) is made once for the whole episode, not per turn.
  const imageCache = createImageCache();
  const tracked: TrackedImage[] = [];
  const turns: EpisodeTurn[] = [];
  const usage = { inputTokens: 0, outputTokens: 0 };
  let operationsAttempted = 0;
  let operationsValid = 0;
  let stopReason: EpisodeStopReason | undefined;

  for (let turnIndex = 0; stopReason === undefined; turnIndex++) {
    if (signal?.aborted) {
      stopReason = 'abort';
      break;
    }
    const temperature =
      turnIndex === 0
        ? (sampling.temperature ?? 0)
        : (sampling.laterTurnTemperature ?? sampling.temperature ?? 0);
    const dropped = droppedOperationImages(imageHistory, tracked, inputImages);
    const droppedIndices = new Set(dropped.map((entry) => entry.index));
    onEvent?.({ type: 'turn-start', turnIndex });
    let result: GenerateResultV1;
    try {
      result = await model.doGenerate({
        messages: applyImageHistory(messages, dropped),
        temperature,
        ...(sampling.topP !== undefined ? { topP: sampling.topP } : {}),
        ...(sampling.topK !== undefined ? { topK: sampling.topK } : {}),
        ...(sampling.seed !== undefined ? { seed: sampling.seed + turnIndex } : {}),
        ...(sampling.logprobs ? { logprobs: true } : {}),
        maxTokens: limits.maxTokensPerTurn,
        stop: [...profile.stop],
        ...(native && profile.tools.length > 0
          ? { tools: [...profile.tools], toolChoice: 'auto' as const }
          : {}),
        ...(signal ? { abortSignal: signal } : {}),
        imageCache,
      });
    } catch (error) {
      if (signal?.aborted) {
        stopReason = 'abort';
        break;
      }
      throw error;
    }
    usage.inputTokens += result.usage.inputTokens;
    usage.outputTokens += result.usage.outputTokens;
    const context = { turnIndex };
    const reading = readTurn(
      {
        text: result.text,
        finishReason: result.finishReason,
        ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
      },
      context,
    );
    messages.push(reading.message);
    const turn: EpisodeTurn = {
      index: turnIndex,
      text: reading.text,
      finishReason: result.finishReason,
      usage: { ...result.usage },
      temperature,
      imagesAdded: [],
      ...(droppedIndices.size > 0 ? { droppedImages: [...droppedIndices] } : {}),
      ...(result.logprobs ? { logprobs: result.logprobs } : {}),
    };
    turns.push(turn);

    if (result.finishReason === 'abort') {
      stopReason = 'abort';
    } else if (reading.calls.length === 0) {
      stopReason = result.finishReason === 'length' ? 'max-tokens' : 'final-answer';
    } else {
      const operations: EpisodeOperation[] = [];
      const reports: OperationReport[] = [];
      const added: ChatImage[] = [];
      for (const parsed of reading.calls) {
        const limitReached: EpisodeStopReason | undefined =
          operationsAttempted >= limits.maxOperations
            ? 'operation-limit'
            : visualList.length + added.length > limits.maxImages
              ? 'image-limit'
              : result.usage.inputTokens + result.usage.outputTokens > limits.maxTotalTokens
                ? 'token-limit'
                : undefined;
        operationsAttempted++;
        const operation: EpisodeOperation = {
          payload: parsed.payload,
          executed: false,
          valid: false,
          ...(parsed.kind === 'call'
            ? { name: parsed.call.name, arguments: parsed.call.arguments }
            : parsed.name !== undefined
              ? { name: parsed.name }
              : {}),
          ...(parsed.id !== undefined ? { toolCallId: parsed.id } : {}),
        };
        operations.push(operation);
        if (limitReached !== undefined) {
          stopReason = limitReached;
          break;
        }
        const listLengthBefore = visualList.length + added.length;
        let outcome: ToolOutcome;
        if (parsed.kind === 'invalid') {
          outcome = { ok: false, name: parsed.name ?? '', error: parsed.error };
        } else {
          const resolved: ResolvedOperation = profile.resolveOperation
            ? profile.resolveOperation(parsed.call, {
                turnIndex,
                visualCount: listLengthBefore,
              })
            : { ok: true, call: parsed.call };
          const target = resolved.ok ? droppedTarget(resolved.call, droppedIndices) : undefined;
          if (!resolved.ok) {
            outcome = { ok: false, name: parsed.call.name, error: resolved.error };
          } else if (target !== undefined) {
            const shown = Array.from({ length: listLengthBefore }, (_, index) => index + 1).filter(
              (index) => !droppedIndices.has(index),
            );
            outcome = {
              ok: false,
              name: parsed.call.name,
              error: droppedImageError(target, shown),
            };
          } else {
            await decodeCropTarget(resolved.call, visualList);
            outcome = await executeToolCall(
              resolved.call,
              [...visualList, ...added.map((image): VisualInput => ({ type: 'image', image }))],
              toolOptions,
            );
          }
        }
        operation.executed = true;
        operation.valid = outcome.ok;
        if (outcome.ok) operationsValid++;
        else operation.error = outcome.error;
        onEvent?.({ type: 'operation-end', turnIndex, operation });
        const { observation, images } = observationFor(outcome, listLengthBefore);
        reports.push({ observation, ...(parsed.id !== undefined ? { id: parsed.id } : {}) });
        added.push(...images);
      }
      turn.operation = operations[0];
      if (operations.length > 1) turn.operations = operations;
      if (stopReason === undefined && visualList.length + added.length > limits.maxImages) {
        stopReason = 'image-limit';
      }
      if (stopReason === undefined || (native && reports.length > 0)) {
        // Native calls are all answered even when a limit ends the episode, so the chat stays
        // a valid Chat Completions conversation; text protocols end without the observation.
        const observationMessages = profile.observationMessages
          ? profile.observationMessages(reports, context)
          : [
              {
                role: 'user' as const,
                content: concatenateObservations(
                  reports,
                  (input, turnContext) => profile.observation(input, turnContext),
                  context,
                ),
              },
            ];
        if (stopReason === undefined || native) {
          messages.push(...observationMessages);
          turn.observation = observationMessages.at(-1);
        }
        if (stopReason === undefined) {
          turn.imagesAdded = added;
          // Each added image once, in order: the same frame may be selected twice.
          const queue: (ChatImage | undefined)[] = [...added];
          const firstIndex = visualList.length + 1;
          for (const message of observationMessages) {
            if (typeof message.content === 'string') continue;
            for (const part of message.content) {
              if (part.type !== 'image' || part.origin !== 'operation') continue;
              const position = queue.indexOf(part.image);
              if (position < 0) continue;
              queue[position] = undefined;
              tracked.push({ part, index: firstIndex + position });
            }
          }
          for (const image of added) visualList.push({ type: 'image', image });
        }
      }
    }
    onEvent?.({ type: 'turn-end', turn });
  }

  return {
    profileId: profile.id,
    modelId: model.modelId,
    finalAnswer: turns.at(-1)?.text ?? '',
    turns,
    operationsAttempted,
    operationsValid,
    usedPixelReasoning: operationsValid > 0,
    stopReason: stopReason ?? 'abort',
    messages,
    usage,
    imageHistory: describeImageHistory(imageHistory),
  };
}
