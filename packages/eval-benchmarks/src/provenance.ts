import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The packages whose code decides a score: scorers, operations, the agent loop, the loaders. */
export const SCORING_PACKAGES = [
  '@pixel-reasoner/eval-benchmarks',
  '@pixel-reasoner/model-runtime',
  '@pixel-reasoner/visual-ops',
  '@pixel-reasoner/rewards',
  '@pixel-reasoner/scenes',
] as const;

/** Installed versions of {@link SCORING_PACKAGES} (a package that cannot be resolved is left out). */
export function scoringPackageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = {};
  for (const name of SCORING_PACKAGES) {
    try {
      const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
      if (typeof manifest.version === 'string') versions[name] = manifest.version;
    } catch {
      // Not installed next to this package: nothing to record.
    }
  }
  return versions;
}

/** Where a run's numbers came from, recorded with every benchmark in summary.json. */
export interface RunProvenance {
  /** ISO date-time the summary was written. */
  date: string;
  /** `git rev-parse HEAD` of the working tree the run started in, when there is one. */
  gitCommit: string | null;
  /** Package name → version (scoring packages, plus what the caller adds, e.g. the CLI). */
  packages: Record<string, string>;
}
