import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors.js';
import { BLANK_OBSERVATION_GRAY, executeToolCall } from './execute-tool.js';
import { ensureDecoded } from './image-io.js';
import { gradientImage } from './test-helpers/images.js';
import type { VisualInput } from './types.js';

const crop = {
  name: 'crop_image_normalized',
  arguments: { bbox_2d: [0.1, 0.1, 0.6, 0.7], target_image: 1 },
};

function isUniform(data: Uint8Array, value: number): boolean {
  return data.every((channel) => channel === value);
}

describe('executeToolCall with observationImages: blank', () => {
  it('returns a uniform gray crop of the size the real crop has', async () => {
    const inputs: VisualInput[] = [{ type: 'image', image: await gradientImage(560, 420, 1) }];
    const real = await executeToolCall(crop, inputs);
    const blank = await executeToolCall(crop, inputs, { observationImages: 'blank' });
    if (!real.ok || !blank.ok || real.name !== 'crop_image_normalized')
      throw new Error('crop failed');
    if (blank.name !== 'crop_image_normalized') throw new Error('wrong tool');
    expect([blank.images[0].width, blank.images[0].height]).toEqual([
      real.images[0].width,
      real.images[0].height,
    ]);
    expect(blank.pixelBox).toEqual(real.pixelBox);
    expect(isUniform((await ensureDecoded(real.images[0])).raw.data, BLANK_OBSERVATION_GRAY)).toBe(
      false,
    );
    expect(isUniform((await ensureDecoded(blank.images[0])).raw.data, BLANK_OBSERVATION_GRAY)).toBe(
      true,
    );
  });

  it('blanks every selected frame and leaves errors as they are', async () => {
    const frames = await Promise.all(
      Array.from({ length: 16 }, (_, index) => gradientImage(112, 84, index)),
    );
    const inputs: VisualInput[] = [{ type: 'video', frames }];
    const outcome = await executeToolCall(
      { name: 'select_frames', arguments: { target_frames: [2, 9] } },
      inputs,
      { observationImages: 'blank' },
    );
    if (!outcome.ok) throw new Error(outcome.error);
    expect(outcome.images).toHaveLength(2);
    for (const image of outcome.images) {
      expect(isUniform((await ensureDecoded(image)).raw.data, BLANK_OBSERVATION_GRAY)).toBe(true);
    }
    const failed = await executeToolCall(
      { name: 'select_frames', arguments: { target_frames: [99] } },
      inputs,
      { observationImages: 'blank' },
    );
    expect(failed.ok).toBe(false);
  });

  it('rejects an unknown mode', async () => {
    const inputs: VisualInput[] = [{ type: 'image', image: await gradientImage(560, 420, 1) }];
    await expect(
      executeToolCall(crop, inputs, { observationImages: 'grey' as 'blank' }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
  });
});
