import type { Trajectory } from '@pixel-reasoner/trajectory-synth';
import { describe, expect, it } from 'vitest';
import { type SourceItem, sceneTrajectorySource, toTrajectorySource } from './data.js';
import { InvalidSftOptionError } from './errors.js';
import { colourTrajectory } from './test-helpers/fixtures.js';

async function take<T extends SourceItem>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length === count) break;
  }
  return items;
}

const summary = (item: SourceItem<Trajectory>) => ({
  id: item.trajectory.id,
  kind: item.trajectory.kind,
  next: item.next,
  answer: item.trajectory.turns.at(-1)!.message.content,
});

describe('sceneTrajectorySource', () => {
  it('streams fresh train-split scenes and reopens at a cursor with the same items', async () => {
    const source = sceneTrajectorySource({
      families: ['zoom-attribute', 'count', 'infographic'],
      planBlock: 4,
      startSeed: 100,
    });
    const straight = (await take(source.open(0), 7)).map(summary);
    expect(straight.map((item) => item.next)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(straight[0]!.id).toContain('zoom-attribute/train/100');
    expect(straight[1]!.id).toContain('count/train/101');
    expect(new Set(straight.map((item) => item.id)).size).toBe(7);
    // Resuming in the middle of a planning block plans the same trajectory types.
    const resumed = (await take(source.open(5), 2)).map(summary);
    expect(resumed).toEqual(straight.slice(5, 7));
  });

  it('rejects a non-positive plan block', () => {
    expect(() => sceneTrajectorySource({ planBlock: 0 })).toThrow(InvalidSftOptionError);
    expect(() => sceneTrajectorySource({ families: [] })).toThrow(/families/);
  });
});

describe('toTrajectorySource', () => {
  it('repeats an array epoch after epoch and resumes at any cursor', async () => {
    const data = ['red', 'green', 'blue'].map((colour) => colourTrajectory(colour));
    const source = toTrajectorySource(data);
    const ids = (await take(source.open(2), 4)).map((item) => [item.trajectory.id, item.next]);
    expect(ids).toEqual([
      ['colour-blue', 3],
      ['colour-red', 4],
      ['colour-green', 5],
      ['colour-blue', 6],
    ]);
  });

  it('calls a factory once per epoch', async () => {
    let calls = 0;
    const source = toTrajectorySource(() => {
      calls += 1;
      return [colourTrajectory('red')];
    });
    await take(source.open(0), 3);
    expect(calls).toBe(3);
  });
});
