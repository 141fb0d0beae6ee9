import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidVisualInputError } from './errors.js';
import { executeToolCall, REFERENCE_TRAIN_OPTIONS } from './execute-tool.js';
import { readImage } from './image-io.js';
import {
  formatCropTooSmallError,
  formatFramesOutOfRangeError,
  formatTargetImageAfterVideoError,
  formatTargetImageOutOfRangeError,
  formatTooManyFramesError,
  formatVideoFrameOutOfRangeError,
  SELECT_FRAMES_ON_IMAGE_ERROR,
} from './reference-texts.js';
import { gradientImage } from './test-helpers/images.js';
import type { EncodedImage, VisualInput } from './types.js';

const crop = (args: unknown) => ({ name: 'crop_image_normalized', arguments: args });
const select = (args: unknown) => ({ name: 'select_frames', arguments: args });

async function imageInputs(count: number, width = 560, height = 420): Promise<VisualInput[]> {
  const inputs: VisualInput[] = [];
  for (let index = 0; index < count; index++) {
    inputs.push({ type: 'image', image: await gradientImage(width, height, index) });
  }
  return inputs;
}

async function videoInputs(frameCount: number): Promise<VisualInput[]> {
  const frames: EncodedImage[] = [];
  for (let index = 0; index < frameCount; index++) frames.push(await gradientImage(112, 84, index));
  return [{ type: 'video', frames }];
}

describe('executeToolCall crop_image_normalized', () => {
  it('crops the padded normalized box and resizes it into the eval budget', async () => {
    const inputs = await imageInputs(1);
    const outcome = await executeToolCall(
      crop({ bbox_2d: [0.4, 0.4, 0.6, 0.6], target_image: 1 }),
      inputs,
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok || outcome.name !== 'crop_image_normalized') throw new Error('expected a crop');
    // [0.3, 0.3, 0.7, 0.7] of 560x420 → 224x168 px, scaled up to at least 256·784 pixels.
    expect(outcome.pixelBox).toEqual([168, 126, 392, 294]);
    expect(outcome.targetImage).toBe(1);
    const [image] = outcome.images;
    expect({ width: image.width, height: image.height }).toEqual({ width: 532, height: 392 });
    expect(image.mediaType).toBe('image/png');
    expect(image.raw?.data.byteLength).toBe(532 * 392 * 3);
  });

  it('gives the same bytes for the same crop whether or not the input is pre-decoded', async () => {
    const [decoded] = await imageInputs(1);
    if (decoded?.type !== 'image') throw new Error('image expected');
    const encodedOnly = await readImage(decoded.image.data);
    const call = crop({ bbox_2d: [0.1, 0.2, 0.5, 0.7], target_image: 1 });
    const fromRaw = await executeToolCall(call, [decoded]);
    const fromBytes = await executeToolCall(call, [{ type: 'image', image: encodedOnly }]);
    if (!(fromRaw.ok && fromBytes.ok)) throw new Error('expected crops');
    expect(
      Buffer.from(fromBytes.images[0]!.data).equals(Buffer.from(fromRaw.images[0]!.data)),
    ).toBe(true);
  });

  it('uses the training budget from the train preset', async () => {
    const outcome = await executeToolCall(
      crop({ bbox_2d: [0, 0, 1, 1], target_image: 1 }),
      await imageInputs(1, 2000, 1500),
      REFERENCE_TRAIN_OPTIONS,
    );
    if (!outcome.ok) throw new Error(outcome.error);
    const [image] = outcome.images as EncodedImage[];
    expect(image!.width * image!.height).toBeLessThanOrEqual(1000 * 784);
  });

  it('refuses a target_image past the image list with the reference text', async () => {
    const outcome = await executeToolCall(
      crop({ bbox_2d: [0, 0, 1, 1], target_image: 3 }),
      await imageInputs(2),
    );
    expect(outcome).toEqual({
      ok: false,
      name: 'crop_image_normalized',
      error: formatTargetImageOutOfRangeError(2),
    });
  });

  it('refuses target_image 0 instead of wrapping around like Python', async () => {
    const outcome = await executeToolCall(
      crop({ bbox_2d: [0, 0, 1, 1], target_image: 0 }),
      await imageInputs(2),
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toBe(formatTargetImageOutOfRangeError(2));
  });

  it('refuses a crop that ends up 28 px or narrower', async () => {
    const outcome = await executeToolCall(
      crop({ bbox_2d: [0.5, 0.5, 0.5, 0.5], target_image: 1 }),
      await imageInputs(1, 140, 140),
    );
    expect(outcome).toEqual({
      ok: false,
      name: 'crop_image_normalized',
      error: formatCropTooSmallError(28, 28),
    });
  });

  it('crops a frame when the video is the only item', async () => {
    const inputs = await videoInputs(4);
    const outcome = await executeToolCall(crop({ bbox_2d: [0, 0, 1, 1], target_image: 2 }), inputs);
    expect(outcome.ok).toBe(true);
    const beyond = await executeToolCall(crop({ bbox_2d: [0, 0, 1, 1], target_image: 5 }), inputs);
    expect(beyond).toEqual({
      ok: false,
      name: 'crop_image_normalized',
      error: formatVideoFrameOutOfRangeError(4, 5),
    });
  });

  it('after a video, only items from 2 on can be cropped', async () => {
    const inputs = [...(await videoInputs(4)), ...(await imageInputs(1))];
    const first = await executeToolCall(crop({ bbox_2d: [0, 0, 1, 1], target_image: 1 }), inputs);
    expect(first).toEqual({
      ok: false,
      name: 'crop_image_normalized',
      error: formatTargetImageAfterVideoError(2, 1),
    });
    const second = await executeToolCall(crop({ bbox_2d: [0, 0, 1, 1], target_image: 2 }), inputs);
    expect(second.ok).toBe(true);
  });
});

describe('executeToolCall select_frames', () => {
  it('returns the chosen 1-based frames in order', async () => {
    const inputs = await videoInputs(16);
    const outcome = await executeToolCall(select({ target_frames: [3, 1, 16] }), inputs);
    if (!outcome.ok || outcome.name !== 'select_frames') throw new Error('expected frames');
    expect(outcome.frameIndices).toEqual([3, 1, 16]);
    const video = inputs[0];
    if (video?.type !== 'video') throw new Error('video expected');
    expect(outcome.images).toEqual([video.frames[2], video.frames[0], video.frames[15]]);
  });

  it('refuses more than 8 frames, frames out of range and images', async () => {
    const inputs = await videoInputs(16);
    expect(
      await executeToolCall(select({ target_frames: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), inputs),
    ).toEqual({
      ok: false,
      name: 'select_frames',
      error: formatTooManyFramesError(9),
    });
    expect(await executeToolCall(select({ target_frames: [1, 17] }), inputs)).toEqual({
      ok: false,
      name: 'select_frames',
      error: formatFramesOutOfRangeError(16, [1, 17]),
    });
    expect(await executeToolCall(select({ target_frames: [1] }), await imageInputs(1))).toEqual({
      ok: false,
      name: 'select_frames',
      error: SELECT_FRAMES_ON_IMAGE_ERROR,
    });
  });
});

describe('executeToolCall other calls', () => {
  it('reports an unknown tool as the KeyError text', async () => {
    expect(
      await executeToolCall({ name: 'crop_image', arguments: {} }, await imageInputs(1)),
    ).toEqual({
      ok: false,
      name: 'crop_image',
      error: "'crop_image'",
    });
  });
});

describe('executeToolCall with malformed arguments', () => {
  let images: VisualInput[];
  let video: VisualInput[];
  beforeAll(async () => {
    images = await imageInputs(2, 112, 84);
    video = await videoInputs(16);
  });

  const cases: [string, unknown, string][] = [
    ['missing target_image', { bbox_2d: [0, 0, 1, 1] }, "'target_image'"],
    ['missing bbox_2d', { target_image: 1 }, "'bbox_2d'"],
    [
      'string target_image',
      { bbox_2d: [0, 0, 1, 1], target_image: '1' },
      "unsupported operand type(s) for -: 'str' and 'int'",
    ],
    [
      'fractional target_image',
      { bbox_2d: [0, 0, 1, 1], target_image: 1.5 },
      'list indices must be integers or slices, not float',
    ],
    ['list arguments', [1, 2], 'list indices must be integers or slices, not str'],
    ['null arguments', null, "'NoneType' object is not subscriptable"],
    ['short bbox', { bbox_2d: [0.1, 0.1], target_image: 1 }, 'list index out of range'],
  ];
  for (const [title, args, error] of cases) {
    it(`crop: ${title} gives the Python exception text`, async () => {
      expect(await executeToolCall(crop(args), images)).toEqual({
        ok: false,
        name: 'crop_image_normalized',
        error,
      });
    });
  }

  const frameCases: [string, unknown, string][] = [
    ['missing target_frames', {}, "'target_frames'"],
    ['a number', { target_frames: 3 }, "object of type 'int' has no len()"],
    ['an empty list', { target_frames: [] }, 'max() arg is an empty sequence'],
    [
      'a string item',
      { target_frames: [1, '2'] },
      "'>' not supported between instances of 'str' and 'int'",
    ],
    ['frame 0', { target_frames: [0, 2] }, formatFramesOutOfRangeError(16, [0, 2])],
    [
      'a fractional frame',
      { target_frames: [2.5] },
      'list indices must be integers or slices, not float',
    ],
  ];
  for (const [title, args, error] of frameCases) {
    it(`select_frames: ${title} gives the reference text`, async () => {
      expect(await executeToolCall(select(args), video)).toEqual({
        ok: false,
        name: 'select_frames',
        error,
      });
    });
  }

  it('never throws for any JSON arguments', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('crop_image_normalized', 'select_frames', 'zoom_in'),
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            bbox_2d: fc.oneof(
              fc.array(fc.double({ min: -2, max: 200, noNaN: true }), { maxLength: 6 }),
              fc.jsonValue(),
            ),
            target_image: fc.oneof(fc.integer({ min: -2, max: 20 }), fc.jsonValue()),
            target_frames: fc.oneof(
              fc.array(fc.integer({ min: -2, max: 20 }), { maxLength: 10 }),
              fc.jsonValue(),
            ),
          }),
        ),
        fc.boolean(),
        async (name, args, onVideo) => {
          const outcome = await executeToolCall(
            { name, arguments: args },
            onVideo ? video : images,
            {
              boxMode: 'reference-heuristic',
            },
          );
          expect(outcome.name).toBe(name);
          if (!outcome.ok) expect(outcome.error.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('throws typed errors for caller mistakes', async () => {
    await expect(
      executeToolCall(crop({ bbox_2d: [0, 0, 1, 1], target_image: 1 }), images, { padding: 2 }),
    ).rejects.toThrow(InvalidOptionError);
    await expect(
      executeToolCall(crop({ bbox_2d: [0, 0, 1, 1], target_image: 1 }), [...images, ...video]),
    ).rejects.toThrow(InvalidVisualInputError);
  });
});

describe('executeToolCall cropEncoding', () => {
  const call = {
    name: 'crop_image_normalized',
    arguments: { bbox_2d: [0.1, 0.1, 0.6, 0.6], target_image: 1 },
  };

  it('encodes crops as PNG by default and as JPEG of the same size when asked', async () => {
    const inputs = [{ type: 'image' as const, image: await gradientImage(640, 480, 3) }];
    const png = await executeToolCall(call, inputs);
    const jpeg = await executeToolCall(call, inputs, {
      cropEncoding: { format: 'jpeg', quality: 85 },
    });
    if (!png.ok || !jpeg.ok) throw new Error('crop failed');
    expect(png.images[0]!.mediaType).toBe('image/png');
    expect(jpeg.images[0]!.mediaType).toBe('image/jpeg');
    expect([jpeg.images[0]!.width, jpeg.images[0]!.height]).toEqual([
      png.images[0]!.width,
      png.images[0]!.height,
    ]);
    expect([...jpeg.images[0]!.data.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    // A later crop of the JPEG crop decodes what the model was shown, not the pixels before it.
    expect(png.images[0]!.raw).toBeDefined();
    expect(jpeg.images[0]!.raw).toBeUndefined();
  });

  it('rejects an unknown format or a quality outside 1–100, naming the option', async () => {
    const inputs = [{ type: 'image' as const, image: await gradientImage(64, 64) }];
    for (const cropEncoding of [{ format: 'webp' }, { format: 'jpeg', quality: 0 }]) {
      await expect(
        executeToolCall(call, inputs, { cropEncoding: cropEncoding as never }),
      ).rejects.toThrow(/cropEncoding/);
    }
    await expect(
      executeToolCall(call, inputs, { cropEncoding: { format: 'jpeg' } }),
    ).resolves.toMatchObject({ ok: true });
  });
});
