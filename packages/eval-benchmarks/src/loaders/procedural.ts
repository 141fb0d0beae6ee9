import {
  generateScene,
  SCENE_FAMILIES,
  type SceneFamily,
  type SceneItem,
  type SceneOptions,
  type SceneSplit,
} from '@pixel-reasoner/scenes';
import { InvalidRunOptionsError } from '../errors.js';
import type { BenchmarkItem, GroundTruth, LoadedBenchmark } from '../types.js';

/** The procedural suite: one benchmark per paper benchmark, made of the families that mirror it. */
export const PROCEDURAL_SUITE: Readonly<
  Record<'vstar' | 'tallyqa' | 'mvbench' | 'infovqa', readonly SceneFamily[]>
> = {
  vstar: ['zoom-attribute', 'relative-position'],
  tallyqa: ['count'],
  mvbench: ['frames'],
  infovqa: ['infographic'],
};

export type ProceduralPart = keyof typeof PROCEDURAL_SUITE;

/** Items per family (default 50): one number for all, or per family with a `default`. */
export type ItemsPerFamily = number | Partial<Record<SceneFamily | 'default', number>>;

export const DEFAULT_ITEMS_PER_FAMILY = 50;

export interface ProceduralLoadOptions {
  families: readonly SceneFamily[];
  /** Items per family (default 50), e.g. `{ 'zoom-attribute': 200, default: 100 }`. */
  itemsPerFamily?: ItemsPerFamily;
  /** Held-out split (default `test`; training streams `train`). */
  split?: SceneSplit;
  /** Seed of each family's first item (default 0): the first held-out seed. */
  startSeed?: number;
  /** Pixel budgets and answerable share passed to the generators. */
  sceneOptions?: Omit<SceneOptions, 'seed' | 'split'>;
}

function checkCount(what: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
    throw new InvalidRunOptionsError(`${what} must be an integer ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** Throws `InvalidRunOptionsError` naming the key for an unknown family or a bad count. */
export function validateItemsPerFamily(itemsPerFamily: ItemsPerFamily | undefined): void {
  if (itemsPerFamily === undefined || typeof itemsPerFamily === 'number') {
    if (itemsPerFamily !== undefined) checkCount('itemsPerFamily', itemsPerFamily);
    return;
  }
  if (itemsPerFamily === null || typeof itemsPerFamily !== 'object') {
    throw new InvalidRunOptionsError(
      `itemsPerFamily must be a number or an object, got ${String(itemsPerFamily)}`,
    );
  }
  for (const [key, value] of Object.entries(itemsPerFamily)) {
    if (key !== 'default' && !(SCENE_FAMILIES as readonly string[]).includes(key)) {
      throw new InvalidRunOptionsError(
        `itemsPerFamily: unknown family "${key}"; expected default or one of ${SCENE_FAMILIES.join(', ')}`,
      );
    }
    checkCount(`itemsPerFamily["${key}"]`, value);
  }
}

/** How many items `family` gets under `itemsPerFamily`. */
export function itemsForFamily(
  itemsPerFamily: ItemsPerFamily | undefined,
  family: SceneFamily,
): number {
  if (itemsPerFamily === undefined) return DEFAULT_ITEMS_PER_FAMILY;
  if (typeof itemsPerFamily === 'number') return itemsPerFamily;
  return itemsPerFamily[family] ?? itemsPerFamily.default ?? DEFAULT_ITEMS_PER_FAMILY;
}

export function sceneGroundTruth(scene: SceneItem): GroundTruth {
  if (scene.answerType === 'choice') {
    return { kind: 'choice', label: scene.answer, options: scene.options ?? [] };
  }
  if (scene.answerType === 'integer') return { kind: 'count', value: Number(scene.answer) };
  return { kind: 'texts', values: [scene.answer] };
}

/** Generates the held-out items; their media are regenerated from the seed when they run. */
export async function loadProcedural(options: ProceduralLoadOptions): Promise<LoadedBenchmark> {
  validateItemsPerFamily(options.itemsPerFamily);
  const split = options.split ?? 'test';
  const startSeed = checkCount('startSeed', options.startSeed ?? 0);
  const items: BenchmarkItem[] = [];
  for (const family of options.families) {
    const count = itemsForFamily(options.itemsPerFamily, family);
    for (let index = 0; index < count; index++) {
      const sceneOptions: SceneOptions = {
        ...options.sceneOptions,
        seed: startSeed + index,
        split,
      };
      const scene = generateScene(family, sceneOptions);
      items.push({
        id: scene.id,
        category: family,
        question: scene.question,
        media: [{ kind: 'scene', family, options: sceneOptions }],
        groundTruth: sceneGroundTruth(scene),
        location: { file: `scenes:${family}/${split}`, row: index },
        needsOperation: scene.needsOperation,
      });
    }
  }
  return { items, missingMedia: [] };
}
