import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { solidColorPng } from '../image/png.js';
import {
  createPromptProfile,
  notoolProfile,
  pixelReasonerV1Profile,
  renderNousSystemPrompt,
} from './profiles.js';
import { renderQwenChat } from './qwen-chat-template.js';
import { REFERENCE_TOOLS, type ToolFunctionSpec } from './reference-strings.js';
import { getPromptProfile } from './registry.js';

// Fixtures are verbatim reference data, extracted by script (not retyped):
// - pixel-reasoner-v1-system.txt: Qwen-Agent's FN_CALL_TEMPLATE formatted with json.dumps of the
//   CropImageNormalized / SelectFrames classes of experience_maker.py (what RL-v1 was trained on);
// - experience-maker-example.txt: the rendered prompt in experience_maker.py's `__main__` (an
//   earlier one-tool version of the prompt, with the `default` user template);
// - verl-tool-system-prompt.txt: `system_prompt` of verl-tool's pixel_reasoner/prepare_train.py.
const fixture = (name: string) =>
  readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

const image = solidColorPng({ width: 28, height: 28, color: [1, 2, 3] });

describe('pixel-reasoner-v1 profile', () => {
  it('renders the system prompt byte for byte', () => {
    expect(pixelReasonerV1Profile.systemPrompt).toBe(fixture('pixel-reasoner-v1-system.txt'));
  });

  it('puts media first and four newlines before the Guidelines', () => {
    const [system, user] = pixelReasonerV1Profile.initialMessages({
      question: '<image>\nWhat is written on the sign?',
      media: [{ type: 'image', image }],
    });
    expect(system).toEqual({ role: 'system', content: pixelReasonerV1Profile.systemPrompt });
    expect(user?.content).toEqual([
      { type: 'image', image, origin: 'input' },
      {
        type: 'text',
        text: '<image>\nWhat is written on the sign?\n\n\n\nGuidelines: Understand the given visual information and the user query. Determine if it is beneficial to employ the given visual operations (tools). For a video, we can look closer by `select_frames`. For an image, we can look closer by `crop_image`. Reason with the visual information step by step, and put your final answer within \\boxed{}.',
      },
    ]);
  });

  it('renders observations with the reference texts', () => {
    const crop = solidColorPng({ width: 56, height: 84, color: [0, 0, 0] });
    expect(pixelReasonerV1Profile.observation({ kind: 'crop', image: crop })).toEqual([
      { type: 'text', text: '\nHere is the cropped image (Image Size: 56x84):' },
      { type: 'image', image: crop, origin: 'operation' },
    ]);
    const frames = pixelReasonerV1Profile.observation({
      kind: 'frames',
      frames: [image, image, image],
      listLengthBefore: 1,
    });
    expect(frames[0]).toEqual({
      type: 'text',
      text: '\nHere are the selected frames (Frame Size: 28x28, Numbered 1 to 3):',
    });
    expect(frames).toHaveLength(4);
    expect(pixelReasonerV1Profile.observation({ kind: 'error', message: 'boom' })).toEqual([
      { type: 'text', text: '\nExecution error:\nboom\n' },
    ]);
  });

  it('stops on the reference stop strings only', () => {
    expect(pixelReasonerV1Profile.stop).toEqual(['<|im_end|>', '<|eot_id|>', '<|endoftext|>']);
  });

  it('rejects a video that is not the first medium', () => {
    expect(() =>
      pixelReasonerV1Profile.initialMessages({
        question: 'q',
        media: [
          { type: 'image', image },
          { type: 'video', frames: [image] },
        ],
      }),
    ).toThrow(/video must be the only or first/);
  });
});

describe('Nous tool block', () => {
  it("reproduces verl-tool's rendered system prompt from its tool specs", () => {
    const verlToolTools: ToolFunctionSpec[] = [
      {
        type: 'function',
        function: {
          name: 'crop_image',
          description: 'Zoom in on the image based on the bounding box coordinates.',
          parameters: {
            type: 'object',
            properties: {
              bbox_2d: {
                type: 'array',
                description:
                  'coordinates for bounding box of the area you want to zoom in. minimum value is 0 and maximum value is the width/height of the image.',
                items: { type: 'number' },
              },
              target_image: {
                type: 'number',
                description:
                  'The index of the image to crop. Index from 1 to the number of images. Choose 1 to operate on original image.',
              },
            },
            required: ['bbox_2d', 'target_image'],
          },
        },
      },
      REFERENCE_TOOLS[1]!,
    ];
    expect(renderNousSystemPrompt('You are a helpful assistant.', verlToolTools)).toBe(
      fixture('verl-tool-system-prompt.txt'),
    );
  });

  it("reproduces experience_maker's rendered example prompt through the Qwen template", () => {
    const crop = REFERENCE_TOOLS[0]!;
    const oldCrop: ToolFunctionSpec = {
      type: 'function',
      function: {
        ...crop.function,
        parameters: {
          type: 'object',
          properties: {
            bbox_2d: {
              type: 'array',
              description:
                'coordinates for bounding box of the area you want to zoom in. minimum value is 0 and maximum value is 1.',
              items: { type: 'number' },
            },
            target_image: crop.function.parameters.properties!.target_image!,
          },
          required: ['bbox_2d', 'target_image'],
        },
      },
    };
    const profile = createPromptProfile({
      id: 'example',
      tools: [oldCrop],
      instruction: 'Please reason step by step, and put your final answer within \\boxed{}.',
    });
    const question =
      '<image>\nWhat animal is depicted on the Woolshops Shopping Centre sign?\nchoices:\nA: Lion  \nB: Sheep  \nC: Tiger  \nD: Elephant';
    const prompt = renderQwenChat(
      profile.initialMessages({ question, media: [{ type: 'image', image }] }),
      { addGenerationPrompt: true },
    );
    const example = fixture('experience-maker-example.txt');
    const assistantStart =
      example.indexOf('<|im_start|>assistant\n') + '<|im_start|>assistant\n'.length;
    expect(prompt).toBe(example.slice(0, assistantStart));
  });
});

describe('notool profile', () => {
  it('has the bare system text and the notool instruction after two newlines', () => {
    expect(notoolProfile.systemPrompt).toBe('You are a helpful assistant.');
    expect(notoolProfile.tools).toEqual([]);
    expect(notoolProfile.userText('How many?')).toBe(
      'How many?\n\nPlease think step by step, and put your final answer within \\boxed{}.',
    );
  });
});

describe('getPromptProfile', () => {
  it('finds built-in profiles and names the known ones otherwise', () => {
    expect(getPromptProfile('notool')).toBe(notoolProfile);
    expect(() => getPromptProfile('vcot')).toThrow(/pixel-reasoner-v1, notool/);
  });
});
