import { describe, expect, it } from 'vitest';
import { generateScene } from './generate.js';
import { generateTagSheet } from './tag-sheet.js';

describe('generateTagSheet', () => {
  it('is deterministic per seed and split, and splits never share a sheet', () => {
    const a = generateTagSheet({ seed: 4 });
    expect(generateTagSheet({ seed: 4 }).image.data).toEqual(a.image.data);
    expect(generateTagSheet({ seed: 4, split: 'test' }).image.data).not.toEqual(a.image.data);
  });

  it('packs many tags at the needs-operation font cell, each with its content inside its box', () => {
    const sheet = generateTagSheet({ seed: 1 });
    expect(sheet.objects.length).toBeGreaterThan(40);
    const item = generateScene('zoom-attribute', { seed: 2, split: 'train', needsOperation: true });
    const side = (box: readonly number[]) => (box[2]! - box[0]!) * sheet.image.width;
    // Same tag size as a needs-operation item's tags.
    expect(side(sheet.objects[0]!.box)).toBeCloseTo(side(item.objects![0]!.box), 6);
    for (const object of sheet.objects) {
      const [x1, y1, x2, y2] = object.box;
      const [cx1, cy1, cx2, cy2] = object.contentBox;
      expect(x1 >= 0 && y1 >= 0 && x2 <= 1 && y2 <= 1).toBe(true);
      expect(cx1 >= x1 && cy1 >= y1 && cx2 <= x2 && cy2 <= y2).toBe(true);
      expect(object.content).not.toBe(object.color);
    }
  });
});
