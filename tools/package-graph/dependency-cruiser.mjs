// The package graph of CONTRIBUTING.md ("Package graph"), enforced by `pnpm check:graph`.
//
// GRAPH lists, for every workspace package, the workspace packages it sits directly on top of,
// exactly as drawn in CONTRIBUTING.md. A package may import any package *below* it: the ones
// listed here and, transitively, everything those sit on. Anything else is an import pointing
// up or sideways, and fails. This object is the one place the allowed edges live: change the
// drawing in CONTRIBUTING.md and this object together.
//
// The rules are generated from GRAPH and from each package's package.json, and matched by
// dependency-cruiser against every import (type-only ones too) in every file of every
// workspace package: src (tests included), bench and bin. Targets are matched by package
// name, so the check gives the same answer whether or not the packages are built.
//
// Declared-but-unused dependencies are knip's half of the check: see ./knip.jsonc.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** @type {Record<string, string[]>} */
const GRAPH = {
  '@pixel-reasoner/train-app': [
    '@pixel-reasoner/trainer-sft',
    '@pixel-reasoner/trainer-grpo',
    '@pixel-reasoner/eval-benchmarks',
  ],
  '@pixel-reasoner/eval-app': ['@pixel-reasoner/eval-benchmarks'],
  '@pixel-reasoner/trainer-sft': ['@pixel-reasoner/trajectory-synth'],
  '@pixel-reasoner/trajectory-synth': ['@pixel-reasoner/scenes', '@pixel-reasoner/model-runtime'],
  '@pixel-reasoner/trainer-grpo': [
    '@pixel-reasoner/model-runtime',
    '@pixel-reasoner/rewards',
    '@pixel-reasoner/visual-ops',
    '@pixel-reasoner/scenes',
  ],
  '@pixel-reasoner/eval-benchmarks': [
    '@pixel-reasoner/model-runtime',
    '@pixel-reasoner/rewards',
    '@pixel-reasoner/visual-ops',
    '@pixel-reasoner/scenes',
  ],
  '@pixel-reasoner/tool-server': ['@pixel-reasoner/model-runtime', '@pixel-reasoner/visual-ops'],
  '@pixel-reasoner/model-runtime': ['@pixel-reasoner/visual-ops'],
  '@pixel-reasoner/test-utils': ['@pixel-reasoner/model-runtime'],
  '@pixel-reasoner/visual-ops': [],
  '@pixel-reasoner/scenes': [],
  '@pixel-reasoner/rewards': [],
};

/**
 * test-utils is private and never published: only test files may import it (as a
 * devDependency), from any package that is not below it.
 */
const TEST_UTILS = '@pixel-reasoner/test-utils';

/** Files that are not shipped: tests, their helpers and benches (see tsconfig.build.json, "files"). */
const DEV_FILE = '(\\.test\\.ts$|/test-helpers/|/__fixtures__/|^[^/]+/[^/]+/bench/)';

// The workspace, as pnpm-workspace.yaml lists it (the same walk as vitest.config.ts).
const root = process.cwd();
/** @type {{ name: string; dir: string; runtime: Set<string>; dev: Set<string> }[]} */
const workspace = [];
for (const group of ['packages', 'apps']) {
  if (!existsSync(join(root, group))) continue;
  for (const dir of readdirSync(join(root, group)).sort()) {
    const manifestPath = join(root, group, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const runtime = new Set(
      ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
        Object.keys(manifest[field] ?? {}),
      ),
    );
    workspace.push({
      name: manifest.name,
      dir: `${group}/${dir}`,
      runtime,
      dev: new Set(Object.keys(manifest.devDependencies ?? {})),
    });
  }
}

for (const { name, dir } of workspace) {
  if (!(name in GRAPH)) {
    throw new Error(
      `${dir}/package.json: ${name} is not in the package graph; add it to GRAPH in ` +
        'tools/package-graph/dependency-cruiser.mjs and to CONTRIBUTING.md ("Package graph")',
    );
  }
}

/** @param {string} name @returns {Set<string>} name and every package below it */
function below(name, seen = new Set()) {
  for (const next of GRAPH[name] ?? []) {
    if (!seen.has(next)) {
      seen.add(next);
      below(next, seen);
    }
  }
  return seen;
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/**
 * An import of one of `names`: the path it resolved to through a node_modules link or, when it
 * did not resolve (a package not built yet), the specifier itself.
 */
const importOf = (names) =>
  `(^|(^|/)node_modules/)(${[...names].map(escapeRegExp).sort().join('|')})(/|$)`;
// Every workspace package is in GRAPH (checked above).
const workspaceNames = Object.keys(GRAPH);
const describe = (names) => (names.size === 0 ? 'no workspace package' : [...names].join(', '));

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const forbidden = [];
for (const { name, dir, runtime, dev } of workspace) {
  const from = `^${escapeRegExp(dir)}/`;
  const allowed = below(name);
  const testsMayUseTestUtils = name !== TEST_UTILS && !below(TEST_UTILS).has(name);
  forbidden.push({
    name: `not-below:${name}`,
    severity: 'error',
    comment:
      `${name} may import only the packages below it in CONTRIBUTING.md's package graph: ` +
      `${describe(allowed)}${testsMayUseTestUtils ? ` (and ${TEST_UTILS} from tests)` : ''}.`,
    from: { path: from },
    to: {
      path: importOf(workspaceNames),
      pathNot: importOf(new Set([name, ...allowed, ...(testsMayUseTestUtils ? [TEST_UTILS] : [])])),
    },
  });
  forbidden.push({
    name: `undeclared:${name}`,
    severity: 'error',
    comment: `${dir}/package.json must declare every workspace package that ${name} imports.`,
    from: { path: from },
    to: {
      path: importOf(workspaceNames),
      pathNot: importOf(new Set([name, ...runtime, ...dev])),
    },
  });
  // (test-utils has a rule of its own, below.)
  const devOnly = workspaceNames.filter(
    (dep) => dev.has(dep) && !runtime.has(dep) && dep !== TEST_UTILS,
  );
  if (devOnly.length > 0) {
    forbidden.push({
      name: `dev-only:${name}`,
      severity: 'error',
      comment:
        `Shipped files of ${name} (not tests, test helpers or benches) import a workspace ` +
        `package that ${dir}/package.json declares only in devDependencies.`,
      from: { path: from, pathNot: DEV_FILE },
      to: { path: importOf(devOnly) },
    });
  }
}
forbidden.push(
  {
    name: 'test-utils-in-shipped-code',
    severity: 'error',
    comment: `${TEST_UTILS} is private and unpublished: only tests and test helpers may import it.`,
    from: { pathNot: DEV_FILE },
    to: { path: importOf([TEST_UTILS]) },
  },
  {
    name: 'into-another-package',
    severity: 'error',
    comment:
      'A relative import reaches into another workspace package; import it by its package name.',
    from: { path: '^(packages|apps)/([^/]+)/' },
    to: { path: '^(packages|apps)/', pathNot: '^$1/$2/' },
  },
);

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden,
  options: {
    // Workspace packages resolve through the importer's own node_modules (so an undeclared one
    // is visible as such) and are not followed into.
    preserveSymlinks: true,
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '^(packages|apps)/[^/]+/(dist|bench-results|coverage|\\.turbo)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
    },
    skipAnalysisNotInRules: true,
  },
};
