import {
  CROP_TOOL_NAME,
  formatMissingArgumentError,
  parseJsonLikePython,
  pythonRepr,
} from '@pixel-reasoner/visual-ops';
import type { ChatPart } from '../spec/chat.js';
import { parseToolCallPayload } from '../tool-call/parse-tool-call.js';
import {
  DEEPEYES_SYSTEM_PROMPT,
  DEEPEYES_TOOL_NAME,
  DEEPEYES_TOOL_RESPONSE_END,
  DEEPEYES_TOOL_RESPONSE_START,
  DEEPEYES_USER_PROMPT,
  MINI_O3_CALL_END,
  MINI_O3_CALL_START,
  MINI_O3_ORIGINAL_SOURCE,
  MINI_O3_SYSTEM_PROMPT,
  miniO3ErrorText,
  miniO3ObservationTexts,
  miniO3SourcePatternError,
  miniO3SourceRangeError,
} from './peer-strings.js';
import { createPromptProfile, type PromptProfile } from './profiles.js';
import type { ObservationInput, ResolvedOperation, TurnOutput, TurnReading } from './protocol.js';
import { IM_END } from './reference-strings.js';

const QWEN_PIXELS = 28 * 28;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The payloads of every complete `start…end` block, in order (Python's non-greedy `findall`). */
function blocks(text: string, start: string, end: string): string[] {
  const found: string[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf(start, from);
    if (open < 0) return found;
    const close = text.indexOf(end, open + start.length);
    if (close < 0) return found;
    found.push(text.slice(open + start.length, close));
    from = close + end.length;
  }
}

function readDeepEyesTurn(output: TurnOutput): TurnReading {
  const text = output.text.split(IM_END).join('');
  const message = { role: 'assistant' as const, content: text };
  // `<answer>` ends the episode even when a call is present (visual_toolbox_v2 `execute`).
  if (blocks(text, '<answer>', '</answer>').length > 0) return { text, message, calls: [] };
  const payload = blocks(text, '<tool_call>', '</tool_call>').at(-1);
  if (payload === undefined) return { text, message, calls: [] };
  return {
    text,
    message,
    calls: [parseToolCallPayload(payload.trim(), { knownTools: [DEEPEYES_TOOL_NAME] })],
  };
}

/** `image_zoom_in_tool`: `bbox_2d` in absolute pixels of the original image; `label` is ignored. */
function resolveDeepEyesOperation(call: { arguments: unknown }): ResolvedOperation {
  const args = call.arguments;
  if (!isPlainObject(args) || !Object.hasOwn(args, 'bbox_2d')) {
    return { ok: false, error: formatMissingArgumentError('bbox_2d') };
  }
  // DeepEyes always crops the first (original) image.
  return {
    ok: true,
    call: { name: CROP_TOOL_NAME, arguments: { bbox_2d: args.bbox_2d, target_image: 1 } },
  };
}

function deepEyesObservation(input: ObservationInput): ChatPart[] {
  if (input.kind === 'error') return [{ type: 'text', text: `Error: ${input.message}` }];
  const images = input.kind === 'crop' ? [input.image] : input.frames;
  return [
    { type: 'text', text: DEEPEYES_TOOL_RESPONSE_START },
    ...images.map((image): ChatPart => ({ type: 'image', image, origin: 'operation' })),
    { type: 'text', text: DEEPEYES_USER_PROMPT },
    { type: 'text', text: DEEPEYES_TOOL_RESPONSE_END },
  ];
}

/**
 * DeepEyes (Visual-Agent/DeepEyes, `eval/eval_vstar.py`): its own system prompt with one tool,
 * `image_zoom_in_tool` (`bbox_2d` as absolute pixels `[x1, y1, x2, y2]` plus an optional `label`),
 * called as `<tool_call>` JSON; the user turn is `Question: …` followed by its format instruction;
 * each crop comes back as `<tool_response>`, the image, the instruction again, `</tool_response>`;
 * the answer goes in `<answer>`. The crop is taken from the original (first) image without padding
 * and resized with factor 28 into [4, 16384]·28² pixels; at most 11 generations (10 operations),
 * 10240 tokens each, stop at `<|im_end|>`. Differences: options stay inside the benchmark's
 * question text (DeepEyes lists them as `Options:`), a malformed call gets the reference error
 * text in DeepEyes' training form `Error: …` (its eval script aborts the item instead), and the
 * crop refuses sides ≤ 28 px like ours. Send V* inputs at file size (`--max-pixels 12845056`) to
 * match DeepEyes' pixel coordinates on the original image.
 */
export const deepEyesProfile: PromptProfile = createPromptProfile({
  id: 'deepeyes',
  tools: [],
  instruction: DEEPEYES_USER_PROMPT,
  systemPrompt: DEEPEYES_SYSTEM_PROMPT,
  userText: (question) => `Question: ${question}\n${DEEPEYES_USER_PROMPT}`,
  observation: deepEyesObservation,
  stop: [IM_END],
  limits: { maxOperations: 10, maxTokensPerTurn: 10240 },
  toolOptions: {
    boxMode: 'pixel',
    padding: 0,
    cropMinPixels: 4 * QWEN_PIXELS,
    cropMaxPixels: 16384 * QWEN_PIXELS,
  },
  readTurn: readDeepEyesTurn,
  resolveOperation: resolveDeepEyesOperation,
});

/** The name Mini-o3 calls get in episode records (it has no tool name of its own). */
export const MINI_O3_CALL_NAME = 'grounding';

function readMiniO3Turn(output: TurnOutput): TurnReading {
  let text = output.text.split(IM_END).join('');
  // Mini-o3 stops at `</grounding>` and keeps it; OpenAI-compatible servers drop stop strings.
  const lastOpen = text.lastIndexOf(MINI_O3_CALL_START);
  if (
    output.finishReason === 'stop' &&
    lastOpen >= 0 &&
    text.indexOf(MINI_O3_CALL_END, lastOpen) < 0
  ) {
    text += MINI_O3_CALL_END;
  }
  const message = { role: 'assistant' as const, content: text };
  const payload = blocks(text, MINI_O3_CALL_START, MINI_O3_CALL_END).at(-1);
  if (payload === undefined) return { text, message, calls: [] };
  const parsed = parseJsonLikePython(payload);
  if (!parsed.ok) {
    return {
      text,
      message,
      calls: [{ kind: 'invalid', error: parsed.error, payload, name: MINI_O3_CALL_NAME }],
    };
  }
  return {
    text,
    message,
    calls: [{ kind: 'call', call: { name: MINI_O3_CALL_NAME, arguments: parsed.value }, payload }],
  };
}

/**
 * `{"bbox_2d": [x0, y0, x1, y1], "source": "original_image" | "observation_<i>"}` with coordinates
 * relative to the source image; observation i is the i-th entry of Mini-o3's observation list
 * (the original is entry 0), i.e. our `target_image` i + 1.
 */
function resolveMiniO3Operation(
  call: { arguments: unknown },
  context: { visualCount: number },
): ResolvedOperation {
  const args = call.arguments;
  if (!isPlainObject(args) || !Object.hasOwn(args, 'bbox_2d')) {
    return { ok: false, error: `There is no 'bbox_2d' in grounding argument: ${pythonRepr(args)}` };
  }
  if (!Object.hasOwn(args, 'source')) {
    return { ok: false, error: `There is no 'source' in grounding argument: ${pythonRepr(args)}` };
  }
  const source = args.source;
  if (typeof source !== 'string')
    return { ok: false, error: miniO3SourcePatternError(String(source)) };
  let observation = 0;
  if (source !== MINI_O3_ORIGINAL_SOURCE) {
    const match = /^observation_([0-9]*)/.exec(source);
    if (!match || match[1] === '') return { ok: false, error: miniO3SourcePatternError(source) };
    observation = Number(match[1]);
  }
  if (observation >= context.visualCount)
    return { ok: false, error: miniO3SourceRangeError(source) };
  return {
    ok: true,
    call: {
      name: CROP_TOOL_NAME,
      arguments: { bbox_2d: args.bbox_2d, target_image: observation + 1 },
    },
  };
}

function miniO3Observation(input: ObservationInput, context?: { turnIndex: number }): ChatPart[] {
  if (input.kind === 'error') return [{ type: 'text', text: miniO3ErrorText(input.message) }];
  const [before, after] = miniO3ObservationTexts(context?.turnIndex ?? 0);
  const images = input.kind === 'crop' ? [input.image] : input.frames;
  return [
    { type: 'text', text: before },
    ...images.map((image): ChatPart => ({ type: 'image', image, origin: 'operation' })),
    { type: 'text', text: after },
  ];
}

/**
 * Mini-o3 (Mini-o3/Mini-o3, `verl/trainer/constants.py`, `vllm_async_engine.py`): the
 * `tool_crop` system prompt; calls are `<grounding>{"bbox_2d": …, "source": …}</grounding>` with
 * coordinates relative to the source image (`use_relative_coordinates=True`), generation stops at
 * `</grounding>`; each crop comes back between the "After the above Action i …" texts, errors in
 * its `ERROR occurs during grounding` wrapper. Evaluation allows 12 rounds and 12 images
 * (`val_max_generation_round`, `val_limit_mm_per_prompt`): at most 11 operations. Crops are not
 * padded and are resized into [40 000, 2 000 000] pixels (`data.min_pixels`/`max_pixels`).
 * Differences: Mini-o3 crops the full-resolution original (we crop the input as sent, so pass
 * `--max-pixels 2000000` to match its view), reads the call with a regular expression and
 * `eval` (we parse JSON) and truncates boxes to integers (we round like the reference).
 */
export const miniO3Profile: PromptProfile = createPromptProfile({
  id: 'mini-o3',
  tools: [],
  instruction: '',
  systemPrompt: MINI_O3_SYSTEM_PROMPT,
  userText: (question) => question,
  observation: miniO3Observation,
  stop: [MINI_O3_CALL_END],
  limits: { maxOperations: 11, maxImages: 12, maxTokensPerTurn: 8192 },
  toolOptions: {
    boxMode: 'normalized',
    padding: 0,
    cropMinPixels: 40_000,
    cropMaxPixels: 2_000_000,
  },
  readTurn: readMiniO3Turn,
  resolveOperation: resolveMiniO3Operation,
});
