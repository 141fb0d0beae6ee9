import { describe, expect, it } from 'vitest';
import { runEpisode } from '../agent/run-episode.js';
import { encodeRgbPng } from '../image/png.js';
import type { ChatMessage } from '../spec/chat.js';
import type { GenerateOptionsV1, VisionLanguageModelV1 } from '../spec/language-model-v1.js';
import { deepEyesProfile, miniO3Profile } from './peer-profiles.js';

/** Answers turn i with `replies[i]` (finish reason `stop`) and records every request. */
function scripted(replies: string[]): VisionLanguageModelV1 & { calls: GenerateOptionsV1[] } {
  const calls: GenerateOptionsV1[] = [];
  return {
    specificationVersion: 'v1',
    provider: 'test',
    modelId: 'scripted',
    supportsLogprobs: false,
    calls,
    async doGenerate(options) {
      calls.push(options);
      const text = replies[Math.min(calls.length - 1, replies.length - 1)]!;
      return { text, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
}

/** 200×100: left half black, right half white. */
const halves = encodeRgbPng({
  width: 200,
  height: 100,
  pixels: Uint8Array.from({ length: 200 * 100 * 3 }, (_, index) =>
    Math.floor(index / 3) % 200 >= 100 ? 255 : 0,
  ),
});

const textOf = (message: ChatMessage | undefined) =>
  typeof message?.content === 'string'
    ? message.content
    : (message?.content ?? [])
        .map((part) => (part.type === 'text' ? part.text : '<image>'))
        .join('');

describe('deepeyes profile', () => {
  it('crops the original image at absolute pixels and answers in a <tool_response>', async () => {
    const model = scripted([
      '<think>look right</think> <tool_call>{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [100, 0, 200, 100], "label": "white half"}}</tool_call>',
      '<think>white</think> <answer>B</answer>',
    ]);
    const episode = await runEpisode({
      model,
      profile: deepEyesProfile,
      question: 'Which color?',
      media: [{ type: 'image', image: halves }],
    });
    expect(episode.operationsValid).toBe(1);
    const crop = episode.turns[0]!.imagesAdded[0]!;
    // No padding: the 100×100 right half, resized into DeepEyes' [4, 16384]·28² budget.
    expect(crop.width / crop.height).toBeCloseTo(1, 5);
    expect(textOf(episode.turns[0]!.observation)).toBe(
      '<tool_response><image>\nThink first, call **image_zoom_in_tool** if needed, then answer. Format strictly as:  <think>...</think>  <tool_call>...</tool_call> (if tools needed)  <answer>...</answer> </tool_response>',
    );
    expect(model.calls[0]!.maxTokens).toBe(10240);
    expect(episode.stopReason).toBe('final-answer');
  });

  it('ends on <answer> even when the turn also holds a call', async () => {
    const model = scripted([
      '<tool_call>{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [0, 0, 50, 50]}}</tool_call><answer>A</answer>',
    ]);
    const episode = await runEpisode({
      model,
      profile: deepEyesProfile,
      question: 'Q',
      media: [{ type: 'image', image: halves }],
    });
    expect(episode.operationsAttempted).toBe(0);
    expect(episode.stopReason).toBe('final-answer');
  });

  it('shows a missing bbox_2d as Error: with the KeyError text', async () => {
    const model = scripted([
      '<tool_call>{"name": "image_zoom_in_tool", "arguments": {"bbox": [0, 0, 50, 50]}}</tool_call>',
      '<answer>A</answer>',
    ]);
    const episode = await runEpisode({
      model,
      profile: deepEyesProfile,
      question: 'Q',
      media: [{ type: 'image', image: halves }],
    });
    expect(textOf(episode.turns[0]!.observation)).toBe("Error: 'bbox_2d'");
  });
});

describe('mini-o3 profile', () => {
  it('restores the </grounding> stop string, crops relative boxes and numbers observations', async () => {
    const model = scripted([
      '<think>zoom</think> <grounding>{"bbox_2d": [0.5, 0.0, 1.0, 1.0], "source": "original_image"}',
      '<grounding>{"bbox_2d": [0.0, 0.0, 0.5, 0.5], "source": "observation_1"}',
      '<answer>white</answer>',
    ]);
    const episode = await runEpisode({
      model,
      profile: miniO3Profile,
      question: 'Which color?',
      media: [{ type: 'image', image: halves }],
    });
    expect(model.calls[0]!.stop).toEqual(['</grounding>']);
    expect(episode.turns[0]!.text.endsWith('</grounding>')).toBe(true);
    expect(episode.operationsValid).toBe(2);
    expect(textOf(episode.turns[1]!.observation)).toMatch(
      /^After the above Action 1, here is the the zoom-in image \(Observation 2\):\n<image>\.\nContinue/,
    );
    // observation_1 is the first crop: target_image 2 in our running list.
    expect(episode.turns[1]!.imagesAdded[0]!.width).toBeGreaterThan(0);
    expect(episode.messages.filter((message) => message.role === 'user')).toHaveLength(3);
  });

  it('wraps a bad source in its grounding error text', async () => {
    const model = scripted([
      '<grounding>{"bbox_2d": [0, 0, 1, 1], "source": "observation_3"}</grounding>',
      '<answer>A</answer>',
    ]);
    const episode = await runEpisode({
      model,
      profile: miniO3Profile,
      question: 'Q',
      media: [{ type: 'image', image: halves }],
    });
    expect(textOf(episode.turns[0]!.observation)).toBe(
      'ERROR occurs during grounding. Error Information: Error in predicting the source observation: "observation_3"..\nPlease analyze the error information obtained from the function tool and adjust your response. Countinue your reasoning process inside <think> and </think>.',
    );
  });

  it('stops at 11 operations (12 rounds) by default', async () => {
    const model = scripted([
      '<grounding>{"bbox_2d": [0, 0, 0.9, 0.9], "source": "original_image"}',
    ]);
    const episode = await runEpisode({
      model,
      profile: miniO3Profile,
      question: 'Q',
      media: [{ type: 'image', image: halves }],
    });
    expect(episode.turns).toHaveLength(12);
    expect(episode.stopReason).toBe('operation-limit');
  });
});
