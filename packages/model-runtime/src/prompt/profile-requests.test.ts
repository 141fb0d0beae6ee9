import { describe, expect, it } from 'vitest';
import { runEpisode } from '../agent/run-episode.js';
import { createOpenAICompatibleModel } from '../backends/openai-compatible.js';
import { solidColorPng } from '../image/png.js';
import { getPromptProfile } from './registry.js';

/** The first chat-completions request body a profile's episode sends, image data shortened. */
async function firstRequest(profileId: string): Promise<unknown> {
  const bodies: Record<string, unknown>[] = [];
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    return new Response(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'done' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1 },
      }),
      { headers: { 'content-type': 'application/json' } },
    );
  };
  const model = createOpenAICompatibleModel({
    baseURL: 'http://scripted.test/v1',
    model: 'm',
    fetch,
  });
  await runEpisode({
    model,
    profile: getPromptProfile(profileId),
    question: 'What is the color of the cup?\n(A) blue\n(B) white',
    media: [{ type: 'image', image: solidColorPng({ width: 56, height: 28, color: [255, 0, 0] }) }],
  });
  return JSON.parse(
    JSON.stringify(bodies[0]).replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, 'data:IMAGE'),
  );
}

describe('each profile renders its pinned first request', () => {
  it('openai-tools: base system text, the tool specs as tools with tool_choice auto', async () => {
    expect(await firstRequest('openai-tools')).toMatchInlineSnapshot(`
      {
        "max_tokens": 2048,
        "messages": [
          {
            "content": "You are a helpful assistant.",
            "role": "system",
          },
          {
            "content": [
              {
                "image_url": {
                  "url": "data:IMAGE",
                },
                "type": "image_url",
              },
              {
                "text": "What is the color of the cup?
      (A) blue
      (B) white



      Guidelines: Understand the given visual information and the user query. Determine if it is beneficial to employ the given visual operations (tools). For a video, we can look closer by \`select_frames\`. For an image, we can look closer by \`crop_image\`. Reason with the visual information step by step, and put your final answer within \\boxed{}.",
                "type": "text",
              },
            ],
            "role": "user",
          },
        ],
        "model": "m",
        "stop": [
          "<|im_end|>",
          "<|eot_id|>",
          "<|endoftext|>",
        ],
        "temperature": 0,
        "tool_choice": "auto",
        "tools": [
          {
            "function": {
              "description": "Zoom in on the image based on the bounding box coordinates. It is useful when the object or text in the image is too small to be seen.",
              "name": "crop_image_normalized",
              "parameters": {
                "properties": {
                  "bbox_2d": {
                    "description": "coordinates for bounding box of the area you want to zoom in. Values should be within [0.0,1.0].",
                    "items": {
                      "type": "number",
                    },
                    "type": "array",
                  },
                  "target_image": {
                    "description": "The index of the image to crop. Index from 1 to the number of images. Choose 1 to operate on original image.",
                    "type": "number",
                  },
                },
                "required": [
                  "bbox_2d",
                  "target_image",
                ],
                "type": "object",
              },
            },
            "type": "function",
          },
          {
            "function": {
              "description": "Select frames from a video.",
              "name": "select_frames",
              "parameters": {
                "properties": {
                  "target_frames": {
                    "description": "List of frame indices to select from the video (no more than 8 frames in total).",
                    "items": {
                      "description": "Frame index from 1 to 16.",
                      "type": "integer",
                    },
                    "type": "array",
                  },
                },
                "required": [
                  "target_frames",
                ],
                "type": "object",
              },
            },
            "type": "function",
          },
        ],
      }
    `);
  });

  it('deepeyes: its own tool block, Question: prefix and format instruction, stop <|im_end|>', async () => {
    expect(await firstRequest('deepeyes')).toMatchInlineSnapshot(`
      {
        "max_tokens": 10240,
        "messages": [
          {
            "content": "You are a helpful assistant.

      # Tools
      You may call one or more functions to assist with the user query.
      You are provided with function signatures within <tools></tools> XML tags:
      <tools>
      {"type":"function","function":{"name":"image_zoom_in_tool","description":"Zoom in on a specific region of an image by cropping it based on a bounding box (bbox) and an optional object label.","parameters":{"type":"object","properties":{"bbox_2d":{"type":"array","items":{"type":"number"},"minItems":4,"maxItems":4,"description":"The bounding box of the region to zoom in, as [x1, y1, x2, y2], where (x1, y1) is the top-left corner and (x2, y2) is the bottom-right corner."},"label":{"type":"string","description":"The name or label of the object in the specified bounding box (optional)."}},"required":["bbox"]}}}
      </tools>

      # How to call a tool
      Return a json object with function name and arguments within <tool_call></tool_call> XML tags:
      <tool_call>
      {"name": <function-name>, "arguments": <args-json-object>}
      </tool_call>

      **Example**:  
      <tool_call>  
      {"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [10, 20, 100, 200], "label": "the apple on the desk"}}  
      </tool_call>",
            "role": "system",
          },
          {
            "content": [
              {
                "image_url": {
                  "url": "data:IMAGE",
                },
                "type": "image_url",
              },
              {
                "text": "Question: What is the color of the cup?
      (A) blue
      (B) white

      Think first, call **image_zoom_in_tool** if needed, then answer. Format strictly as:  <think>...</think>  <tool_call>...</tool_call> (if tools needed)  <answer>...</answer> ",
                "type": "text",
              },
            ],
            "role": "user",
          },
        ],
        "model": "m",
        "stop": [
          "<|im_end|>",
        ],
        "temperature": 0,
      }
    `);
  });

  it('mini-o3: tool_crop system prompt, the question as is, stop at </grounding>', async () => {
    expect(await firstRequest('mini-o3')).toMatchInlineSnapshot(`
      {
        "max_tokens": 8192,
        "messages": [
          {
            "content": "You are a helpful assistant. Answer the user's question based on the image provided. Output your thinking process within the <think> and </think> tags. Whenever you find anything unclear, you can zoom in a specific region in the given image to see more clearly by outputing <grounding>{"bbox_2d": [x0, y0, x1, y1], "source": "original_image"}</grounding>, where (x0, y0) and (x1, y1) are the top-left and bottom-right coordinates of the region that you want to zoom in, respectively (suppose the width and height of the image are 1.0), and 'source' refers to the image that you zoom in and could be either 'original_image' or 'observation_i'. Once the final answer is confirmed, put it within <answer> and </answer>.",
            "role": "system",
          },
          {
            "content": [
              {
                "image_url": {
                  "url": "data:IMAGE",
                },
                "type": "image_url",
              },
              {
                "text": "What is the color of the cup?
      (A) blue
      (B) white",
                "type": "text",
              },
            ],
            "role": "user",
          },
        ],
        "model": "m",
        "stop": [
          "</grounding>",
        ],
        "temperature": 0,
      }
    `);
  });
});
