import { readFileSync } from 'node:fs';
import { selectBackend } from '@pixel-reasoner/model-runtime/local';
import { parseTrainArgs, USAGE } from './args.js';
import { loadConfig } from './config.js';
import { CliUsageError, TrainAppError } from './errors.js';
import { runPipeline } from './pipeline.js';

export interface MainIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: MainIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** The CLI entry: returns the exit code (0 ok, 1 run error, 2 usage or config error). */
export async function main(argv: readonly string[], io: MainIo = processIo): Promise<number> {
  let options: ReturnType<typeof parseTrainArgs>;
  try {
    options = parseTrainArgs(argv);
  } catch (error) {
    if (!CliUsageError.isInstance(error)) throw error;
    io.stderr(`pixel-reasoner-train: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (options.version) {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    io.stdout(`pixel-reasoner-train ${(manifest as { version: string }).version}\n`);
    return 0;
  }
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(options.configFile, options.overrides);
  } catch (error) {
    if (!(TrainAppError.isInstance(error) && error instanceof Error)) throw error;
    io.stderr(`pixel-reasoner-train: ${error.message}\n`);
    return 2;
  }
  // Ctrl-C lets the running stage checkpoint; the same command resumes it.
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const backend = await selectBackend(config.backend ? { backend: config.backend } : {});
    io.stdout(
      `pixel-reasoner-train ${options.command}: tfjs backend ${backend.name}, out ${options.outDir}\n`,
    );
    const result = await runPipeline(options.command, config, options.outDir, {
      log: (line) => io.stdout(`${line}\n`),
      command: ['pixel-reasoner-train', ...argv].join(' '),
      signal: controller.signal,
      progress: options.progress,
    });
    const total = result.stages.reduce((sum, stage) => sum + stage.seconds, 0);
    io.stdout(`done: ${result.report} (${total.toFixed(0)} s of stage time)\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    io.stderr(`pixel-reasoner-train: ${error.name}: ${error.message}\n`);
    if (process.env.DEBUG) io.stderr(`${error.stack}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
