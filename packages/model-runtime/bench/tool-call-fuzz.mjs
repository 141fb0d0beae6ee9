// Fuzz of the whole parse-and-execute path: model outputs (valid, malformed, deeply nested,
// NaN-bearing tool calls) through parseToolCall + executeToolCall inside runEpisode. Runs the
// fast-check property of src/agent/parse-and-execute.property.test.ts at 10^5 cases (or
// FUZZ_RUNS) and writes bench-results/tool-call-fuzz.json; exits 1 if any case threw.
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const outPath = join(here, '..', 'bench-results', 'tool-call-fuzz.json');
const temporary = `${outPath}.tmp-${process.pid}`;
await mkdir(dirname(outPath), { recursive: true });
const runs = process.env.FUZZ_RUNS ?? '100000';
const result = spawnSync(
  'pnpm',
  [
    'vitest',
    'run',
    'packages/model-runtime/src/agent/parse-and-execute.property.test.ts',
    '-t',
    'never an exception',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      PIXEL_REASONER_FUZZ_RUNS: runs,
      PIXEL_REASONER_FUZZ_REPORT: temporary,
    },
  },
);
const report = JSON.parse(await readFile(temporary, 'utf8'));
await rename(temporary, outPath);
console.log(
  `tool-call fuzz: ${report.cases} cases, ${report.exceptions} exceptions, ${report.seconds} s (${report.casesPerSecond}/s) → ${outPath}`,
);
process.exit(result.status === 0 && report.exceptions === 0 ? 0 : 1);
