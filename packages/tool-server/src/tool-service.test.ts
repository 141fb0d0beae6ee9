import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '@pixel-reasoner/visual-ops';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidRequestError } from './errors.js';
import {
  grayFramePng,
  pngDataUrl,
  QUADRANT_COLORS,
  quadrantPng,
  writeFixtureImages,
} from './test-helpers/images.js';
import { type Observation, parseActionRequest, ToolService } from './tool-service.js';

const cropCall = (bbox: number[], target = 1) =>
  `Let me zoom in.\n<tool_call>\n${JSON.stringify({
    name: 'crop_image_normalized',
    arguments: { bbox_2d: bbox, target_image: target },
  })}\n</tool_call>`;

let root: string;
let quadrantUrl: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tool-service-'));
  await writeFixtureImages(root);
  quadrantUrl = pngDataUrl(await quadrantPng());
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function asDict(observation: Observation | undefined) {
  if (typeof observation !== 'object') throw new Error(`expected a dict, got ${observation}`);
  return observation;
}

async function centerPixel(url: string): Promise<number[]> {
  const image = await decodeImage(url);
  const { width, height, data } = image.raw;
  const offset = (Math.floor(height / 2) * width + Math.floor(width / 2)) * 3;
  return [...data.subarray(offset, offset + 3)];
}

describe('ToolService', () => {
  it('answers a crop with the reference observation text and the cropped pixels', async () => {
    const service = new ToolService({ imageRoot: root });
    const response = await service.getObservations({
      trajectory_ids: ['t1'],
      actions: [cropCall([0.6, 0.6, 0.9, 0.9])],
      extra_fields: [{ images: [join(root, 'quadrant.png')] }],
      finish: [false],
      is_last_step: [false],
    });
    expect(response.dones).toEqual([false]);
    expect(response.valids).toEqual([true]);
    const observation = asDict(response.observations[0]);
    // 0.1 padding turns [0.6, 0.9] into [0.5, 1.0]: exactly the bottom-right quadrant, 224 px.
    expect(observation.obs).toBe('\nHere is the cropped image (Image Size: 224x224):<image>');
    expect(typeof observation.image).toBe('string');
    expect(await centerPixel(observation.image as string)).toEqual([
      ...QUADRANT_COLORS.bottomRight,
    ]);
    expect(service.stats().trajectories).toBe(1);
  });

  it('lets a later crop target the earlier crop (target_image 2)', async () => {
    const service = new ToolService();
    const first = await service.getObservations({
      trajectory_ids: ['t'],
      actions: [cropCall([0.1, 0.1, 0.4, 0.4])],
      extra_fields: [{ images: [quadrantUrl] }],
    });
    expect(first.valids).toEqual([true]);
    const second = await service.getObservations({
      trajectory_ids: ['t'],
      actions: [cropCall([0.3, 0.3, 0.7, 0.7], 2)],
      extra_fields: [{ images: [quadrantUrl] }],
    });
    expect(second.valids).toEqual([true]);
    const outOfRange = await service.getObservations({
      trajectory_ids: ['t'],
      actions: [cropCall([0.3, 0.3, 0.7, 0.7], 4)],
      extra_fields: [{ images: [quadrantUrl] }],
    });
    expect(outOfRange.valids).toEqual([false]);
    expect(outOfRange.observations[0]).toBe(
      '\nExecution error:\nExecution Error: Incorrect `target_image` argument in `crop_image_normalized` operation. You can only pick an image within [1,3]\n',
    );
  });

  it('selects frames of a video passed as its frames with is_video', async () => {
    const service = new ToolService();
    const frames = await Promise.all(
      Array.from({ length: 16 }, async (_, index) => pngDataUrl(await grayFramePng(index + 1))),
    );
    const response = await service.getObservations({
      trajectory_ids: ['video'],
      actions: [
        '<tool_call>\n{"name": "select_frames", "arguments": {"target_frames": [3, 7]}}\n</tool_call>',
      ],
      extra_fields: [{ images: frames, is_video: true }],
    });
    expect(response.valids).toEqual([true]);
    const observation = asDict(response.observations[0]);
    expect(observation.obs).toMatch(
      /^\nHere are the selected frames \(Frame Size: \d+x\d+, Numbered 1 to 2\):<image><image>$/,
    );
    const images = observation.image as string[];
    expect(images).toHaveLength(2);
    expect((await centerPixel(images[0]!))[0]).toBeCloseTo(30, -1);
    expect((await centerPixel(images[1]!))[0]).toBeCloseTo(70, -1);
  });

  it('answers a malformed call and an unknown tool with the reference error texts', async () => {
    const service = new ToolService();
    const response = await service.getObservations({
      trajectory_ids: ['a', 'b'],
      actions: [
        '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, }\n</tool_call>',
        '<tool_call>\n{"name": "crop_image", "arguments": {"bbox_2d": [1, 2, 3, 4], "target_image": 1}}\n</tool_call>',
      ],
      extra_fields: [{ images: [quadrantUrl] }, { images: [quadrantUrl] }],
    });
    expect(response.valids).toEqual([false, false]);
    expect(response.dones).toEqual([false, false]);
    expect(response.observations[0]).toMatch(/^\nExecution error:\n.+\n$/s);
    expect(response.observations[1]).toBe("\nExecution error:\n'crop_image'\n");
  });

  it('runs an aliased tool name as one of ours', async () => {
    const service = new ToolService({ toolAliases: { crop_image: 'crop_image_normalized' } });
    const response = await service.getObservations({
      trajectory_ids: ['a'],
      actions: [
        '<tool_call>\n{"name": "crop_image", "arguments": {"bbox_2d": [0.1, 0.1, 0.4, 0.4], "target_image": 1}}\n</tool_call>',
      ],
      extra_fields: [{ images: [quadrantUrl] }],
    });
    expect(response.valids).toEqual([true]);
    expect(() => new ToolService({ toolAliases: { zoom: 'zoom_in' } })).toThrow(InvalidOptionError);
  });

  it('gives an empty invalid observation for an action without a tool call', async () => {
    const service = new ToolService();
    const response = await service.getObservations({
      trajectory_ids: ['a'],
      actions: ['The answer is \\boxed{B}'],
    });
    expect(response.valids).toEqual([false]);
    expect(asDict(response.observations[0]).obs).toBe('');
    expect(service.stats().trajectories).toBe(0);
  });

  it('forgets a trajectory on finish and on its last step', async () => {
    const service = new ToolService();
    await service.getObservations({
      trajectory_ids: ['a', 'b'],
      actions: [cropCall([0.1, 0.1, 0.4, 0.4]), cropCall([0.1, 0.1, 0.4, 0.4])],
      extra_fields: [{ images: [quadrantUrl] }, { images: [quadrantUrl] }],
      is_last_step: [false, true],
    });
    expect(service.stats()).toMatchObject({ trajectories: 1, evicted: { 'last-step': 1 } });
    const finished = await service.getObservations({
      trajectory_ids: ['a'],
      actions: [''],
      finish: [true],
    });
    expect(finished).toMatchObject({ observations: [''], dones: [true], valids: [true] });
    expect(service.stats()).toMatchObject({ trajectories: 0, bytes: 0, evicted: { finish: 1 } });
  });

  it('refuses image paths outside the image root, and paths when no root is set', async () => {
    const confined = new ToolService({ imageRoot: join(root, 'frames') });
    const escaped = await confined.getObservations({
      trajectory_ids: ['a'],
      actions: [cropCall([0.1, 0.1, 0.4, 0.4])],
      extra_fields: [{ images: ['../quadrant.png'] }],
    });
    expect(escaped.dones).toEqual([true]);
    expect(escaped.valids).toEqual([false]);
    expect(asDict(escaped.observations[0]).error).toContain('escapes the image root');
    const errors: string[] = [];
    const open = new ToolService({ onTrajectoryError: (error) => errors.push(error.name) });
    await open.getObservations({
      trajectory_ids: ['a'],
      actions: [cropCall([0.1, 0.1, 0.4, 0.4])],
      extra_fields: [{ images: [join(root, 'quadrant.png')] }],
    });
    expect(errors).toEqual(['ImagePathOutsideRootError']);
    expect(open.stats().trajectories).toBe(0);
  });

  it('ends a trajectory that would pass the image limit', async () => {
    const service = new ToolService({ maxImagesPerTrajectory: 2 });
    const request = {
      trajectory_ids: ['a'],
      actions: [cropCall([0.1, 0.1, 0.4, 0.4])],
      extra_fields: [{ images: [quadrantUrl] }],
    };
    expect((await service.getObservations(request)).valids).toEqual([true]);
    const second = await service.getObservations(request);
    expect(second.dones).toEqual([true]);
    expect(asDict(second.observations[0]).invalid_reason).toContain('more than 2 images');
  });

  it('runs the calls of one trajectory in order when they arrive together', async () => {
    const service = new ToolService();
    const extra = { images: [quadrantUrl] };
    const [first, second] = await Promise.all([
      service.getObservations({
        trajectory_ids: ['a'],
        actions: [cropCall([0.1, 0.1, 0.4, 0.4])],
        extra_fields: [extra],
      }),
      service.getObservations({
        trajectory_ids: ['a'],
        actions: [cropCall([0.1, 0.1, 0.6, 0.6], 2)],
        extra_fields: [extra],
      }),
    ]);
    expect(first.valids).toEqual([true]);
    expect(second.valids).toEqual([true]);
  });
});

describe('ToolService on arbitrary model text', () => {
  it('answers every action with one observation and never throws', async () => {
    const service = new ToolService({ maxTrajectories: 8 });
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record({
          name: fc.constantFrom('crop_image_normalized', 'select_frames', 'crop_image', ''),
          arguments: fc.oneof(
            fc.jsonValue(),
            fc.record({
              bbox_2d: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { maxLength: 5 }),
              target_image: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.string()),
            }),
            fc.record({
              target_frames: fc.array(fc.integer({ min: -2, max: 20 }), { maxLength: 10 }),
            }),
          ),
        })
        .map((call) => JSON.stringify(call)),
    );
    const action = fc.oneof(
      fc.string(),
      jsonish.map((payload) => `<tool_call>${payload}</tool_call>`),
      jsonish.map((payload) => `thinking <tool_call>\n${payload}\n</tool_call><|im_end|>`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 3 }), async (actions) => {
        const response = await service.getObservations({
          trajectory_ids: actions.map((_, index) => `p${index}`),
          actions,
          extra_fields: actions.map(() => ({ images: [quadrantUrl] })),
        });
        expect(response.observations).toHaveLength(actions.length);
        for (const [index, observation] of response.observations.entries()) {
          if (response.valids[index]) expect(typeof observation).toBe('object');
          else if (typeof observation === 'string')
            expect(observation).toMatch(/^\nExecution error:\n/);
        }
      }),
      { numRuns: 150, seed: 13 },
    );
  });
});

describe('parseActionRequest', () => {
  it('accepts the shape verl-tool sends', () => {
    expect(
      parseActionRequest({
        trajectory_ids: ['x'],
        actions: [''],
        finish: [true],
        is_last_step: [true],
      }),
    ).toEqual({ trajectory_ids: ['x'], actions: [''], finish: [true], is_last_step: [true] });
  });

  it.each([
    [{}, 'trajectory_ids'],
    [{ trajectory_ids: [], actions: [] }, 'trajectory_ids'],
    [{ trajectory_ids: ['a'], actions: ['x', 'y'] }, 'actions'],
    [{ trajectory_ids: ['a'], actions: ['x'], extra_fields: [1] }, 'extra_fields[0]'],
    [{ trajectory_ids: ['a'], actions: ['x'], finish: ['yes'] }, 'finish[0]'],
    [{ trajectory_ids: [3], actions: ['x'] }, 'trajectory_ids[0]'],
  ])('rejects %j naming %s', (body, field) => {
    let caught: unknown;
    try {
      parseActionRequest(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidRequestError);
    expect((caught as InvalidRequestError).field).toBe(field);
  });
});
