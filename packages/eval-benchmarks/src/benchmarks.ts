import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { SCENE_FAMILIES, type SceneFamily } from '@pixel-reasoner/scenes';
import { InvalidRunOptionsError, UnknownBenchmarkError } from './errors.js';
import { type InfovqaLoadOptions, loadInfovqa } from './loaders/infovqa.js';
import {
  loadMmeRealworld,
  loadMmeRealworldParquet,
  MME_REALWORLD_ANNOTATION_FILES,
} from './loaders/mme-realworld.js';
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
import { loadVlmevalkitTsv } from './loaders/vlmevalkit-tsv.js';
import { loadVstar, type VstarLoadOptions } from './loaders/vstar.js';
import { type ResolveMediaOptions, resolveMedia } from './media.js';
import { ANLS_THRESHOLD, extractForGroundTruth, scoreForGroundTruth } from './scoring.js';
import type {
  Aggregation,
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
  aggregation?: Aggregation;
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
    settings: {
      inputPixels,
      // Only when set, so folders written before the option existed still resume.
      ...(media.inputEncoding !== undefined
        ? { inputEncoding: JSON.stringify(media.inputEncoding) }
        : {}),
      ...definition.settings,
    },
    ...(definition.aggregation ? { aggregation: definition.aggregation } : {}),
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

/** HR-Bench's averaging: accuracy per `cycle_category`, then the mean over cycles. */
export const HRBENCH_AGGREGATION: Aggregation = { kind: 'macro', over: 'cycle_category' };

/** The HR-Bench TSV file names of its Hugging Face dataset. */
export const HRBENCH_FILES = { '4k': 'hr_bench_4k.tsv', '8k': 'hr_bench_8k.tsv' } as const;

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

export function hrbenchBenchmark(options: {
  resolution: '4k' | '8k';
  /** `hr_bench_4k.tsv` / `hr_bench_8k.tsv`, or a folder holding it. */
  path: string;
  media?: ResolveMediaOptions;
}): Benchmark {
  const file = options.path.endsWith('.tsv')
    ? options.path
    : join(options.path, HRBENCH_FILES[options.resolution]);
  return createBenchmark({
    name: `hrbench-${options.resolution}`,
    title: `HR-Bench ${options.resolution.toUpperCase()}`,
    metric: 'accuracy',
    settings: { data: file, prompt: 'vlmevalkit-mcq' },
    aggregation: HRBENCH_AGGREGATION,
    media: options.media,
    load: () =>
      loadVlmevalkitTsv({
        file,
        requiredColumns: ['category', 'cycle_category', 'image'],
        what: `HR-Bench ${options.resolution} TSV`,
      }),
  });
}

/** Which MME-RealWorld layout a path holds: the official JSON (+ images) or lmms-eval parquet. */
export async function mmeRealworldLayout(
  path: string,
): Promise<'official-json' | 'lmms-eval-parquet'> {
  if (path.endsWith('.json')) return 'official-json';
  if (path.endsWith('.parquet')) return 'lmms-eval-parquet';
  if (await isDirectory(path)) {
    const names = await readdir(path);
    if (MME_REALWORLD_ANNOTATION_FILES.some((name) => names.includes(name))) return 'official-json';
    if (names.some((name) => name.endsWith('.parquet'))) return 'lmms-eval-parquet';
    if (
      names.includes('data') &&
      (await readdir(join(path, 'data'))).some((name) => name.endsWith('.parquet'))
    ) {
      return 'lmms-eval-parquet';
    }
  }
  return 'official-json';
}

export function mmeRealworldBenchmark(options: {
  /** The official JSON (or its folder with the image folders), or the lmms-eval parquet (or folder). */
  path: string;
  lite?: boolean;
  media?: ResolveMediaOptions;
}): Benchmark {
  const name = options.lite ? 'mme-realworld-lite' : 'mme-realworld';
  return createBenchmark({
    name,
    title: options.lite ? 'MME-RealWorld-Lite' : 'MME-RealWorld',
    metric: 'accuracy',
    settings: { data: options.path },
    media: options.media,
    load: async () =>
      (await mmeRealworldLayout(options.path)) === 'lmms-eval-parquet'
        ? loadMmeRealworldParquet({ path: options.path })
        : loadMmeRealworld({ path: options.path }),
  });
}

export function vlmevalkitBenchmark(options: {
  file: string;
  media?: ResolveMediaOptions;
}): Benchmark {
  const stem = basename(options.file, extname(options.file));
  // VLMEvalKit's HRBench files score like HR-Bench's own (per cycle_category, then averaged).
  const isHrbench = /^hr_?bench/i.test(stem);
  return createBenchmark({
    name: `vlmevalkit:${stem}`,
    title: stem,
    metric: 'accuracy',
    settings: { data: options.file, prompt: 'vlmevalkit-mcq' },
    ...(isHrbench ? { aggregation: HRBENCH_AGGREGATION } : {}),
    media: options.media,
    load: () =>
      loadVlmevalkitTsv({
        file: options.file,
        ...(isHrbench ? { requiredColumns: ['cycle_category'] } : {}),
      }),
  });
}

export interface BenchmarkSpecOptions {
  /** Items per scene family for `procedural`. */
  proceduralItemsPerFamily?: ItemsPerFamily;
  /** First held-out seed of `procedural` (default 0). */
  proceduralStartSeed?: number;
  media?: ResolveMediaOptions;
}

/**
 * A benchmark as the command line knows it: its spec name, the data layout it expects (what
 * `--bench list` prints) and where that layout's facts were checked, and how a spec's argument
 * (after the colon) becomes benchmarks.
 */
export interface BenchmarkPlugin {
  name: string;
  /** `NAME[:DIR]`, `NAME:FILE`, … as the command line takes it. */
  usage: string;
  /** The files and fields the loader expects. */
  layout: string;
  /** Where the layout's facts come from (repository and file). */
  source: string;
  /** `argument` is what follows the colon (undefined when there is none). */
  create(argument: string | undefined, options: BenchmarkSpecOptions): Benchmark[];
}

const plugins = new Map<string, BenchmarkPlugin>();

/** Adds a benchmark to the registry `benchmarksFromSpec` and `--bench list` read. */
export function registerBenchmarkPlugin(plugin: BenchmarkPlugin): void {
  if (plugins.has(plugin.name)) {
    throw new InvalidRunOptionsError(`benchmark "${plugin.name}" is already registered`);
  }
  plugins.set(plugin.name, plugin);
}

/** Every registered benchmark, in registration order. */
export function benchmarkPlugins(): BenchmarkPlugin[] {
  return [...plugins.values()];
}

const dataDirOf = (name: string, argument: string | undefined) =>
  argument && argument !== '' ? argument : `data/${name}`;

function requireFile(name: string, argument: string | undefined, example: string): string {
  if (!argument) {
    throw new InvalidRunOptionsError(`${name} needs a file: --bench ${name}:${example}`);
  }
  return argument;
}

const BUILT_IN_PLUGINS: BenchmarkPlugin[] = [
  {
    name: 'vstar',
    usage: 'vstar[:DIR]',
    layout:
      'test_questions.jsonl (image, text with "(A) …" options, category, question_id, label) or direct_attributes/*.json + relative_position/*.json (question, options; first correct) beside the sa_*.jpg images',
    source: 'penghao-wu/vstar README.md, vstar_bench_eval.py; HF craigwu/vstar_bench',
    create: (argument, options) => [
      vstarBenchmark({ dataDir: dataDirOf('vstar', argument), media: options.media }),
    ],
  },
  {
    name: 'tallyqa',
    usage: 'tallyqa[:DIR]',
    layout:
      'test.json (image, question, answer, issimple, question_id) with VG_100K*/ train2014/ val2014/ images; the complex subset is scored',
    source: 'manoja328/tallyqa README.md; google-research/big_vision datasets/tallyqa/tallyqa.py',
    create: (argument, options) => [
      tallyqaBenchmark({ dataDir: dataDirOf('tallyqa', argument), media: options.media }),
    ],
  },
  {
    name: 'mvbench',
    usage: 'mvbench[:DIR]',
    layout:
      'json/<task>.json (video, question, candidates, answer, start/end) and video/<folder>/… per the official task table',
    source: 'OpenGVLab/Ask-Anything video_chat2/mvbench.ipynb',
    create: (argument) => [mvbenchBenchmark({ dataDir: dataDirOf('mvbench', argument) })],
  },
  {
    name: 'infovqa',
    usage: 'infovqa[:DIR]',
    layout:
      'infographicsVQA_val_v1.0_withQT.json (data[]: questionId, question, image_local_name, answers) and images/',
    source: 'google-research/big_vision datasets/infovqa/infovqa.py; docvqa.org evaluation script',
    create: (argument, options) => [
      infovqaBenchmark({ dataDir: dataDirOf('infovqa', argument), media: options.media }),
    ],
  },
  {
    name: 'hrbench-4k',
    usage: 'hrbench-4k[:FILE|DIR]',
    layout: `${HRBENCH_FILES['4k']}: index, question, A–D, answer (letter), category (single/cross), cycle_category, image (base64); accuracy per cycle_category, then averaged`,
    source:
      'DreamMr/HR-Bench hrbench/vlmeval/dataset/image_mcq.py (HRBenchDataset), utils/hrbench.py; EvolvingLMMs-Lab/lmms-eval lmms_eval/tasks/hrbench/utils.py',
    create: (argument, options) => [
      hrbenchBenchmark({
        resolution: '4k',
        path: dataDirOf('hrbench', argument),
        media: options.media,
      }),
    ],
  },
  {
    name: 'hrbench-8k',
    usage: 'hrbench-8k[:FILE|DIR]',
    layout: `${HRBENCH_FILES['8k']}: as hrbench-4k`,
    source: 'DreamMr/HR-Bench hrbench/vlmeval/dataset/image_mcq.py, utils/hrbench.py',
    create: (argument, options) => [
      hrbenchBenchmark({
        resolution: '8k',
        path: dataDirOf('hrbench', argument),
        media: options.media,
      }),
    ],
  },
  {
    name: 'mme-realworld',
    usage: 'mme-realworld[:FILE|DIR]',
    layout:
      'official MME_RealWorld.json (Question_id, Image path under the image folders, Text, Answer choices "(A) …"–"(E) …", Ground truth, Task, Subtask, Category) + image folders; or the lmms-eval parquet (index, question, multi-choice options, answer, category, l2-category, bytes = base64 image), a file or a folder of *.parquet / data/*.parquet; accuracy overall, per Task/Subtask and category',
    source:
      'yfzhang114/MME-RealWorld evaluation/eval_your_results.py, model_vqa_mme_real_world.py, output_test_template.json; EvolvingLMMs-Lab/lmms-eval lmms_eval/tasks/mme_realworld/utils.py',
    create: (argument, options) => [
      mmeRealworldBenchmark({ path: dataDirOf('mme-realworld', argument), media: options.media }),
    ],
  },
  {
    name: 'mme-realworld-lite',
    usage: 'mme-realworld-lite[:FILE|DIR]',
    layout:
      'as mme-realworld (lmms-eval: yifanzhang114/MME-RealWorld-lite-lmms-eval parquet, five options)',
    source:
      'EvolvingLMMs-Lab/lmms-eval lmms_eval/tasks/mme_realworld/mme_realworld_lite.yaml, utils.py',
    create: (argument, options) => [
      mmeRealworldBenchmark({
        path: dataDirOf('mme-realworld-lite', argument),
        lite: true,
        media: options.media,
      }),
    ],
  },
  {
    name: 'vlmevalkit',
    usage: 'vlmevalkit:FILE.tsv',
    layout:
      'a VLMEvalKit MCQ TSV: index, image (base64, or the index of a row with the same image), question, A…E (empty = no option), answer (letter), category, optional hint, l2-category; files named hr_bench*/HRBench* are averaged per cycle_category',
    source:
      'open-compass/VLMEvalKit vlmeval/dataset/image_base.py, image_mcq.py (ImageMCQDataset, HRBenchDataset, MMERealWorld)',
    create: (argument, options) => [
      vlmevalkitBenchmark({
        file: requireFile('vlmevalkit', argument, '/data/HRBench4K.tsv'),
        media: options.media,
      }),
    ],
  },
  {
    name: 'parquet',
    usage: 'parquet:FILE',
    layout: 'a reference evaluation parquet (question, image list, is_video, answer, qid)',
    source: 'TIGER-AI-Lab/Pixel-Reasoner evaluation parquets',
    create: (argument, options) => [
      parquetBenchmark({
        file: requireFile('parquet', argument, '/path/to/vstar.parquet'),
        media: options.media,
      }),
    ],
  },
  {
    name: 'procedural',
    usage: 'procedural[:FAMILIES]',
    layout:
      'no data: the held-out procedural suite from @pixel-reasoner/scenes (procedural:zoom-attribute,count selects families or parts)',
    source: 'this repository (packages/scenes)',
    create: (argument, options) =>
      proceduralBenchmarks({
        itemsPerFamily: options.proceduralItemsPerFamily,
        startSeed: options.proceduralStartSeed,
        families: argument === undefined ? undefined : parseProceduralSelection(argument),
      }),
  },
];
for (const plugin of BUILT_IN_PLUGINS) registerBenchmarkPlugin(plugin);

/** Names of the built-in benchmarks accepted by {@link benchmarksFromSpec}. */
export const BENCHMARK_NAMES: readonly string[] = BUILT_IN_PLUGINS.map((plugin) => plugin.name);

/** `--bench list`: every registered benchmark with its usage, expected layout and source. */
export function formatBenchmarkList(): string {
  return benchmarkPlugins()
    .map(
      (plugin) =>
        `${plugin.usage}\n  layout: ${plugin.layout}\n  checked against: ${plugin.source}\n`,
    )
    .join('');
}

/**
 * Benchmarks from a command-line spec `NAME[:ARGUMENT]` (`vstar:/data/vstar_bench`,
 * `hrbench-4k:/data/hr_bench_4k.tsv`, `parquet:/data/vstar.parquet`, `procedural:count`) through
 * the plugin registry. Data folders default to `./data/<name>`.
 */
export function benchmarksFromSpec(spec: string, options: BenchmarkSpecOptions = {}): Benchmark[] {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim().toLowerCase();
  const argument = colon < 0 ? undefined : spec.slice(colon + 1);
  const plugin = plugins.get(name);
  if (!plugin) throw new UnknownBenchmarkError(spec, [...plugins.keys()]);
  return plugin.create(argument, options);
}
