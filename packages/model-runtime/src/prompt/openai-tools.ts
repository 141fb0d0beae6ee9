import { formatUnknownToolError, parseJsonLikePython } from '@pixel-reasoner/visual-ops';
import type { ChatMessage, ChatPart, ToolCallV1 } from '../spec/chat.js';
import {
  lastToolCallPayload,
  parseToolCallPayload,
  REFERENCE_TOOL_NAMES,
} from '../tool-call/parse-tool-call.js';
import { createPromptProfile, type PromptProfile, referenceObservation } from './profiles.js';
import type { OperationReport, TurnOutput, TurnReading, TurnToolCall } from './protocol.js';
import {
  IM_END,
  REFERENCE_SYSTEM_TEXT,
  REFERENCE_TOOLS,
  TOOL_CALL_START,
  VCOT_TEMPLATE,
} from './reference-strings.js';

/** The id given to a call recovered from the text (the hermes fallback) of turn `turnIndex`. */
export function fallbackToolCallId(turnIndex: number): string {
  return `call_text_${turnIndex}`;
}

/** A native call read like the reference reads a `<tool_call>` payload; never throws. */
function readNativeCall(call: ToolCallV1): TurnToolCall {
  const payload = call.arguments;
  if (!REFERENCE_TOOL_NAMES.includes(call.name)) {
    // The reference's text for an unknown name in a `<tool_call>` block (its KeyError).
    return {
      kind: 'invalid',
      error: formatUnknownToolError(call.name),
      payload,
      name: call.name,
      id: call.id,
    };
  }
  const parsed = parseJsonLikePython(payload.trim() === '' ? '{}' : payload);
  if (!parsed.ok)
    return { kind: 'invalid', error: parsed.error, payload, name: call.name, id: call.id };
  return { kind: 'call', call: { name: call.name, arguments: parsed.value }, payload, id: call.id };
}

/**
 * vLLM's hermes parser sometimes leaves the call in `content` with an empty `tool_calls` list
 * (vllm#17161), or the call is cut at a stop string: the last `<tool_call>` block of the text is
 * read as the reference reads it, with or without its closing tag.
 */
function readTextFallback(text: string, turnIndex: number): TurnReading {
  const start = text.lastIndexOf(TOOL_CALL_START);
  if (start < 0) return { text, message: { role: 'assistant', content: text }, calls: [] };
  const payload = lastToolCallPayload(text);
  const parsed = parseToolCallPayload(payload);
  if (parsed.kind === 'invalid') {
    // Nothing structured to answer: the text stays as written, the error comes as a user turn.
    return { text, message: { role: 'assistant', content: text }, calls: [parsed] };
  }
  const id = fallbackToolCallId(turnIndex);
  const content = text.slice(0, start).trimEnd();
  return {
    text,
    message: {
      role: 'assistant',
      content,
      toolCalls: [{ id, name: parsed.call.name, arguments: JSON.stringify(parsed.call.arguments) }],
    },
    calls: [{ ...parsed, id }],
  };
}

function readOpenAIToolsTurn(output: TurnOutput, context: { turnIndex: number }): TurnReading {
  const text = output.text.split(IM_END).join('');
  const toolCalls = output.toolCalls ?? [];
  if (toolCalls.length === 0) return readTextFallback(text, context.turnIndex);
  return {
    text,
    message: { role: 'assistant', content: text, toolCalls },
    calls: toolCalls.map(readNativeCall),
  };
}

function textOf(parts: readonly ChatPart[]): string {
  return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * Chat Completions `tool` messages carry text only (no image parts), so each result is a `tool`
 * message with the observation text, and every image the operations returned follows in one user
 * message after the last `tool` message (the API wants all `tool` answers right after the
 * assistant turn). A call without an id (an unreadable call found in the text) is answered by a
 * plain user turn, as in the text protocol.
 */
function openAIToolsObservations(reports: readonly OperationReport[]): ChatMessage[] {
  const toolMessages: ChatMessage[] = [];
  const userParts: ChatPart[] = [];
  for (const report of reports) {
    const parts = referenceObservation(report.observation);
    if (report.id === undefined) {
      userParts.push(...parts);
      continue;
    }
    toolMessages.push({ role: 'user', toolCallId: report.id, content: textOf(parts) });
    if (parts.some((part) => part.type === 'image')) userParts.push(...parts);
  }
  return userParts.length > 0
    ? [...toolMessages, { role: 'user', content: userParts }]
    : toolMessages;
}

/**
 * Native function calling for OpenAI-compatible APIs (GPT-4o, Gemini, Claude, vLLM with
 * `--enable-auto-tool-choice --tool-call-parser hermes`): the system turn is the reference's base
 * text without a tool block, the request carries the visual operations' JSON-schema specs as
 * `tools` with `tool_choice: "auto"`, every returned call is executed and answered by a `tool`
 * message with its `tool_call_id`, and the images follow in a user message. The user turn is the
 * reference's (question, then the Guidelines text), so with vLLM's hermes template the prompt is
 * close to `pixel-reasoner-v1`.
 */
export const openAIToolsProfile: PromptProfile = createPromptProfile({
  id: 'openai-tools',
  tools: REFERENCE_TOOLS,
  instruction: VCOT_TEMPLATE,
  systemPrompt: REFERENCE_SYSTEM_TEXT,
  toolProtocol: 'native',
  readTurn: readOpenAIToolsTurn,
  observationMessages: openAIToolsObservations,
});
