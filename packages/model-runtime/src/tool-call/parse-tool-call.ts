import {
  formatArgumentsNotSubscriptableError,
  formatMissingArgumentError,
  formatUnknownToolError,
  type PythonJsonValue,
  parseJsonLikePython,
  pythonRepr,
  pythonTypeName,
} from '@pixel-reasoner/visual-ops';
import { IM_END, TOOL_CALL_END, TOOL_CALL_START } from '../prompt/reference-strings.js';

/** The tools the reference registers for RL (`self.operations`), whatever the prompt lists. */
export const REFERENCE_TOOL_NAMES: readonly string[] = ['crop_image_normalized', 'select_frames'];

export interface ParsedToolCall {
  name: string;
  /** Whatever JSON value the model wrote; validated by the operation that runs it. */
  arguments: unknown;
}

export type ToolCallParseResult =
  /** The turn does not end with `</tool_call>`: it is a final answer. */
  | { kind: 'none' }
  | { kind: 'call'; call: ParsedToolCall; payload: string }
  /** The turn ends with a tool call that cannot run; `error` is the reference's exception text. */
  | { kind: 'invalid'; error: string; payload: string; name?: string };

/** Reference rule: with `<|im_end|>` removed, the turn ends exactly with `</tool_call>`. */
export function endsWithToolCall(text: string): boolean {
  return text.split(IM_END).join('').endsWith(TOOL_CALL_END);
}

/** The text between the last `<tool_call>` and the `</tool_call>` that follows it (`parse_last_tool`). */
export function lastToolCallPayload(text: string): string {
  const afterStart = text.split(TOOL_CALL_START).at(-1) ?? '';
  return afterStart.split(TOOL_CALL_END)[0] ?? '';
}

/**
 * Reads the tool call a turn ends with, the way the reference does: JSON-parse the last
 * `<tool_call>` block, then look up `name`, `arguments` and the operation. Each failure becomes the
 * text of the Python exception the reference would have shown the model. Never throws.
 *
 * One deliberate difference: the reference parses the whole conversation text, so a turn that ends
 * in `</tool_call>` without any `<tool_call>` of its own re-reads an earlier block; here only the
 * turn's own text is read.
 */
export function parseToolCall(
  text: string,
  options: { knownTools?: readonly string[] } = {},
): ToolCallParseResult {
  if (!endsWithToolCall(text)) return { kind: 'none' };
  const payload = lastToolCallPayload(text.split(IM_END).join(''));
  return parseToolCallPayload(payload, options);
}

/**
 * The text inside a `<tool_call>` block read as the reference reads it: JSON-parse it, then look
 * up `name`, `arguments` and the operation; each failure becomes the Python exception text the
 * reference would show. Never throws.
 */
export function parseToolCallPayload(
  payload: string,
  options: { knownTools?: readonly string[] } = {},
): Exclude<ToolCallParseResult, { kind: 'none' }> {
  const knownTools = options.knownTools ?? REFERENCE_TOOL_NAMES;
  const parsed = parseJsonLikePython(payload);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error, payload };
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'invalid', error: formatArgumentsNotSubscriptableError(value), payload };
  }
  if (!Object.hasOwn(value, 'name'))
    return { kind: 'invalid', error: formatMissingArgumentError('name'), payload };
  if (!Object.hasOwn(value, 'arguments')) {
    return { kind: 'invalid', error: formatMissingArgumentError('arguments'), payload };
  }
  const name = value.name as PythonJsonValue;
  if (name !== null && typeof name === 'object') {
    return {
      kind: 'invalid',
      error: `unhashable type: '${pythonTypeName(name)}'`,
      payload,
    };
  }
  if (typeof name !== 'string' || !knownTools.includes(name)) {
    return {
      kind: 'invalid',
      error: typeof name === 'string' ? formatUnknownToolError(name) : pythonRepr(name),
      payload,
      ...(typeof name === 'string' ? { name } : {}),
    };
  }
  return { kind: 'call', call: { name, arguments: value.arguments }, payload };
}
