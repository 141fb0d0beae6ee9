import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources so tests never need a build first.
const root = import.meta.dirname;
const alias: { find: string | RegExp; replacement: string }[] = [];
for (const group of ['packages', 'apps']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const dir of readdirSync(groupDir)) {
    const manifestPath = join(groupDir, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name: string };
    const source = resolve(groupDir, dir, 'src');
    // `@scope/name/sub` -> `src/sub.ts` (subpath entries such as `./local` or `./internal`).
    const escaped = manifest.name.replace(/[/]/g, '\\/');
    alias.push({
      find: new RegExp(`^${escaped}/(?!package\\.json)(.+)$`),
      replacement: `${source}/$1.ts`,
    });
    alias.push({ find: new RegExp(`^${escaped}$`), replacement: join(source, 'index.ts') });
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
