#!/usr/bin/env node
import { InvalidOptionError, TrajectorySynthError } from './errors.js';
import { runSynthCli } from './run-synth-cli.js';

try {
  await runSynthCli(process.argv.slice(2));
} catch (error) {
  if (TrajectorySynthError.isInstance(error)) {
    process.stderr.write(`pixel-reasoner-synth: ${error.name}: ${error.message}\n`);
    // 2 for a usage error, 1 for a typed failure of the run (an unwritable --out, bad seed data).
    process.exitCode = error instanceof InvalidOptionError ? 2 : 1;
  } else {
    throw error;
  }
}
