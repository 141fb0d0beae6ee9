/**
 * The strings two peer systems feed their models, kept as data so each model is scored with the
 * protocol it was trained and evaluated with. Each constant names the file it was checked against.
 *
 * DeepEyes: Visual-Agent/DeepEyes at 6c5e796 — `eval/eval_vstar.py` (system prompt, user text,
 * observation turn, stop, turn limit, crop resize) and
 * `verl/workers/agent/envs/mm_process_engine/visual_toolbox_v2.py` (training: crop on the original
 * image, last `<tool_call>` block, `<answer>` ends the episode, `Error: …` observation).
 *
 * Mini-o3: Mini-o3/Mini-o3 at 8654dbf — `verl/trainer/constants.py` (system prompt, observation
 * and error texts), `verl/workers/rollout/vllm_rollout/vllm_async_engine.py` (the `<grounding>`
 * call, stop string, round and image limits, error wrapper), `function_tools.py` (relative
 * coordinates, `source` naming), `docs/mini_o3_demo.md` (evaluation settings).
 */

/** DeepEyes' system prompt: its own tool block (compact JSON, `required: ["bbox"]` as written). */
export const DEEPEYES_SYSTEM_PROMPT =
  'You are a helpful assistant.\n\n' +
  '# Tools\n' +
  'You may call one or more functions to assist with the user query.\n' +
  'You are provided with function signatures within <tools></tools> XML tags:\n' +
  '<tools>\n' +
  '{"type":"function","function":{"name":"image_zoom_in_tool","description":"Zoom in on a specific region of an image by cropping it based on a bounding box (bbox) and an optional object label.","parameters":{"type":"object","properties":{"bbox_2d":{"type":"array","items":{"type":"number"},"minItems":4,"maxItems":4,"description":"The bounding box of the region to zoom in, as [x1, y1, x2, y2], where (x1, y1) is the top-left corner and (x2, y2) is the bottom-right corner."},"label":{"type":"string","description":"The name or label of the object in the specified bounding box (optional)."}},"required":["bbox"]}}}\n' +
  '</tools>\n\n' +
  '# How to call a tool\n' +
  'Return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
  '<tool_call>\n' +
  '{"name": <function-name>, "arguments": <args-json-object>}\n' +
  '</tool_call>\n\n' +
  '**Example**:  \n' +
  '<tool_call>  \n' +
  '{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [10, 20, 100, 200], "label": "the apple on the desk"}}  \n' +
  '</tool_call>';

/** DeepEyes' tool name. */
export const DEEPEYES_TOOL_NAME = 'image_zoom_in_tool';

/** `USER_PROMPT_V2`: after the question, and again inside every tool response. */
export const DEEPEYES_USER_PROMPT =
  '\nThink first, call **image_zoom_in_tool** if needed, then answer. Format strictly as:  <think>...</think>  <tool_call>...</tool_call> (if tools needed)  <answer>...</answer> ';

/** The texts around the cropped image in DeepEyes' observation turn. */
export const DEEPEYES_TOOL_RESPONSE_START = '<tool_response>';
export const DEEPEYES_TOOL_RESPONSE_END = '</tool_response>';

/** Mini-o3's `TOOL_CROP_SYSTEM_PROMPT` (`data.system_prompt="tool_crop"`). */
export const MINI_O3_SYSTEM_PROMPT =
  "You are a helpful assistant. Answer the user's question based on the image provided. Output your thinking process within the <think> and </think> tags. Whenever you find anything unclear, you can zoom in a specific region in the given image to see more clearly by outputing <grounding>{\"bbox_2d\": [x0, y0, x1, y1], \"source\": \"original_image\"}</grounding>, where (x0, y0) and (x1, y1) are the top-left and bottom-right coordinates of the region that you want to zoom in, respectively (suppose the width and height of the image are 1.0), and 'source' refers to the image that you zoom in and could be either 'original_image' or 'observation_i'. Once the final answer is confirmed, put it within <answer> and </answer>.";

export const MINI_O3_CALL_START = '<grounding>';
export const MINI_O3_CALL_END = '</grounding>';
/** `source` of the input image; crops are `observation_<i>`. */
export const MINI_O3_ORIGINAL_SOURCE = 'original_image';

/** `TOOL_CALL_CROP_MULTI_TRUN_PROMPT` around the crop (the image sits where the vision tokens are). */
export function miniO3ObservationTexts(actionTurn: number): [before: string, after: string] {
  return [
    `After the above Action ${actionTurn}, here is the the zoom-in image (Observation ${actionTurn + 1}):\n`,
    '.\nContinue your reasoning process inside <think> and </think>. If needed, you can continue to zoom in on the original image or any of the observations, by outputting <grounding> and </grounding> as before. If the final answer is confirmed, put your final answer inside <answer> and </answer>.',
  ];
}

/** The error observation: the wrapper of `process_tool_call` plus `ERROR_INFO_MULTI_TURN_PROMPT`. */
export function miniO3ErrorText(message: string): string {
  return `ERROR occurs during grounding. Error Information: ${message}.\nPlease analyze the error information obtained from the function tool and adjust your response. Countinue your reasoning process inside <think> and </think>.`;
}

/** `prepare_grounding_inputs_multi_turn`'s texts for a `source` it cannot use. */
export function miniO3SourcePatternError(source: string): string {
  return `The 'source' argument "${source}" does not match the pattern 'observation_([0-9]*)'.`;
}
export function miniO3SourceRangeError(source: string): string {
  return `Error in predicting the source observation: "${source}".`;
}
