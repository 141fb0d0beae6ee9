import { dumpJsonLikePython } from '@pixel-reasoner/visual-ops';
import { InvalidEpisodeInputError } from '../errors.js';
import type { ChatMessage, ChatPart } from '../spec/chat.js';
import type { EpisodeMedia } from '../spec/episode.js';
import type { ObservationInput, ToolProtocolHooks, TurnContext } from './protocol.js';
import {
  cropObservationText,
  executionErrorObservationText,
  NOTOOL_TEMPLATE,
  NOUS_FN_CALL_TEMPLATE,
  NOUS_SYSTEM_JOINER,
  QUESTION_TEMPLATE_SEPARATOR,
  REFERENCE_STOP_STRINGS,
  REFERENCE_SYSTEM_TEXT,
  REFERENCE_TOOLS,
  selectedFramesObservationText,
  type ToolFunctionSpec,
  VCOT_TEMPLATE,
} from './reference-strings.js';

export type { ObservationInput } from './protocol.js';

/**
 * How a family of models is prompted: system text with its tool block, the user turn, the
 * observation turns and the stop strings, plus (optionally) how its tool calls are read, mapped
 * onto our operations and answered (`ToolProtocolHooks`). Profiles are plain data plus pure
 * functions, so the same profile renders for HTTP backends, the local model and trajectory export.
 */
export interface PromptProfile extends ToolProtocolHooks {
  readonly id: string;
  /** The full system message text, tool block included. */
  readonly systemPrompt: string;
  /**
   * Tools the model is offered: listed in the system prompt for text protocols, sent in the
   * request for `toolProtocol: 'native'` (empty for `notool`).
   */
  readonly tools: readonly ToolFunctionSpec[];
  readonly stop: readonly string[];
  /** The user turn's text: the question followed by the profile's instructions. */
  userText(question: string): string;
  /** System message plus the user turn (media first, then the text). */
  initialMessages(input: { question: string; media: readonly EpisodeMedia[] }): ChatMessage[];
  /** The content of the user turn that reports an operation's result. */
  observation(input: ObservationInput, context?: TurnContext): ChatPart[];
}

/**
 * Qwen-Agent's `NousFnCallPrompt.preprocess_fncall_messages` applied to a system text: the Nous
 * tool block with one `json.dumps` line per tool, or the text unchanged when there are no tools
 * (the reference skips the call for `notool`).
 */
export function renderNousSystemPrompt(
  baseSystem: string,
  tools: readonly ToolFunctionSpec[],
): string {
  if (tools.length === 0) return baseSystem;
  const toolDescriptions = tools.map((tool) => dumpJsonLikePython(tool)).join('\n');
  const toolBlock = NOUS_FN_CALL_TEMPLATE.replace('{tool_descs}', () => toolDescriptions);
  return `${baseSystem}${NOUS_SYSTEM_JOINER}${toolBlock}`;
}

function mediaParts(media: readonly EpisodeMedia[]): ChatPart[] {
  const videos = media.filter((item) => item.type === 'video').length;
  if (videos > 1 || (videos === 1 && media[0]?.type !== 'video')) {
    throw new InvalidEpisodeInputError(
      'media: a video must be the only or first visual input (the reference supports one video per episode)',
    );
  }
  return media.map((item): ChatPart => {
    if (item.type === 'image') return { type: 'image', image: item.image, origin: 'input' };
    if (item.frames.length === 0) {
      throw new InvalidEpisodeInputError('media: a video needs at least one frame');
    }
    return { type: 'video', frames: item.frames };
  });
}

/** The reference observation turn: the crop or frames text with its images, or the execution error. */
export function referenceObservation(input: ObservationInput): ChatPart[] {
  if (input.kind === 'crop') {
    return [
      { type: 'text', text: cropObservationText(input.image) },
      { type: 'image', image: input.image, origin: 'operation' },
    ];
  }
  if (input.kind === 'frames') {
    const first = input.frames[0];
    if (first === undefined) {
      throw new InvalidEpisodeInputError('observation: select_frames returned no frames');
    }
    return [
      {
        type: 'text',
        text: selectedFramesObservationText({
          width: first.width,
          height: first.height,
          first: input.listLengthBefore,
          last: input.listLengthBefore + input.frames.length - 1,
        }),
      },
      ...input.frames.map(
        (frame): ChatPart => ({ type: 'image', image: frame, origin: 'operation' }),
      ),
    ];
  }
  return [{ type: 'text', text: executionErrorObservationText(input.message) }];
}

export interface PromptProfileOptions extends ToolProtocolHooks {
  id: string;
  tools: readonly ToolFunctionSpec[];
  /** Text added after the question and its `\n\n` separator (`templates[sys]` of the reference). */
  instruction: string;
  baseSystem?: string;
  /** The whole system text, instead of `baseSystem` plus the Nous tool block of `tools`. */
  systemPrompt?: string;
  /** The user turn's text, instead of question + `\n\n` + `instruction`. */
  userText?: (question: string) => string;
  /** The observation turn's content, instead of the reference's texts. */
  observation?: (input: ObservationInput, context?: TurnContext) => ChatPart[];
  stop?: readonly string[];
}

/** A profile following the reference's layout with other tools or instructions. */
export function createPromptProfile(options: PromptProfileOptions): PromptProfile {
  const {
    id,
    tools,
    instruction,
    baseSystem,
    systemPrompt: systemOverride,
    userText: userTextOverride,
    observation,
    stop,
    ...hooks
  } = options;
  const systemPrompt =
    systemOverride ?? renderNousSystemPrompt(baseSystem ?? REFERENCE_SYSTEM_TEXT, tools);
  const userText =
    userTextOverride ??
    ((question: string) => `${question}${QUESTION_TEMPLATE_SEPARATOR}${instruction}`);
  return {
    ...hooks,
    id,
    systemPrompt,
    tools,
    stop: stop ?? REFERENCE_STOP_STRINGS,
    userText,
    initialMessages({ question, media }) {
      return [
        { role: 'system', content: systemPrompt },
        {
          role: 'user',
          content: [...mediaParts(media), { type: 'text', text: userText(question) }],
        },
      ];
    },
    observation: observation ?? referenceObservation,
  };
}

/**
 * What PixelReasoner-RL-v1 was trained and evaluated with (`sys=vcot`): both visual operations in
 * the Nous tool block, and the Guidelines text after the question (four newlines in between).
 */
export const pixelReasonerV1Profile: PromptProfile = createPromptProfile({
  id: 'pixel-reasoner-v1',
  tools: REFERENCE_TOOLS,
  instruction: VCOT_TEMPLATE,
});

/** The reference's `sys=notool` prompt: no tool block, step-by-step instruction. */
export const notoolProfile: PromptProfile = createPromptProfile({
  id: 'notool',
  tools: [],
  instruction: NOTOOL_TEMPLATE,
});
