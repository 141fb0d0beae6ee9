import { readFileSync } from 'node:fs';
import { access, constants, mkdir, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SCENE_FAMILIES, type SceneFamily, type SceneSplit } from '@pixel-reasoner/scenes';
import cliProgress from 'cli-progress';
import { DEFAULT_TEXT_ONLY_SHARE, synthesizeDataset } from './dataset.js';
import { InvalidOptionError, OutputFolderError } from './errors.js';
import { JsonlTrajectoryWriter } from './formats/jsonl.js';
import { type LlamaFactoryMaskMode, writeLlamaFactoryDataset } from './formats/llamafactory.js';
import { writeReferenceSft } from './formats/reference.js';
import { writeSwiftJsonl } from './formats/swift.js';
import { writeVerlParquet } from './formats/verl-parquet.js';
import { sceneSeeds } from './loaders/scenes.js';
import type { Trajectory, TrajectoryKind } from './trajectory.js';

export const SYNTH_CLI_USAGE = `Usage: pixel-reasoner-synth --family <name|all> --count N --seed S --out DIR
       [--format jsonl|reference|llamafactory|swift|verl-parquet] [--masks split|all-assistant]
       [--verl-images bytes|path] [--text-only-share x] [--split train|validation|test]
       [--concurrency N] [--no-progress]

Synthesizes Pixel Reasoner SFT trajectories from procedural scenes.
  --family           ${SCENE_FAMILIES.join(', ')}, a comma-separated list, or all
  --count            number of seeds (one trajectory each)
  --seed             first scene seed; also seeds every random choice
  --out              output folder (the data file of the format, plus media/)
  --format           jsonl (default, ours: trajectories.jsonl), reference (the reference SFT
                     message_list JSON: sft.json), llamafactory (multimodal sharegpt:
                     llamafactory.json + dataset_info.json), swift (ms-swift messages JSONL:
                     swift.jsonl) or verl-parquet (verl RL prompts with ground truth: verl.parquet)
  --masks            llamafactory only: split (default; one sample per trained turn, train with
                     mask_history: true) or all-assistant (one sample per trajectory, masks lost)
  --verl-images      verl-parquet only: bytes (default, embedded) or path (absolute media paths)
  --text-only-share  share of text-only trajectories (default ${DEFAULT_TEXT_ONLY_SHARE})
  --version          print the version
  --help             this text
`;

/** The version of @pixel-reasoner/trajectory-synth, from its package.json (src and dist alike). */
export function synthVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

const FOLDER_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'on a read-only file system',
  ENOTDIR: 'a file is in the way of one of its parent folders',
  EEXIST: 'a file is in the way',
  ENOSPC: 'no space left on the device',
};

/**
 * Makes sure `out` is a folder this process can write into (creating it), before any scene is
 * synthesized, so a bad `--out` fails at once with what is wrong instead of a stack from the
 * middle of a write.
 */
export async function prepareOutputFolder(out: string): Promise<void> {
  const info = await stat(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw new OutputFolderError(out, FOLDER_PROBLEMS[error.code ?? ''] ?? error.message, error);
  });
  if (info !== undefined && !info.isDirectory()) {
    throw new OutputFolderError(out, 'is a file, not a folder');
  }
  try {
    if (info === undefined) await mkdir(out, { recursive: true });
    await access(out, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new OutputFolderError(
      out,
      `cannot ${info === undefined ? 'be created' : 'be written'} (${FOLDER_PROBLEMS[code] ?? (error as Error).message})`,
      error,
    );
  }
}

/** The dataset formats `pixel-reasoner-synth --format` writes. */
export const SYNTH_FORMATS = [
  'jsonl',
  'reference',
  'llamafactory',
  'swift',
  'verl-parquet',
] as const;
export type SynthFormat = (typeof SYNTH_FORMATS)[number];

export interface SynthCliResult {
  file: string;
  count: number;
  byKind: Partial<Record<TrajectoryKind, number>>;
  /** Seeds that could not give their planned type and got a single-pass trajectory instead. */
  fallbacks: number;
  seconds: number;
}

export interface SynthCliIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Show a progress bar (default: when stderr is a terminal). */
  progress?: boolean;
}

function parseNumber(name: string, text: string | undefined, integer: boolean): number {
  if (text === undefined) throw new InvalidOptionError(name, 'is required');
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < 0) {
    throw new InvalidOptionError(
      name,
      `must be a non-negative ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function parseFamilies(text: string | undefined): SceneFamily[] {
  if (text === undefined) throw new InvalidOptionError('--family', 'is required');
  if (text === 'all') return [...SCENE_FAMILIES];
  const families = text.split(',').map((name) => name.trim());
  for (const family of families) {
    if (!SCENE_FAMILIES.includes(family as SceneFamily)) {
      throw new InvalidOptionError(
        '--family',
        `must be all or one of ${SCENE_FAMILIES.join(', ')}, got ${JSON.stringify(family)}`,
      );
    }
  }
  return families as SceneFamily[];
}

/**
 * The `pixel-reasoner-synth` command: procedural scenes → trajectories → a dataset folder.
 * Returns a summary; throws `InvalidOptionError` for bad arguments and `OutputFolderError` for an
 * `--out` that cannot be written (`--help` and `--version` print and return undefined).
 */
export async function runSynthCli(
  argv: readonly string[],
  io: SynthCliIo = {},
): Promise<SynthCliResult | undefined> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let values: ReturnType<typeof parse>['values'];
  function parse(args: string[]) {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        family: { type: 'string' },
        count: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string', default: 'jsonl' },
        masks: { type: 'string', default: 'split' },
        'verl-images': { type: 'string', default: 'bytes' },
        'text-only-share': { type: 'string' },
        split: { type: 'string', default: 'train' },
        concurrency: { type: 'string', default: '4' },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  }
  try {
    values = parse([...argv]).values;
  } catch (error) {
    throw new InvalidOptionError('argv', `${(error as Error).message}\n${SYNTH_CLI_USAGE}`);
  }
  if (values.help) {
    stdout.write(SYNTH_CLI_USAGE);
    return undefined;
  }
  if (values.version) {
    stdout.write(`${synthVersion()}\n`);
    return undefined;
  }
  const families = parseFamilies(values.family);
  const count = parseNumber('--count', values.count, true);
  const seed = parseNumber('--seed', values.seed ?? '0', true);
  if (values.out === undefined) throw new InvalidOptionError('--out', 'is required');
  const out = values.out;
  const format = values.format;
  if (!SYNTH_FORMATS.includes(format as SynthFormat)) {
    throw new InvalidOptionError(
      '--format',
      `must be one of ${SYNTH_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
    );
  }
  const masks = values.masks;
  if (masks !== 'split' && masks !== 'all-assistant') {
    throw new InvalidOptionError(
      '--masks',
      `must be split or all-assistant, got ${JSON.stringify(masks)}`,
    );
  }
  const verlImages = values['verl-images'];
  if (verlImages !== 'bytes' && verlImages !== 'path') {
    throw new InvalidOptionError(
      '--verl-images',
      `must be bytes or path, got ${JSON.stringify(verlImages)}`,
    );
  }
  const textOnlyShare =
    values['text-only-share'] === undefined
      ? DEFAULT_TEXT_ONLY_SHARE
      : parseNumber('--text-only-share', values['text-only-share'], false);
  if (textOnlyShare > 1)
    throw new InvalidOptionError('--text-only-share', `must be at most 1, got ${textOnlyShare}`);
  const split = values.split as SceneSplit;
  if (!['train', 'validation', 'test'].includes(split)) {
    throw new InvalidOptionError(
      '--split',
      `must be train, validation or test, got ${JSON.stringify(split)}`,
    );
  }
  const concurrency = parseNumber('--concurrency', values.concurrency, true);
  await prepareOutputFolder(out);

  const showProgress =
    !values['no-progress'] && (io.progress ?? Boolean((stderr as { isTTY?: boolean }).isTTY));
  const bar = showProgress
    ? new cliProgress.SingleBar(
        {
          stream: stderr,
          format: 'synth [{bar}] {value}/{total} seeds | {eta_formatted} left',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(count, 0);
  const started = performance.now();
  const byKind: Partial<Record<TrajectoryKind, number>> = {};
  let fallbacks = 0;
  const trajectories = synthesizeDataset(sceneSeeds({ families, count, startSeed: seed, split }), {
    randomSeed: seed,
    textOnlyShare,
    concurrency,
    onProgress: (event) => {
      if (event.fellBack) fallbacks++;
      if (event.trajectory !== undefined)
        byKind[event.trajectory.kind] = (byKind[event.trajectory.kind] ?? 0) + 1;
      bar?.update(event.done);
    },
  });
  let written: { file: string; count: number };
  try {
    if (format === 'reference') {
      written = await writeReferenceSft(out, trajectories);
    } else if (format === 'llamafactory') {
      written = await writeLlamaFactoryDataset(out, trajectories, {
        masks: masks as LlamaFactoryMaskMode,
      });
    } else if (format === 'swift') {
      written = await writeSwiftJsonl(out, trajectories);
    } else if (format === 'verl-parquet') {
      written = await writeVerlParquet(out, trajectories, { images: verlImages, split });
    } else {
      const writer = new JsonlTrajectoryWriter(out);
      try {
        for await (const trajectory of trajectories) await writer.write(trajectory as Trajectory);
      } catch (error) {
        await writer.abort();
        throw error;
      }
      written = await writer.close();
    }
  } finally {
    bar?.stop();
  }
  const result: SynthCliResult = {
    file: written.file,
    count: written.count,
    byKind,
    fallbacks,
    seconds: (performance.now() - started) / 1000,
  };
  stdout.write(`${JSON.stringify(result)}\n`);
  return result;
}
