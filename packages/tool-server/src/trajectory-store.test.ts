import type { VisualInput } from '@pixel-reasoner/visual-ops';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors.js';
import { TrajectoryStore } from './trajectory-store.js';

function visual(bytes: number): VisualInput {
  return {
    type: 'image',
    image: { data: new Uint8Array(bytes), mediaType: 'image/png', width: 1, height: 1 },
  };
}

describe('TrajectoryStore', () => {
  it('forgets a trajectory on finish and returns its bytes', () => {
    const store = new TrajectoryStore();
    const state = store.create('a', [visual(100)]);
    store.append(state, [visual(50)]);
    expect(store.stats()).toMatchObject({ trajectories: 1, bytes: 150 });
    expect(store.delete('a', 'finish')).toBe(true);
    expect(store.stats()).toMatchObject({ trajectories: 0, bytes: 0, evicted: { finish: 1 } });
    expect(store.delete('a', 'finish')).toBe(false);
  });

  it('evicts trajectories idle longer than the TTL, keeping fresh ones', () => {
    let now = 0;
    const store = new TrajectoryStore({ ttlMs: 1000, now: () => now });
    store.create('old', [visual(10)]);
    now = 600;
    store.create('fresh', [visual(10)]);
    now = 1200;
    expect(store.sweep()).toBe(1);
    expect(store.has('old')).toBe(false);
    expect(store.has('fresh')).toBe(true);
    expect(store.stats().evicted.ttl).toBe(1);
  });

  it('refreshes the TTL when a trajectory is used', () => {
    let now = 0;
    const store = new TrajectoryStore({ ttlMs: 1000, now: () => now });
    store.create('a', [visual(10)]);
    now = 900;
    expect(store.get('a')).toBeDefined();
    now = 1800;
    expect(store.get('a')).toBeDefined();
    now = 2801;
    expect(store.get('a')).toBeUndefined();
  });

  it('evicts the least recently used trajectory beyond the trajectory cap', () => {
    const store = new TrajectoryStore({ maxTrajectories: 2 });
    store.create('a', [visual(1)]);
    store.create('b', [visual(1)]);
    store.get('a');
    store.create('c', [visual(1)]);
    expect(store.has('a')).toBe(true);
    expect(store.has('b')).toBe(false);
    expect(store.has('c')).toBe(true);
    expect(store.stats()).toMatchObject({ trajectories: 2, bytes: 2, evicted: { capacity: 1 } });
  });

  it('evicts others when appended images pass the byte cap, never the one being written', () => {
    const store = new TrajectoryStore({ maxBytes: 250 });
    store.create('a', [visual(100)]);
    const b = store.create('b', [visual(100)]);
    store.append(b, [visual(100)]);
    expect(store.has('a')).toBe(false);
    expect(store.stats()).toMatchObject({ trajectories: 1, bytes: 200 });
    store.append(b, [visual(100)]);
    expect(store.has('b')).toBe(true);
    expect(store.stats().bytes).toBe(300);
  });

  it('re-creating a trajectory replaces its images without counting an eviction', () => {
    const store = new TrajectoryStore();
    store.create('a', [visual(100)]);
    store.create('a', [visual(30)]);
    expect(store.stats()).toMatchObject({ trajectories: 1, bytes: 30, evicted: { capacity: 0 } });
  });

  it('rejects caps that are not positive', () => {
    expect(() => new TrajectoryStore({ ttlMs: 0 })).toThrow(InvalidOptionError);
    expect(() => new TrajectoryStore({ maxTrajectories: 1.5 })).toThrow(/maxTrajectories/);
    expect(() => new TrajectoryStore({ maxBytes: -1 })).toThrow(/maxBytes/);
  });
});
