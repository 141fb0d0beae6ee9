import {
  createOpenAICompatibleModel,
  cropObservationText,
  type EpisodeMedia,
  executionErrorObservationText,
  getPromptProfile,
  runEpisode,
} from '@pixel-reasoner/model-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quadrantPng } from './images.js';
import {
  type ScriptedChatReply,
  type ScriptedChatRequest,
  type ScriptedChatServer,
  startScriptedChatServer,
  type WireMessage,
} from './scripted-chat-server.js';

const CROP = 'crop_image_normalized';
const cropArguments = (box: number[], target = 1) =>
  JSON.stringify({ bbox_2d: box, target_image: target });

/** Replies per scenario (the first word of the question), by turn index. */
const SCENARIOS: Record<string, ScriptedChatReply[]> = {
  crop: [
    {
      content: 'I need a closer look.',
      toolCalls: [{ id: 'call_a', name: CROP, arguments: cropArguments([0.55, 0.55, 0.95, 0.95]) }],
    },
    { content: 'The zoomed region is white. \\boxed{white}' },
  ],
  hermes: [
    {
      content: `Zoom.\n<tool_call>\n{"name": "${CROP}", "arguments": ${cropArguments([0.1, 0.1, 0.6, 0.6])}}\n</tool_call>`,
    },
    { content: '\\boxed{A}' },
  ],
  brace: [
    {
      content: `<tool_call>\n{"name": "${CROP}", "arguments": {"bbox_2d": [0.1, 0.1, 0.5, 0.5], "target_image": 1}\n</tool_call>`,
    },
    { content: '\\boxed{A}' },
  ],
  malformed: [
    {
      toolCalls: [
        {
          id: 'call_m',
          name: CROP,
          arguments: '{"bbox_2d": [0.1, 0.2 0.3, 0.4], "target_image": 1}',
        },
      ],
    },
    { content: '\\boxed{A}' },
  ],
  unknown: [
    { toolCalls: [{ id: 'call_u', name: 'zoom', arguments: '{"bbox_2d": [0, 0, 1, 1]}' }] },
    { content: '\\boxed{A}' },
  ],
  parallel: [
    {
      content: '',
      toolCalls: [
        { id: 'call_1', name: CROP, arguments: cropArguments([0, 0, 0.5, 0.5]) },
        { id: 'call_2', name: CROP, arguments: cropArguments([0.5, 0.5, 1, 1]) },
      ],
    },
    { content: '\\boxed{B}' },
  ],
  loop: [
    { toolCalls: [{ id: 'call_l', name: CROP, arguments: cropArguments([0.1, 0.1, 0.6, 0.6]) }] },
  ],
};

function scenarioOf(request: ScriptedChatRequest): string {
  const user = request.body.messages.find((message) => message.role === 'user');
  const parts = Array.isArray(user?.content)
    ? (user.content as { type: string; text?: string }[])
    : [];
  const text = parts.map((part) => part.text ?? '').join('');
  return text.split(' ')[0] ?? '';
}

let server: ScriptedChatServer;
beforeAll(async () => {
  server = await startScriptedChatServer({
    model: 'scripted-tools',
    reply: (request) => {
      const replies = SCENARIOS[scenarioOf(request)] ?? [{ content: '\\boxed{?}' }];
      return replies[Math.min(request.turnIndex, replies.length - 1)]!;
    },
  });
});
afterAll(() => server.close());

const image = quadrantPng({ width: 448, height: 336 });
const media: EpisodeMedia[] = [{ type: 'image', image }];
const profile = getPromptProfile('openai-tools');

async function episodeFor(question: string, options: { maxOperations?: number } = {}) {
  const before = server.requests.length;
  const model = createOpenAICompatibleModel({ baseURL: server.url, model: 'scripted-tools' });
  const episode = await runEpisode({
    model,
    profile,
    question,
    media,
    ...(options.maxOperations !== undefined
      ? { limits: { maxOperations: options.maxOperations } }
      : {}),
  });
  return { episode, requests: server.requests.slice(before) };
}

const roles = (messages: WireMessage[]) => messages.map((message) => message.role);
const userParts = (message: WireMessage | undefined) =>
  (message?.content ?? []) as { type: string; text?: string; image_url?: { url: string } }[];

describe('openai-tools over HTTP against a server answering with tool_calls', () => {
  it('sends tools, runs the crop, answers it with its tool_call_id and then the image', async () => {
    const { episode, requests } = await episodeFor('crop What color is the bottom-right quadrant?');
    expect(requests).toHaveLength(2);
    const first = requests[0]!;
    expect(first.tool_choice).toBe('auto');
    expect(
      (first.tools as { function: { name: string } }[]).map((tool) => tool.function.name),
    ).toEqual([CROP, 'select_frames']);
    expect(first.messages[0]).toEqual({ role: 'system', content: 'You are a helpful assistant.' });

    const second = requests[1]!.messages;
    expect(roles(second)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(second[2]!.tool_calls).toEqual([
      {
        id: 'call_a',
        type: 'function',
        function: { name: CROP, arguments: cropArguments([0.55, 0.55, 0.95, 0.95]) },
      },
    ]);
    const crop = episode.turns[0]!.imagesAdded[0]!;
    expect(second[3]).toEqual({
      role: 'tool',
      tool_call_id: 'call_a',
      content: cropObservationText(crop),
    });
    const imageMessage = userParts(second[4]);
    expect(imageMessage.map((part) => part.type)).toEqual(['text', 'image_url']);
    expect(imageMessage[1]!.image_url!.url).toMatch(/^data:image\/png;base64,/);

    expect(episode.operationsValid).toBe(1);
    expect(episode.turns[0]!.operation).toMatchObject({
      name: CROP,
      valid: true,
      toolCallId: 'call_a',
    });
    expect(episode.stopReason).toBe('final-answer');
    expect(episode.finalAnswer).toContain('\\boxed{white}');
  });

  it('reads a call left in content with empty tool_calls (hermes) and answers it as a tool call', async () => {
    const { episode, requests } = await episodeFor('hermes What is shown?');
    expect(episode.operationsValid).toBe(1);
    const second = requests[1]!.messages;
    expect(roles(second)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(second[2]).toMatchObject({
      content: 'Zoom.',
      tool_calls: [{ id: 'call_text_0', function: { name: CROP } }],
    });
    expect(second[3]!.tool_call_id).toBe('call_text_0');
  });

  it('gives a hermes call with a dropped closing brace the reference JSON error as a user turn', async () => {
    const { episode, requests } = await episodeFor('brace What is shown?');
    // The payload keeps the newlines around the JSON, as the reference's `parse_last_tool` does.
    const error = "Expecting ',' delimiter: line 3 column 1 (char 101)";
    expect(episode.turns[0]!.operation).toMatchObject({ executed: true, valid: false, error });
    const second = requests[1]!.messages;
    expect(roles(second)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(userParts(second[3])).toEqual([
      { type: 'text', text: executionErrorObservationText(error) },
    ]);
  });

  it('answers malformed arguments with the reference error text in the tool message', async () => {
    const { episode, requests } = await episodeFor('malformed What is shown?');
    const error = "Expecting ',' delimiter: line 1 column 23 (char 22)";
    expect(episode.turns[0]!.operation).toMatchObject({
      valid: false,
      error,
      toolCallId: 'call_m',
    });
    const second = requests[1]!.messages;
    expect(roles(second)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(second[3]).toEqual({
      role: 'tool',
      tool_call_id: 'call_m',
      content: executionErrorObservationText(error),
    });
    expect(episode.stopReason).toBe('final-answer');
  });

  it('answers an unknown tool name with the reference KeyError text', async () => {
    const { episode, requests } = await episodeFor('unknown What is shown?');
    expect(episode.turns[0]!.operation).toMatchObject({
      name: 'zoom',
      valid: false,
      error: "'zoom'",
    });
    expect(requests[1]!.messages[3]!.content).toBe(executionErrorObservationText("'zoom'"));
  });

  it('runs every call of a turn: one tool message each, then one user message with both crops', async () => {
    const { episode, requests } = await episodeFor('parallel Which quadrant differs?');
    expect(episode.operationsAttempted).toBe(2);
    expect(episode.operationsValid).toBe(2);
    expect(episode.turns[0]!.operations?.map((operation) => operation.toolCallId)).toEqual([
      'call_1',
      'call_2',
    ]);
    const second = requests[1]!.messages;
    expect(roles(second)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'user']);
    expect(second.slice(3, 5).map((message) => message.tool_call_id)).toEqual(['call_1', 'call_2']);
    expect(userParts(second[5]).filter((part) => part.type === 'image_url')).toHaveLength(2);
  });

  it('answers the call that hits the operation limit, so the chat stays valid, and stops', async () => {
    const { episode } = await episodeFor('loop Keep zooming', { maxOperations: 1 });
    expect(episode.stopReason).toBe('operation-limit');
    expect(episode.operationsAttempted).toBe(2);
    expect(episode.turns[1]!.operation).toMatchObject({ executed: false, toolCallId: 'call_l' });
  });
});
