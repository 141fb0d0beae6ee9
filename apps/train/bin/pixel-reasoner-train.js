#!/usr/bin/env node
// Checked-in entry point of the `pixel-reasoner-train` bin. pnpm links bins at install time, before
// `pnpm build` has made dist/ (a bin pointing into dist/ gets "Failed to create bin" warnings
// and no link), so the bin is this file, which runs the built CLI (as pnpm's own bin does).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  console.error('pixel-reasoner-train: dist/cli.js is missing; run `pnpm build` first');
  process.exit(1);
}
await import(built.href);
