import { describe, expect, it } from 'vitest';
import { vstarBenchmark } from './benchmarks.js';
import { resolveMedia } from './media.js';
import { imageBytes } from './test-helpers/fixtures.js';

const budget = { inputPixels: { minPixels: 4 * 784, maxPixels: 8000 * 784 } };

async function inputImage(width: number, height: number, options = {}) {
  const data = await imageBytes(width, height, 1, 'jpeg');
  const [media] = await resolveMedia([{ kind: 'image-bytes', data, name: 'item' }], {
    ...budget,
    ...options,
  });
  if (media?.type !== 'image') throw new Error('expected an image');
  return { data, image: media.image };
}

describe('resolveMedia input images', () => {
  it('sends a file already at its budget size as it is, without decoding it', async () => {
    const { data, image } = await inputImage(280, 224);
    expect(image.raw).toBeUndefined();
    expect(Buffer.from(image.data).equals(Buffer.from(data))).toBe(true);
  });

  it('writes a resized input as lossless PNG with its pixels by default', async () => {
    const { image } = await inputImage(300, 230);
    expect([image.width, image.height]).toEqual([308, 224]);
    expect(image.mediaType).toBe('image/png');
    expect(image.raw?.data.byteLength).toBe(308 * 224 * 3);
  });

  it('writes a resized input as JPEG with inputEncoding, leaving decoding to the first crop', async () => {
    const { image } = await inputImage(300, 230, {
      inputEncoding: { format: 'jpeg', quality: 80 },
    });
    expect([image.width, image.height]).toEqual([308, 224]);
    expect(image.mediaType).toBe('image/jpeg');
    expect(image.raw).toBeUndefined();
  });
});

describe('benchmark settings', () => {
  it('record the input encoding only when one is set, so older run folders still resume', () => {
    expect(vstarBenchmark({ dataDir: 'x' }).settings).not.toHaveProperty('inputEncoding');
    const jpeg = vstarBenchmark({
      dataDir: 'x',
      media: { inputEncoding: { format: 'jpeg', quality: 80 } },
    });
    expect(jpeg.settings.inputEncoding).toBe('{"format":"jpeg","quality":80}');
  });
});
