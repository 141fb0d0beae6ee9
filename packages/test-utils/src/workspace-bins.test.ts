import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Manifest {
  name: string;
  bin?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifests = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group))
    .filter((dir) => existsSync(join(root, group, dir, 'package.json')))
    .map((dir) => ({
      dir: join(root, group, dir),
      manifest: JSON.parse(
        readFileSync(join(root, group, dir, 'package.json'), 'utf8'),
      ) as Manifest,
    })),
);
const withBins = manifests.filter((entry) => entry.manifest.bin !== undefined);

describe('workspace bins', () => {
  it('covers every CLI of the repository', () => {
    expect(withBins.flatMap((entry) => Object.keys(entry.manifest.bin ?? {})).sort()).toEqual([
      'pixel-reasoner-eval',
      'pixel-reasoner-serve',
      'pixel-reasoner-synth',
      'pixel-reasoner-tool-server',
      'pixel-reasoner-train',
    ]);
  });

  it.each(withBins.map((entry) => [entry.manifest.name, entry] as const))(
    '%s: each bin is a checked-in executable that runs a built file of its sources',
    (_name, { dir, manifest }) => {
      for (const [bin, target] of Object.entries(manifest.bin ?? {})) {
        // Not under dist/: pnpm links bins at install time, before any build.
        expect(target, bin).not.toMatch(/^(\.\/)?dist\//);
        const file = join(dir, target);
        expect(existsSync(file), `${bin} → ${target}`).toBe(true);
        accessSync(file, constants.X_OK);
        const text = readFileSync(file, 'utf8');
        expect(text.startsWith('#!/usr/bin/env node\n'), bin).toBe(true);
        const built = /new URL\('\.\.\/(dist\/[^']+)\.js', import\.meta\.url\)/.exec(text)?.[1];
        expect(built, `${bin} runs a file in dist/`).toBeDefined();
        const source = join(dir, `${built!.replace(/^dist\//, 'src/')}.ts`);
        expect(existsSync(source), `${relative(root, source)} builds ${built}.js`).toBe(true);
      }
    },
  );

  it('are reachable with `pnpm exec` from the repository root', () => {
    const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
    for (const { manifest } of withBins) {
      expect(rootManifest.devDependencies?.[manifest.name], manifest.name).toBe('workspace:*');
    }
  });
});
