import { describe, expect, it } from 'vitest';
import { isWellFormedToolCall } from './well-formed.js';

const crop = (args: unknown) => ({ name: 'crop_image_normalized', arguments: args });
const frames = (args: unknown) => ({ name: 'select_frames', arguments: args });

describe('isWellFormedToolCall', () => {
  it('accepts an exact crop call', () => {
    expect(isWellFormedToolCall(crop({ bbox_2d: [0.1, 0.2, 0.5, 0.6], target_image: 1 }))).toBe(
      true,
    );
  });

  it.each([
    ['five numbers (the executor uses the first four)', [0.1, 0.2, 0.5, 0.6, 0.7], 1],
    ['three numbers', [0.1, 0.2, 0.5], 1],
    ['NaN', [Number.NaN, 0.2, 0.5, 0.6], 1],
    ['a value above 1', [0.1, 0.2, 1.5, 0.6], 1],
    ['a negative value', [-0.1, 0.2, 0.5, 0.6], 1],
    ['x2 < x1', [0.5, 0.2, 0.1, 0.6], 1],
    ['y1 == y2', [0.1, 0.6, 0.5, 0.6], 1],
    ['a boolean coordinate', [0, 0, true, 1], 1],
    ['a string coordinate', ['0.1', 0.2, 0.5, 0.6], 1],
    ['a fractional target_image', [0.1, 0.2, 0.5, 0.6], 1.5],
    ['target_image 0', [0.1, 0.2, 0.5, 0.6], 0],
    ['a boolean target_image', [0.1, 0.2, 0.5, 0.6], true],
    ['a string target_image', [0.1, 0.2, 0.5, 0.6], '1'],
  ])('rejects a crop with %s', (_, bbox, target) => {
    expect(isWellFormedToolCall(crop({ bbox_2d: bbox, target_image: target }))).toBe(false);
  });

  it('rejects extra or missing crop arguments and targets past imageCount', () => {
    expect(isWellFormedToolCall(crop({ bbox_2d: [0, 0, 1, 1] }))).toBe(false);
    expect(isWellFormedToolCall(crop({ bbox_2d: [0, 0, 1, 1], target_image: 1, zoom: 2 }))).toBe(
      false,
    );
    expect(
      isWellFormedToolCall(crop({ bbox_2d: [0, 0, 1, 1], target_image: 3 }), { imageCount: 2 }),
    ).toBe(false);
    expect(isWellFormedToolCall(crop([0, 0, 1, 1]))).toBe(false);
  });

  it('accepts distinct frames in 1..16, at most 8', () => {
    expect(isWellFormedToolCall(frames({ target_frames: [1, 5, 16] }))).toBe(true);
    expect(isWellFormedToolCall(frames({ target_frames: [1, 2, 3, 4, 5, 6, 7, 8] }))).toBe(true);
  });

  it.each([
    ['nine frames', [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['no frames', []],
    ['a repeated frame', [3, 3]],
    ['frame 0', [0, 1]],
    ['frame 17', [17]],
    ['a fractional frame', [1.5]],
    ['a string', '1,2'],
  ])('rejects a frame selection with %s', (_, value) => {
    expect(isWellFormedToolCall(frames({ target_frames: value }))).toBe(false);
  });

  it('honours frameCount and refuses unknown tools', () => {
    expect(isWellFormedToolCall(frames({ target_frames: [9] }), { frameCount: 8 })).toBe(false);
    expect(isWellFormedToolCall({ name: 'zoom', arguments: { bbox_2d: [0, 0, 1, 1] } })).toBe(
      false,
    );
  });
});
