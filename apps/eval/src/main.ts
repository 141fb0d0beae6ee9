import { readFileSync } from 'node:fs';
import { redactSecrets } from '@pixel-reasoner/model-runtime';
import { parseCompareArgs, parseEvalArgs, USAGE } from './args.js';
import { CliUsageError } from './errors.js';
import { failedItems, listBenchmarks, runCompareCli, runEvalCli } from './run.js';

/** The version of this app, from its package.json. */
export function evalAppVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * The CLI entry: returns the exit code (0 every item has a result, 1 a run error or items without
 * a result, 2 usage error).
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'compare') return compareMain(argv.slice(1));
  let options: ReturnType<typeof parseEvalArgs>;
  try {
    options = parseEvalArgs(argv);
  } catch (error) {
    if (!CliUsageError.isInstance(error)) throw error;
    process.stderr.write(`pixel-reasoner-eval: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`pixel-reasoner-eval ${evalAppVersion()}\n`);
    return 0;
  }
  if (options.listBenchmarks) {
    listBenchmarks({ stdout: (text) => process.stdout.write(text) });
    return 0;
  }
  const redact = (text: string) =>
    redactSecrets(text, [process.env.OPENAI_API_KEY, options.apiKey]);
  // Ctrl-C stops handing out items; finished ones are already on disk for the next run.
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const result = await runEvalCli(options, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(redact(text)),
      signal: controller.signal,
    });
    const failed = failedItems(result);
    if (failed > 0) {
      process.stderr.write(
        `pixel-reasoner-eval: ${failed} item(s) have no result (see failures in ${result.files.summary}); rerun with the same --out to retry them\n`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    if (CliUsageError.isInstance(error)) {
      process.stderr.write(`pixel-reasoner-eval: ${error.message}\n`);
      return 2;
    }
    // Typed errors name their input, so name and message are the report; DEBUG adds the stack.
    if (!(error instanceof Error)) throw error;
    process.stderr.write(redact(`pixel-reasoner-eval: ${error.name}: ${error.message}\n`));
    if (process.env.DEBUG) process.stderr.write(redact(`${error.stack}\n`));
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** `pixel-reasoner-eval compare A B`: exit 0 when compared, 1 for unreadable folders, 2 usage. */
async function compareMain(argv: readonly string[]): Promise<number> {
  try {
    await runCompareCli(parseCompareArgs(argv), {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    });
    return 0;
  } catch (error) {
    if (CliUsageError.isInstance(error)) {
      process.stderr.write(`pixel-reasoner-eval: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (!(error instanceof Error)) throw error;
    process.stderr.write(`pixel-reasoner-eval compare: ${error.name}: ${error.message}\n`);
    return 1;
  }
}
