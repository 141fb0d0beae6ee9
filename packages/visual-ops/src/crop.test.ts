import { describe, expect, it } from 'vitest';
import { computeCropBox, cropImage } from './crop.js';
import { InvalidOptionError } from './errors.js';
import { formatAspectRatioError, NAN_TO_INTEGER_ERROR } from './reference-texts.js';
import { gradientImage } from './test-helpers/images.js';

const size = { width: 1000, height: 800 };

describe('computeCropBox', () => {
  it('pads 0.1 per side and clamps to the image', () => {
    expect(computeCropBox([0.05, 0.5, 0.3, 0.95], size)).toEqual({
      ok: true,
      normalizedBox: [0, expect.closeTo(0.4, 12), expect.closeTo(0.4, 12), 1],
      pixelBox: [0, 320, 400, 800],
    });
  });

  it('rounds float pixel edges half to even, as PIL does', () => {
    // 0.2125 * 1000 = 212.5 → 212; 0.3875 * 1000 = 387.5 → 388.
    const even = computeCropBox([0.2125, 0.2, 0.3875, 0.4], size, { padding: 0 });
    expect(even.ok && even.pixelBox).toEqual([212, 160, 388, 320]);
  });

  it('reads pixel coordinates in pixel mode', () => {
    const result = computeCropBox([100, 80, 300, 240], size, { boxMode: 'pixel', padding: 0 });
    expect(result.ok && result.pixelBox).toEqual([100, 80, 300, 240]);
  });

  it('applies the reference heuristic only when asked', () => {
    // All four values < 1: normalized; any value ≥ 1: pixels — so [0, 0, 1, 1] becomes a 1-px box.
    const heuristic = computeCropBox([0, 0, 1, 1], size, {
      boxMode: 'reference-heuristic',
      padding: 0,
    });
    expect(heuristic).toEqual({ ok: false, error: 'Cropped image is too small: 1x1' });
    const normalized = computeCropBox([0, 0, 1, 1], size, { padding: 0 });
    expect(normalized.ok && normalized.pixelBox).toEqual([0, 0, 1000, 800]);
    const small = computeCropBox([0.1, 0.1, 0.5, 0.5], size, {
      boxMode: 'reference-heuristic',
      padding: 0,
    });
    expect(small.ok && small.pixelBox).toEqual([100, 80, 500, 400]);
  });

  it('refuses crops with a side of 28 px or less, with the size in the text', () => {
    expect(computeCropBox([0, 0, 28, 500], size, { boxMode: 'pixel', padding: 0 })).toEqual({
      ok: false,
      error: 'Cropped image is too small: 28x500',
    });
    const justEnough = computeCropBox([0, 0, 29, 29], size, { boxMode: 'pixel', padding: 0 });
    expect(justEnough.ok).toBe(true);
  });

  it('rejects a box with x2 < x1 or y2 < y1 even when padding would hide it', () => {
    expect(computeCropBox([0.5, 0.1, 0.45, 0.3], size)).toEqual({
      ok: false,
      error: "Coordinate 'right' is less than 'left'",
    });
    expect(computeCropBox([0.1, 0.5, 0.3, 0.45], size)).toEqual({
      ok: false,
      error: "Coordinate 'lower' is less than 'upper'",
    });
  });

  it('returns Python exception texts for malformed boxes', () => {
    expect(computeCropBox([0.1, 0.2, 0.3], size)).toEqual({
      ok: false,
      error: 'list index out of range',
    });
    expect(computeCropBox(['0.1', 0.2, 0.3, 0.4], size)).toEqual({
      ok: false,
      error: "'<' not supported between instances of 'str' and 'int'",
    });
    expect(computeCropBox(0.5, size)).toEqual({
      ok: false,
      error: "'float' object is not subscriptable",
    });
    expect(computeCropBox(null, size)).toEqual({
      ok: false,
      error: "'NoneType' object is not subscriptable",
    });
    expect(computeCropBox({ x: 1 }, size)).toEqual({ ok: false, error: '0' });
  });

  it('ignores values after the fourth, like the reference', () => {
    const result = computeCropBox([0.2, 0.2, 0.6, 0.6, 'extra'], size, { padding: 0 });
    expect(result.ok && result.pixelBox).toEqual([200, 160, 600, 480]);
  });

  it('rejects invalid options as programmer errors', () => {
    expect(() => computeCropBox([0, 0, 1, 1], size, { padding: -0.1 })).toThrow(InvalidOptionError);
    expect(() => computeCropBox([0, 0, 1, 1], size, { boxMode: 'absolute' as 'pixel' })).toThrow(
      /boxMode/,
    );
  });
});

describe('cropImage', () => {
  it('crops the given pixels: the crop of a crop matches a direct crop', async () => {
    const image = await gradientImage(400, 300);
    const direct = await cropImage(image, [100, 100, 300, 250], {
      boxMode: 'pixel',
      padding: 0,
      resize: { minPixels: 1, maxPixels: 1e9 },
    });
    if (!direct.ok) throw new Error(direct.error);
    // 200x150 → sides rounded to multiples of 28: 196x140.
    expect([direct.image.width, direct.image.height]).toEqual([196, 140]);
    expect(direct.pixelBox).toEqual([100, 100, 300, 250]);
  });

  it('keeps the pixel values of an unresized crop exactly', async () => {
    const image = await gradientImage(280, 280);
    const result = await cropImage(image, [56, 28, 112, 84], {
      boxMode: 'pixel',
      padding: 0,
      resize: { minPixels: 1, maxPixels: 1e9 },
    });
    if (!result.ok) throw new Error(result.error);
    const raw = result.image.raw;
    const source = image.raw;
    for (const [x, y] of [
      [0, 0],
      [55, 55],
      [13, 40],
    ] as const) {
      const out = (y * raw.width + x) * 3;
      const input = ((y + 28) * source.width + (x + 56)) * 3;
      expect([...raw.data.subarray(out, out + 3)]).toEqual([
        ...source.data.subarray(input, input + 3),
      ]);
    }
  });

  it('produces identical PNG bytes for identical calls', async () => {
    const image = await gradientImage(300, 200);
    const first = await cropImage(image, [0.2, 0.2, 0.6, 0.7]);
    const second = await cropImage(image, [0.2, 0.2, 0.6, 0.7]);
    if (!(first.ok && second.ok)) throw new Error('expected crops');
    expect(Buffer.from(first.image.data).equals(Buffer.from(second.image.data))).toBe(true);
  });
});

describe('computeCropBox with values Python accepts but cannot crop', () => {
  it('answers NaN with the rounding error instead of throwing later', () => {
    for (const bbox of [
      [Number.NaN, 0.1, 0.5, 0.5],
      [0.1, 0.1, 0.5, Number.NaN],
    ]) {
      expect(computeCropBox(bbox, { width: 200, height: 200 })).toEqual({
        ok: false,
        error: NAN_TO_INTEGER_ERROR,
      });
    }
  });

  it('refuses a crop more than 200 times wider than tall with smart_resize text', async () => {
    const strip = await gradientImage(6100, 30);
    const result = await cropImage(strip, [0, 0, 1, 1], { padding: 0 });
    expect(result).toEqual({
      ok: false,
      error: 'absolute aspect ratio must be smaller than 200, got 203.33333333333334',
    });
    expect(formatAspectRatioError(402, 2)).toBe(
      'absolute aspect ratio must be smaller than 200, got 201.0',
    );
  });
});
