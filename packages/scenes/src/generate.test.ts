import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  InvalidSceneOptionsError,
  ScenesError,
  UncalibratableSceneError,
  UnknownSceneFamilyError,
} from './errors.js';
import { generateScene, SCENE_FAMILIES, sceneStream } from './generate.js';
import { encodeScenePng, toEncodedImage, toVisualInput } from './png.js';
import { sceneRandom } from './scene-context.js';
import type { SceneFamily, SceneItem } from './types.js';

function mediaHash(item: SceneItem): string {
  const hash = createHash('sha256');
  const images = item.media.type === 'image' ? [item.media.image] : item.media.frames;
  for (const image of images) {
    hash.update(`${image.width}x${image.height}`);
    hash.update(image.data);
  }
  return hash.digest('hex');
}

describe.each(SCENE_FAMILIES)('%s', (family: SceneFamily) => {
  it('renders identical bytes and text for the same seed and split', () => {
    const first = generateScene(family, { seed: 11, split: 'train' });
    const second = generateScene(family, { seed: 11, split: 'train' });
    expect(mediaHash(first)).toBe(mediaHash(second));
    expect({ ...first, media: undefined }).toEqual({ ...second, media: undefined });
  });

  it('renders different scenes for different seeds and for the same seed in another split', () => {
    const train = generateScene(family, { seed: 3, split: 'train' });
    expect(mediaHash(train)).not.toBe(
      mediaHash(generateScene(family, { seed: 4, split: 'train' })),
    );
    expect(mediaHash(train)).not.toBe(mediaHash(generateScene(family, { seed: 3, split: 'test' })));
  });

  it('produces well-formed items whose cue and answer agree with the question', () => {
    for (let seed = 0; seed < 12; seed++) {
      const item = generateScene(family, { seed, split: 'validation' });
      expect(item.id).toBe(`${family}/validation/${seed}`);
      expect(item.family).toBe(family);
      if (item.answerType === 'choice') {
        const options = item.options as string[];
        expect(options.length).toBeGreaterThanOrEqual(2);
        expect(new Set(options).size).toBe(options.length);
        const index = 'ABCDEFGH'.indexOf(item.answer);
        expect(index).toBeGreaterThanOrEqual(0);
        expect(index).toBeLessThan(options.length);
        expect(item.question).toContain(`(${item.answer}) ${options[index]}`);
      } else if (item.answerType === 'integer') {
        expect(item.answer).toMatch(/^\d+$/);
        expect(typeof item.simple).toBe('boolean');
      } else {
        expect(item.answer.length).toBeGreaterThan(0);
      }
      if (item.cue.type === 'box') {
        const [x1, y1, x2, y2] = item.cue.box;
        expect(0 <= x1 && x1 < x2 && x2 <= 1 && 0 <= y1 && y1 < y2 && y2 <= 1).toBe(true);
        expect(item.media.type).toBe('image');
      } else {
        expect(item.media.type).toBe('video');
        const frames = item.cue.frames;
        expect(frames.length).toBeGreaterThan(0);
        expect(frames.length).toBeLessThanOrEqual(8);
        for (const frame of frames) expect(frame >= 1 && frame <= 16).toBe(true);
      }
    }
  });

  it('honours answerableShare and the needsOperation override', () => {
    const never = generateScene(family, { seed: 5, split: 'train', answerableShare: 0 });
    expect(never.needsOperation).toBe(true);
    const always = generateScene(family, { seed: 5, split: 'train', answerableShare: 1 });
    expect(always.needsOperation).toBe(false);
    expect(
      generateScene(family, { seed: 5, split: 'train', needsOperation: false }).needsOperation,
    ).toBe(false);
  });
});

describe('splits', () => {
  it('derive disjoint generator states for train and held-out seeds', () => {
    const states = new Map<number, string>();
    for (const split of ['train', 'validation', 'test'] as const) {
      for (let seed = 0; seed < 300; seed++) {
        const value = sceneRandom('zoom-attribute', split, seed).nextUint32();
        expect(states.has(value), `${split}/${seed} collides with ${states.get(value)}`).toBe(
          false,
        );
        states.set(value, `${split}/${seed}`);
      }
    }
  });

  it('never repeat a train scene among the first held-out scenes', () => {
    const train = new Set<string>();
    for (let seed = 0; seed < 20; seed++)
      train.add(mediaHash(generateScene('frames', { seed, split: 'train' })));
    for (let seed = 0; seed < 20; seed++) {
      expect(train.has(mediaHash(generateScene('frames', { seed, split: 'test' })))).toBe(false);
    }
  });
});

describe('answerable share', () => {
  it('is about 0.3 by default (within 0.1 over 200 frames items)', () => {
    let answerable = 0;
    for (const item of sceneStream({ families: ['frames'], split: 'train', count: 200 })) {
      if (!item.needsOperation) answerable++;
    }
    expect(Math.abs(answerable / 200 - 0.3)).toBeLessThan(0.1);
  });
});

describe('sceneStream', () => {
  it('cycles the families with consecutive seeds and stops after count', () => {
    const items = [
      ...sceneStream({ families: ['count', 'frames'], split: 'train', startSeed: 40, count: 4 }),
    ];
    expect(items.map((item) => item.id)).toEqual([
      'count/train/40',
      'frames/train/41',
      'count/train/42',
      'frames/train/43',
    ]);
  });

  it('rejects an empty family list and unknown families before yielding', () => {
    expect(() => sceneStream({ families: [], split: 'train' }).next()).toThrow(
      UnknownSceneFamilyError,
    );
    expect(() => sceneStream({ families: ['zoom' as SceneFamily], split: 'train' }).next()).toThrow(
      /"zoom"/,
    );
  });
});

describe('options', () => {
  it('rejects bad seeds, splits and shares with typed errors naming the value', () => {
    expect(() => generateScene('count', { seed: -1, split: 'train' })).toThrow(
      InvalidSceneOptionsError,
    );
    expect(() => generateScene('count', { seed: 1.5, split: 'train' })).toThrow(/1\.5/);
    expect(() => generateScene('count', { seed: 1, split: 'dev' as 'train' })).toThrow(/"dev"/);
    expect(() => generateScene('count', { seed: 1, split: 'train', answerableShare: 2 })).toThrow(
      /2/,
    );
    try {
      generateScene('nope' as SceneFamily, { seed: 1, split: 'train' });
    } catch (error) {
      expect(ScenesError.isInstance(error)).toBe(true);
      expect(UnknownSceneFamilyError.isInstance(error)).toBe(true);
    }
  });

  it('refuses budgets that leave no room for a zoom', () => {
    expect(() =>
      generateScene('zoom-attribute', {
        seed: 1,
        split: 'train',
        viewPixels: 512 * 512,
        operationViewPixels: 128 * 128,
      }),
    ).toThrow(UncalibratableSceneError);
  });

  it('scales the hidden detail with the budgets', () => {
    const item = generateScene('zoom-attribute', {
      seed: 2,
      split: 'train',
      needsOperation: true,
      viewPixels: 128 * 128,
      operationViewPixels: 256 * 256,
    });
    const defaultItem = generateScene('zoom-attribute', {
      seed: 2,
      split: 'train',
      needsOperation: true,
    });
    const side = (entry: SceneItem) =>
      entry.cue.type === 'box' ? entry.cue.box[2] - entry.cue.box[0] : Number.NaN;
    // A sharper global view hides only a smaller tag (the largest hidden cell; 9 cells wide).
    expect(side(item)).toBeLessThan(side(defaultItem));
  });
});

describe('encoding', () => {
  it('encodes deterministic PNGs in the visual-ops EncodedImage shape', async () => {
    const item = generateScene('infographic', { seed: 1, split: 'train' });
    if (item.media.type !== 'image') throw new Error('expected an image');
    const first = await encodeScenePng(item.media.image);
    const second = await encodeScenePng(item.media.image);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    expect(Array.from(first.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const encoded = await toEncodedImage(item.media.image);
    expect(encoded).toMatchObject({ mediaType: 'image/png', width: 768, height: 1024 });
    expect(encoded.raw.channels).toBe(3);
  });

  it('turns a video item into 16 encoded frames', async () => {
    const input = await toVisualInput(generateScene('frames', { seed: 1, split: 'train' }));
    expect(input.type).toBe('video');
    if (input.type === 'video') expect(input.frames).toHaveLength(16);
  });
});
