import { SCENE_FAMILIES, type SceneFamily } from '@pixel-reasoner/scenes';
import { InvalidRunOptionsError, UnknownBenchmarkError } from './errors.js';
import { type InfovqaLoadOptions, loadInfovqa } from './loaders/infovqa.js';
import { loadMvbench, type MvbenchLoadOptions } from './loaders/mvbench.js';
import { loadParquet, parquetMetric } from './loaders/parquet.js';
import {
  type ItemsPerFamily,
  itemsForFamily,
  loadProcedural,
  PROCEDURAL_SUITE,
  type ProceduralLoadOptions,
  type ProceduralPart,
  validateItemsPerFamily,
} from './loaders/procedural.js';
import { loadTallyqa, type TallyqaLoadOptions } from './loaders/tallyqa.js';
import { loadVstar, type VstarLoadOptions } from './loaders/vstar.js';
import { type ResolveMediaOptions, resolveMedia } from './media.js';
import { ANLS_THRESHOLD, extractForGroundTruth, scoreForGroundTruth } from './scoring.js';
import type {
  Benchmark,
  BenchmarkItem,
  BenchmarkSettings,
  LoadedBenchmark,
  MetricName,
} from './types.js';

export interface BenchmarkDefinition {
  name: string;
  title: string;
  metric: MetricName;
  settings?: BenchmarkSettings;
  load(): Promise<LoadedBenchmark>;
  media?: ResolveMediaOptions;
}

/**
 * A benchmark from its loader: prompts carry the item's question and media, extraction and scoring
 * follow the item's ground-truth kind (letter, integer, ANLS, reference correctness).
 */
export function createBenchmark(definition: BenchmarkDefinition): Benchmark {
  const media = definition.media ?? {};
  const inputPixels =
    media.inputPixels === false
      ? 'original'
      : media.inputPixels
        ? `${media.inputPixels.minPixels ?? '-'}..${media.inputPixels.maxPixels ?? '-'}`
        : `${256 * 784}..${8000 * 784}`;
  return {
    name: definition.name,
    title: definition.title,
    metric: definition.metric,
    settings: { inputPixels, ...definition.settings },
    load: definition.load,
    async buildPrompt(item: BenchmarkItem) {
      return { question: item.question, media: await resolveMedia(item.media, media) };
    },
    extract: (output, item) => extractForGroundTruth(output, item.groundTruth),
    score: (extracted, item, output) => scoreForGroundTruth(extracted, item.groundTruth, output),
  };
}

export function vstarBenchmark(
  options: VstarLoadOptions & { media?: ResolveMediaOptions },
): Benchmark {
  return createBenchmark({
    name: 'vstar',
    title: 'V* Bench',
    metric: 'accuracy',
    settings: { data: options.dataDir },
    media: options.media,
    load: () => loadVstar(options),
  });
}

export function tallyqaBenchmark(
  options: TallyqaLoadOptions & { media?: ResolveMediaOptions },
): Benchmark {
  const subset = options.subset ?? 'complex';
  return createBenchmark({
    name: subset === 'complex' ? 'tallyqa' : `tallyqa-${subset}`,
    title: subset === 'complex' ? 'TallyQA-complex' : `TallyQA-${subset}`,
    metric: 'accuracy',
    settings: { data: options.dataDir, subset },
    media: options.media,
    load: () => loadTallyqa({ ...options, subset }),
  });
}

export function mvbenchBenchmark(options: MvbenchLoadOptions): Benchmark {
  const frameCount = options.frameCount ?? 16;
  return createBenchmark({
    name: 'mvbench',
    title: 'MVBench',
    metric: 'accuracy',
    settings: {
      data: options.dataDir,
      frames: frameCount,
      frameSampling: 'mvbench-official',
      framePixels: 512 * 784,
    },
    load: () => loadMvbench({ ...options, frameCount }),
  });
}

export function infovqaBenchmark(
  options: InfovqaLoadOptions & { media?: ResolveMediaOptions },
): Benchmark {
  const split = options.split ?? 'val';
  return createBenchmark({
    name: split === 'val' ? 'infovqa' : `infovqa-${split}`,
    title: `InfoVQA-${split}`,
    metric: 'anls',
    settings: { data: options.dataDir, split, anlsThreshold: ANLS_THRESHOLD },
    media: options.media,
    load: () => loadInfovqa({ ...options, split }),
  });
}

export function parquetBenchmark(options: {
  file: string;
  media?: ResolveMediaOptions;
}): Benchmark {
  const stem = options.file.replace(/^.*[\\/]/, '').replace(/\.parquet$/i, '');
  const metric = parquetMetric(options.file);
  return createBenchmark({
    name: `parquet:${stem}`,
    title: stem,
    metric,
    settings: {
      data: options.file,
      scorer: metric === 'anls' ? 'anls' : 'reference-rule-reward',
    },
    media: options.media,
    load: () => loadParquet({ file: options.file }),
  });
}

export interface ProceduralBenchmarkOptions extends Omit<ProceduralLoadOptions, 'families'> {
  /** Which parts of the suite (default all four). */
  parts?: readonly ProceduralPart[];
  /**
   * Which scene families (default all); a part keeps only the selected families and is left out
   * when none of its families is selected.
   */
  families?: readonly SceneFamily[];
}

function checkFamilies(families: readonly string[]): void {
  for (const family of families) {
    if (!(SCENE_FAMILIES as readonly string[]).includes(family)) {
      throw new InvalidRunOptionsError(
        `unknown scene family "${family}"; expected one of ${SCENE_FAMILIES.join(', ')}`,
      );
    }
  }
}

/**
 * The procedural held-out suite: four benchmarks (`procedural/vstar`, `/tallyqa`, `/mvbench`,
 * `/infovqa`) built from the scene families that mirror the paper's benchmarks. Media are sent at
 * their generated size; the model applies its own pixel budgets.
 */
export function proceduralBenchmarks(options: ProceduralBenchmarkOptions = {}): Benchmark[] {
  const parts = options.parts ?? (Object.keys(PROCEDURAL_SUITE) as ProceduralPart[]);
  for (const part of parts) {
    if (!Object.hasOwn(PROCEDURAL_SUITE, part)) {
      throw new InvalidRunOptionsError(
        `unknown procedural part "${part}"; expected one of ${Object.keys(PROCEDURAL_SUITE).join(', ')}`,
      );
    }
  }
  if (options.families) checkFamilies(options.families);
  validateItemsPerFamily(options.itemsPerFamily);
  const selected = options.families ? new Set(options.families) : undefined;
  const benchmarks: Benchmark[] = [];
  for (const part of parts) {
    const families = PROCEDURAL_SUITE[part].filter((family) => !selected || selected.has(family));
    if (families.length === 0) continue;
    const counts = families.map((family) => itemsForFamily(options.itemsPerFamily, family));
    const itemsPerFamily = counts.every((count) => count === counts[0])
      ? counts[0]!
      : families.map((family, index) => `${family}=${counts[index]}`).join('+');
    benchmarks.push(
      createBenchmark({
        name: `procedural/${part}`,
        title: `Procedural ${part}`,
        metric: part === 'infovqa' ? 'anls' : 'accuracy',
        settings: {
          families: families.join('+'),
          split: options.split ?? 'test',
          itemsPerFamily,
          startSeed: options.startSeed ?? 0,
          ...(options.sceneOptions as BenchmarkSettings | undefined),
        },
        media: { inputPixels: false },
        load: () => loadProcedural({ ...options, families }),
      }),
    );
  }
  if (benchmarks.length === 0) {
    throw new InvalidRunOptionsError(
      `no procedural benchmark left: parts ${parts.join(', ')} hold none of the families ${[...(selected ?? [])].join(', ')}`,
    );
  }
  return benchmarks;
}

/**
 * Families of a `procedural:` spec: a comma-separated list of scene families or suite parts
 * (`procedural:zoom-attribute,count`, `procedural:vstar`); empty means all.
 */
export function parseProceduralSelection(argument: string): SceneFamily[] | undefined {
  const names = argument
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) return undefined;
  const families: SceneFamily[] = [];
  for (const name of names) {
    if (Object.hasOwn(PROCEDURAL_SUITE, name)) {
      families.push(...PROCEDURAL_SUITE[name as ProceduralPart]);
    } else if ((SCENE_FAMILIES as readonly string[]).includes(name)) {
      families.push(name as SceneFamily);
    } else {
      throw new UnknownBenchmarkError(`procedural:${name}`, [
        ...SCENE_FAMILIES.map((family) => `procedural:${family}`),
        ...Object.keys(PROCEDURAL_SUITE).map((part) => `procedural:${part}`),
      ]);
    }
  }
  return [...new Set(families)];
}

/** Names accepted by {@link benchmarksFromSpec}. */
export const BENCHMARK_NAMES = [
  'vstar',
  'tallyqa',
  'mvbench',
  'infovqa',
  'procedural',
  'parquet',
] as const;

export interface BenchmarkSpecOptions {
  /** Items per scene family for `procedural`. */
  proceduralItemsPerFamily?: ItemsPerFamily;
  /** First held-out seed of `procedural` (default 0). */
  proceduralStartSeed?: number;
  media?: ResolveMediaOptions;
}

/**
 * Benchmarks from a command-line spec `NAME[:DATA_DIR]` (`vstar:/data/vstar_bench`,
 * `parquet:/data/vstar.parquet`, `procedural`, `procedural:zoom-attribute,count`). Data folders
 * default to `./data/<name>`.
 */
export function benchmarksFromSpec(spec: string, options: BenchmarkSpecOptions = {}): Benchmark[] {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim().toLowerCase();
  const argument = colon < 0 ? undefined : spec.slice(colon + 1);
  const dataDir = argument && argument !== '' ? argument : `data/${name}`;
  switch (name) {
    case 'vstar':
      return [vstarBenchmark({ dataDir, media: options.media })];
    case 'tallyqa':
      return [tallyqaBenchmark({ dataDir, media: options.media })];
    case 'mvbench':
      return [mvbenchBenchmark({ dataDir })];
    case 'infovqa':
      return [infovqaBenchmark({ dataDir, media: options.media })];
    case 'parquet':
      if (!argument) {
        throw new InvalidRunOptionsError(
          'parquet needs a file: --bench parquet:/path/to/vstar.parquet',
        );
      }
      return [parquetBenchmark({ file: argument, media: options.media })];
    case 'procedural':
      return proceduralBenchmarks({
        itemsPerFamily: options.proceduralItemsPerFamily,
        startSeed: options.proceduralStartSeed,
        families: argument === undefined ? undefined : parseProceduralSelection(argument),
      });
    default:
      throw new UnknownBenchmarkError(spec, BENCHMARK_NAMES);
  }
}
