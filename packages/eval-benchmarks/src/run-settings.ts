import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '@pixel-reasoner/model-runtime/internal';
import { RunSettingsMismatchError } from './errors.js';
import type { ResultRecord } from './results.js';
import type { BenchmarkSettings } from './types.js';

/** The file in an output folder that pins the settings its results were produced with. */
export const RUN_SETTINGS_FILE = 'run.json';

type Scalar = string | number | boolean | null;

/** What must match for results to be resumed into a folder; selection (limit, shard) may differ. */
export interface RunSettings {
  model: string;
  profile: string;
  /** Sampling, episode limits and tool options, flattened (`sampling.temperature`, …). */
  run: Record<string, Scalar>;
  /** Per benchmark name: the settings that move its scores. */
  benchmarks: Record<string, BenchmarkSettings>;
}

/** Benchmark settings that choose which items run rather than how they are scored. */
const SELECTION_KEYS = new Set(['itemsPerFamily', 'limit', 'shard']);

export function scoringSettings(settings: BenchmarkSettings): BenchmarkSettings {
  return Object.fromEntries(Object.entries(settings).filter(([key]) => !SELECTION_KEYS.has(key)));
}

function differences(
  scope: string,
  pinned: Record<string, Scalar>,
  requested: Record<string, Scalar>,
): string[] {
  const keys = [...new Set([...Object.keys(pinned), ...Object.keys(requested)])].sort();
  return keys
    .filter((key) => (pinned[key] ?? null) !== (requested[key] ?? null))
    .map(
      (key) =>
        `${scope}${key}: ${JSON.stringify(pinned[key] ?? null)} → ${JSON.stringify(requested[key] ?? null)}`,
    );
}

function parsePinned(file: string, text: string): RunSettings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunSettingsMismatchError(file, [`unreadable (${(error as Error).message})`]);
  }
  const pinned = value as Partial<RunSettings>;
  if (
    typeof pinned.model !== 'string' ||
    typeof pinned.profile !== 'string' ||
    typeof pinned.run !== 'object' ||
    typeof pinned.benchmarks !== 'object'
  ) {
    throw new RunSettingsMismatchError(file, [
      'not a run settings file (model, profile, run, benchmarks)',
    ]);
  }
  return pinned as RunSettings;
}

/**
 * Checks `requested` against the settings pinned in `outDir/run.json` (or, for a folder written
 * before pinning existed, against the model and profile of its results) and throws
 * `RunSettingsMismatchError` naming every differing setting. Then pins the union of both (a new
 * benchmark may join a folder) atomically. Resuming never mixes two models or settings.
 */
export async function pinRunSettings(options: {
  outDir: string;
  requested: RunSettings;
  previous: readonly ResultRecord[];
}): Promise<void> {
  const file = join(options.outDir, RUN_SETTINGS_FILE);
  const { requested } = options;
  const text = await readTextIfExists(file);
  let merged = requested;
  if (text !== undefined) {
    const pinned = parsePinned(file, text);
    const problems = [
      ...differences(
        '',
        { model: pinned.model, profile: pinned.profile },
        { model: requested.model, profile: requested.profile },
      ),
      ...differences('', pinned.run, requested.run),
    ];
    for (const [name, settings] of Object.entries(requested.benchmarks)) {
      const before = pinned.benchmarks[name];
      if (before) problems.push(...differences(`${name}.`, before, settings));
    }
    if (problems.length > 0) throw new RunSettingsMismatchError(file, problems);
    merged = { ...requested, benchmarks: { ...pinned.benchmarks, ...requested.benchmarks } };
  } else {
    const problems = new Set<string>();
    for (const record of options.previous) {
      if (record.model !== requested.model) {
        problems.add(`model: ${JSON.stringify(record.model)} → ${JSON.stringify(requested.model)}`);
      }
      if (record.profile !== requested.profile) {
        problems.add(
          `profile: ${JSON.stringify(record.profile)} → ${JSON.stringify(requested.profile)}`,
        );
      }
    }
    if (problems.size > 0) {
      throw new RunSettingsMismatchError(join(options.outDir, 'results.jsonl'), [...problems]);
    }
  }
  await writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`);
}
