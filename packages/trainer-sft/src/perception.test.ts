import type { PreparedImage } from '@pixel-reasoner/model-runtime/local';
import { generateScene, type SceneItem } from '@pixel-reasoner/scenes';
import { describe, expect, it } from 'vitest';
import { imageTokenTargets } from './encode.js';
import {
  evaluatePerception,
  formatBox,
  PERCEPTION_HEADS,
  perceptionConclusion,
  perceptionSource,
  scorePerceptionAnswer,
  wilsonInterval,
} from './perception.js';

const grid = (gridWidth: number, gridHeight: number): PreparedImage => ({
  pixels: new Float32Array(0),
  width: gridWidth * 16,
  height: gridHeight * 16,
  gridWidth,
  gridHeight,
});

async function take(count: number, cursor = 0) {
  const items = [];
  for await (const item of perceptionSource({ randomSeed: 3 }).open(cursor)) {
    items.push(item);
    if (items.length === count) break;
  }
  return items;
}

describe('perceptionSource', () => {
  it('is deterministic, resumes at a cursor, and never shows a tool', async () => {
    const first = await take(12);
    const again = await take(4, 8);
    expect(again.map((item) => item.trajectory.id)).toEqual(
      first.slice(8).map((item) => item.trajectory.id),
    );
    expect(new Set(first.map((item) => item.trajectory.id.split('#')[1])).size).toBeGreaterThan(1);
    for (const { trajectory } of first) {
      const text = JSON.stringify(trajectory.turns.map((turn) => turn.message.content));
      expect(text).not.toContain('tool_call');
      expect(trajectory.turns.at(-1)?.trainable).toBe(true);
    }
  });

  it('labels every tag of a zoom-attribute scene for the object heads', async () => {
    const items = await take(10);
    const labelled = items.find((item) => item.trajectory.imageLabels?.length);
    expect(labelled).toBeDefined();
    for (const entry of labelled!.trajectory.imageLabels!) {
      const classes = PERCEPTION_HEADS[entry.head as keyof typeof PERCEPTION_HEADS];
      for (const region of entry.regions) {
        expect(region.label).toBeGreaterThan(0);
        expect(region.label).toBeLessThan(classes.length);
      }
    }
  });
});

describe('imageTokenTargets', () => {
  it('gives the centre token the class, leaves the rest of the region out, and the others background', () => {
    const targets = imageTokenTargets(
      [grid(4, 4), grid(2, 2)],
      [{ image: 0, head: 'plate', regions: [{ box: [0.3, 0.3, 0.45, 0.7], label: 3 }] }],
    );
    // Region spans columns 1, rows 1–2; centre (0.375, 0.5) is column 1, row 2.
    expect(targets.slice(0, 16)).toEqual([0, 0, 0, 0, 0, -1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0]);
    // An image without labels for the head is left out entirely.
    expect(targets.slice(16)).toEqual([-1, -1, -1, -1]);
  });
});

describe('scoring', () => {
  it('formats boxes the way tool calls do, rounding outward', () => {
    expect(formatBox([0.1234, 0.5, 0.4561, 0.999])).toBe('[0.12, 0.5, 0.46, 1]');
  });

  it('scores boxed answers, padded-box containment and frame lists', () => {
    const item = generateScene('zoom-attribute', { seed: 4, split: 'test', needsOperation: true });
    expect(scorePerceptionAnswer('read', item, perceptionConclusion(item))).toBe(true);
    expect(scorePerceptionAnswer('read', item, '\\boxed{Z}')).toBe(false);
    if (item.cue.type !== 'box') throw new Error('expected a box cue');
    const [x1, y1, x2, y2] = item.cue.box;
    expect(scorePerceptionAnswer('locate', item, formatBox(item.cue.box))).toBe(true);
    // Off by less than the crop's 0.1 padding still shows the cue; off by more does not.
    expect(
      scorePerceptionAnswer('locate', item, `[${x1 + 0.05}, ${y1}, ${x2 + 0.05}, ${y2}]`),
    ).toBe(true);
    expect(scorePerceptionAnswer('locate', item, `[${x1 + 0.2}, ${y1}, ${x2 + 0.2}, ${y2}]`)).toBe(
      false,
    );
    expect(scorePerceptionAnswer('locate', item, '[0.1, 0.2, 0.3]')).toBe(false);
    const video = generateScene('frames', { seed: 1, split: 'test' });
    const cue = video.cue.type === 'frames' ? video.cue.frames : [];
    expect(scorePerceptionAnswer('frames', video, `[${cue.join(', ')}]`)).toBe(true);
    expect(scorePerceptionAnswer('frames', video, `[${cue.slice(1).join(', ')}]`)).toBe(false);
  });

  it('Wilson intervals match hand-worked values', () => {
    const [low, high] = wilsonInterval(50, 100);
    expect(low).toBeCloseTo(0.4038, 3);
    expect(high).toBeCloseTo(0.5962, 3);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });

  it('evaluates a responder on held-out items of every task', async () => {
    const oracle = await evaluatePerception({
      families: ['zoom-attribute', 'frames'],
      itemsPerTask: 3,
      concurrency: 2,
      respond: async (messages) => {
        const text = JSON.stringify(messages);
        return text.includes('Which frames') ? '[]' : '\\boxed{A}';
      },
    });
    expect(oracle.map((score) => `${score.family}/${score.task}`)).toEqual([
      'zoom-attribute/read',
      'zoom-attribute/answer',
      'zoom-attribute/locate',
      'frames/read',
      'frames/answer',
      'frames/frames',
    ]);
    for (const score of oracle) {
      expect(score.n).toBe(3);
      expect(score.interval[0]).toBeLessThanOrEqual(score.accuracy);
      expect(score.interval[1]).toBeGreaterThanOrEqual(score.accuracy);
    }
    expect(oracle.find((score) => score.task === 'locate')?.correct).toBe(0);
    expect(oracle.find((score) => score.task === 'frames')?.correct).toBe(0);
  });
});

describe('sheet examples', () => {
  it('label many more content tokens than a vision example, with no answer to train', async () => {
    const labelled = async (task: 'vision' | 'sheet') => {
      const source = perceptionSource({
        families: ['zoom-attribute'],
        taskWeights: { read: 0, locate: 0, answer: 0, frames: 0, vision: 0, [task]: 1 },
      });
      for await (const { trajectory } of source.open(0)) {
        expect(trajectory.turns.some((turn) => turn.trainable)).toBe(false);
        return trajectory
          .imageLabels!.filter((labels) => labels.head === 'content')
          .reduce((sum, labels) => sum + labels.regions.length, 0);
      }
      return 0;
    };
    expect(await labelled('sheet')).toBeGreaterThan(3 * (await labelled('vision')));
  });
});

describe('options examples', () => {
  it('give the close look in text and train the read answer, on multiple-choice families only', async () => {
    for (const family of ['zoom-attribute', 'relative-position', 'frames'] as const) {
      const source = perceptionSource({
        families: [family],
        taskWeights: { read: 0, locate: 0, answer: 0, frames: 0, options: 1 },
      });
      for await (const { trajectory } of source.open(0)) {
        const [, user, answer] = trajectory.turns.map((turn) => turn.message);
        const item = (trajectory as typeof trajectory & { item: SceneItem }).item;
        expect(user!.content).toEqual([
          { type: 'text', text: expect.stringContaining('Up close: ') },
        ]);
        expect(answer!.content).toBe(perceptionConclusion(item));
        expect(trajectory.turns.at(-1)!.trainable).toBe(true);
        break;
      }
    }
    expect(() =>
      perceptionSource({
        families: ['count'],
        taskWeights: { read: 0, locate: 0, answer: 0, frames: 0, options: 1 },
      }),
    ).toThrow(/no task with a positive weight applies to count/);
  });
});
