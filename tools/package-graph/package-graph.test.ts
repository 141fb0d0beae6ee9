import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const script: string = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts[
  'check:graph'
];

/** Runs the root `check:graph` script as CI does, in `cwd`, with this repository's rules. */
function checkGraph(cwd: string): Promise<{ code: number; output: string }> {
  const command = script.replaceAll(
    'tools/package-graph/',
    `${join(repo, 'tools/package-graph')}/`,
  );
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', command],
      {
        cwd,
        env: {
          ...process.env,
          PATH: `${join(repo, 'node_modules', '.bin')}:${process.env.PATH}`,
          NO_COLOR: '1',
          FORCE_COLOR: '0',
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

const fixture = mkdtempSync(join(tmpdir(), 'package-graph-'));
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

function write(path: string, content: unknown): void {
  mkdirSync(dirname(join(fixture, path)), { recursive: true });
  writeFileSync(
    join(fixture, path),
    typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`,
  );
}

// A small workspace with the real package names (so the real graph applies) and one of each
// violation. Nothing is installed except a root node_modules link to visual-ops, as the root's
// devDependencies link some packages here: an undeclared import resolving through it still fails.
write('package.json', { name: 'fixture', private: true, type: 'module' });
write('pnpm-workspace.yaml', 'packages:\n  - packages/*\n  - apps/*\n');
write('packages/visual-ops/package.json', {
  name: '@pixel-reasoner/visual-ops',
  type: 'module',
  exports: './src/index.ts',
  dependencies: { '@pixel-reasoner/model-runtime': 'workspace:^', sharp: '0.35.5' },
});
// Upward: visual-ops is below model-runtime. And `sharp` is declared but never imported.
write(
  'packages/visual-ops/src/index.ts',
  "import { x } from '@pixel-reasoner/model-runtime';\nexport const y = x;\n",
);
write('packages/model-runtime/package.json', {
  name: '@pixel-reasoner/model-runtime',
  type: 'module',
  exports: './src/index.ts',
});
// Downward but undeclared (and type-only).
write(
  'packages/model-runtime/src/index.ts',
  "export type { Y } from '@pixel-reasoner/visual-ops';\nexport const x = 1;\n",
);
mkdirSync(join(fixture, 'node_modules', '@pixel-reasoner'), { recursive: true });
symlinkSync(
  join(fixture, 'packages', 'visual-ops'),
  join(fixture, 'node_modules', '@pixel-reasoner', 'visual-ops'),
  'dir',
);
write('apps/eval/package.json', {
  name: '@pixel-reasoner/eval-app',
  private: true,
  type: 'module',
  dependencies: { '@pixel-reasoner/model-runtime': 'workspace:^' },
  devDependencies: {
    '@pixel-reasoner/eval-benchmarks': 'workspace:^',
    '@pixel-reasoner/test-utils': 'workspace:^',
  },
});
write(
  'apps/eval/src/cli.ts',
  [
    // Allowed: model-runtime is below eval-app (through eval-benchmarks).
    "import { x } from '@pixel-reasoner/model-runtime';",
    // Shipped code on a devDependency, and on test-utils.
    "import { runBenchmarks } from '@pixel-reasoner/eval-benchmarks';",
    "import { scripted } from '@pixel-reasoner/test-utils';",
    // A relative import into another package.
    "import { x as again } from '../../../packages/model-runtime/src/index.ts';",
    'export const z = [x, again, scripted, runBenchmarks];',
    '',
  ].join('\n'),
);
// Allowed: tests may import test-utils.
write(
  'apps/eval/src/cli.test.ts',
  "import { scripted } from '@pixel-reasoner/test-utils';\nexport const s = scripted;\n",
);

describe.concurrent('pnpm check:graph', () => {
  test('reports an upward import, an undeclared one and an unused dependency in a fixture', async () => {
    const { code, output } = await checkGraph(fixture);
    expect(code).not.toBe(0);
    expect(output).toContain(
      'not-below:@pixel-reasoner/visual-ops: packages/visual-ops/src/index.ts → @pixel-reasoner/model-runtime',
    );
    expect(output).toContain(
      'undeclared:@pixel-reasoner/model-runtime: packages/model-runtime/src/index.ts → node_modules/@pixel-reasoner/visual-ops/src/index.ts',
    );
    expect(output).toContain(
      'dev-only:@pixel-reasoner/eval-app: apps/eval/src/cli.ts → @pixel-reasoner/eval-benchmarks',
    );
    expect(output).toContain(
      'test-utils-in-shipped-code: apps/eval/src/cli.ts → @pixel-reasoner/test-utils',
    );
    expect(output).toContain(
      'into-another-package: apps/eval/src/cli.ts → packages/model-runtime/src/index.ts',
    );
    expect(output).toMatch(
      /Unused dependencies \(1\)\s+sharp\s+packages\/visual-ops\/package\.json/,
    );
    expect(output).not.toContain('apps/eval/src/cli.ts → @pixel-reasoner/model-runtime');
    expect(output).not.toContain('cli.test.ts');
  });

  test('passes on this repository', async () => {
    const result = await checkGraph(repo);
    expect(result).toMatchObject({ code: 0 });
  });
});
