import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  type Benchmark,
  benchmarksFromSpec,
  type CompareResult,
  compareResultFolders,
  EvalBenchmarksError,
  formatBenchmarkList,
  formatScoreWithInterval,
  headlineValue,
  type RunBenchmarksResult,
  runBenchmarks,
  writeFileAtomic,
} from '@pixel-reasoner/eval-benchmarks';
import {
  checkOpenAICompatibleServer,
  createMultiEndpointModel,
  createOpenAICompatibleModel,
  getPromptProfile,
  type ImageDetail,
  type MultiEndpointModel,
  redactSecrets,
  type VisionLanguageModelV1,
} from '@pixel-reasoner/model-runtime';
import type { CompareCliOptions, EvalCliOptions, ModelFlag, TfBackend } from './args.js';
import { CliUsageError } from './errors.js';

/** A model for the `--model` flag: an OpenAI-compatible client, or a TinyVLM checkpoint. */
export async function createModel(
  flag: ModelFlag,
  options: {
    backend?: TfBackend;
    concurrency?: number;
    fetch?: typeof globalThis.fetch;
    /** Default `OPENAI_API_KEY`, else `EMPTY`. */
    apiKey?: string;
    imageDetail?: ImageDetail;
    timeoutMs?: number;
    /** Several endpoints: how long a failed one stays out (default 30 s). */
    endpointCooldownMs?: number;
    /** Several endpoints: where warnings about unreachable ones go. */
    warn?: (text: string) => void;
  } = {},
): Promise<VisionLanguageModelV1 | MultiEndpointModel> {
  if (flag.kind === 'openai' && flag.baseURLs !== undefined) {
    return createEndpointSpread({ ...flag, baseURLs: flag.baseURLs }, options);
  }
  if (flag.kind === 'openai') {
    // One GET /models first: a dead server or a wrong model name stops here, not per item.
    await checkOpenAICompatibleServer({
      baseURL: flag.baseURL,
      model: flag.modelName,
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return createOpenAICompatibleModel({
      ...(options.fetch ? { fetch: options.fetch } : {}),
      baseURL: flag.baseURL,
      model: flag.modelName,
      maxConcurrency: options.concurrency,
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
      ...(options.imageDetail !== undefined ? { imageDetail: options.imageDetail } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  // The tfjs side loads only for checkpoints, so HTTP runs never initialise a backend.
  const local = await import('@pixel-reasoner/model-runtime/local');
  await local.selectBackend(options.backend ? { backend: options.backend } : {});
  // As in the train pipeline: a full context ends the turn (finish reason length) instead of
  // throwing, the way the reference force-terminates over-long rollouts.
  return local.endTurnOnFullContext(await local.loadCheckpoint(flag.path));
}

/**
 * Several replicas of one served model: each is checked once (`GET /models`); unreachable ones
 * start out of the rotation (the run goes ahead while one answers), while a refused key or an
 * unknown model name on any of them stops the run, since it is a mistake, not an outage.
 */
async function createEndpointSpread(
  flag: { baseURLs: string[]; modelName: string },
  options: Parameters<typeof createModel>[1] & {},
): Promise<MultiEndpointModel> {
  const checks = await Promise.allSettled(
    flag.baseURLs.map((baseURL) =>
      checkOpenAICompatibleServer({
        baseURL,
        model: flag.modelName,
        ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ),
  );
  const unavailable: string[] = [];
  checks.forEach((check, index) => {
    if (check.status === 'fulfilled') return;
    const error = check.reason as Error;
    if (error.name !== 'ModelServerUnreachableError') throw error;
    unavailable.push(flag.baseURLs[index]!);
    options.warn?.(
      `endpoint ${flag.baseURLs[index]} is unreachable, left out for now: ${error.message}\n`,
    );
  });
  if (unavailable.length === flag.baseURLs.length) {
    throw (checks[0] as PromiseRejectedResult).reason;
  }
  return createMultiEndpointModel({
    baseURLs: flag.baseURLs,
    model: flag.modelName,
    unavailable,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // Every endpoint may take all episodes in flight: the spread, not a per-endpoint cap, balances.
    maxConcurrency: options.concurrency,
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.imageDetail !== undefined ? { imageDetail: options.imageDetail } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.endpointCooldownMs !== undefined ? { cooldownMs: options.endpointCooldownMs } : {}),
  });
}

export interface EvalCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal?: AbortSignal;
  /** Injected for tests (the OpenAI client and the preflight). */
  fetch?: typeof globalThis.fetch;
  /** Progress lines instead of a bar, and their interval (tests). */
  progressIntervalMs?: number;
}

/** `git rev-parse HEAD` in `cwd`, or null when it is not a git checkout (or git is missing). */
export function gitCommit(cwd = process.cwd()): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd, timeout: 5000 }, (error, stdout) => {
      const commit = String(stdout).trim();
      resolve(error || !/^[0-9a-f]{40}$/.test(commit) ? null : commit);
    });
  });
}

/** `--bench list`: every registered benchmark with the data layout it expects. */
export function listBenchmarks(io: Pick<EvalCliIo, 'stdout'>): void {
  io.stdout(formatBenchmarkList());
}

function percent(value: number | null): string {
  return value === null ? '–' : (value * 100).toFixed(1);
}

/** `compare A B`: prints, per benchmark, both scores, B − A with its paired 95% interval and p-values. */
export async function runCompareCli(
  options: CompareCliOptions,
  io: Pick<EvalCliIo, 'stdout' | 'stderr'>,
): Promise<CompareResult> {
  const result = await compareResultFolders({
    a: options.a,
    b: options.b,
    bootstrapSamples: options.bootstrapSamples,
    seed: options.seed,
  });
  if (result.benchmarks.length === 0) {
    io.stderr(`compare: ${options.a} and ${options.b} share no benchmark\n`);
  }
  for (const entry of result.benchmarks) {
    const interval = entry.interval
      ? ` [${percent(entry.interval.low)}, ${percent(entry.interval.high)}]`
      : '';
    const mcnemar = entry.mcnemar
      ? `, McNemar p=${entry.mcnemar.pValue.toPrecision(3)} (A only ${entry.mcnemar.aOnly}, B only ${entry.mcnemar.bOnly})`
      : '';
    io.stdout(
      `${entry.benchmark}: A ${percent(entry.scoreA)}, B ${percent(entry.scoreB)}, B−A ${percent(entry.difference)}${interval} (n=${entry.n} paired, ${entry.aggregation}; bootstrap p=${entry.bootstrapPValue === null ? '–' : entry.bootstrapPValue.toPrecision(3)}${mcnemar})\n`,
    );
    if (entry.onlyInA + entry.onlyInB > 0) {
      io.stderr(
        `${entry.benchmark}: ${entry.onlyInA} item(s) only in A and ${entry.onlyInB} only in B are left out\n`,
      );
    }
  }
  for (const difference of result.settingsDifferences) {
    io.stderr(`compare: settings differ: ${difference}\n`);
  }
  if (options.out) {
    await writeFileAtomic(options.out, `${JSON.stringify(result, null, 2)}\n`);
    io.stdout(`wrote ${options.out}\n`);
  }
  return result;
}

/** Items without a result over all benchmarks of a run (they make the exit code 1). */
export function failedItems(result: RunBenchmarksResult): number {
  return Object.values(result.summary).reduce((sum, entry) => sum + entry.failed, 0);
}

/** Runs the parsed command line: builds the model and benchmarks, runs them, prints a summary. */
export async function runEvalCli(
  options: EvalCliOptions,
  io: EvalCliIo,
): Promise<RunBenchmarksResult> {
  const profile = getPromptProfile(options.profile);
  // A spec that names no benchmark is a usage error (exit 2), found before any model loads.
  const benchmarks: Benchmark[] = options.benchmarks.flatMap((spec) => {
    try {
      return benchmarksFromSpec(spec, {
        proceduralItemsPerFamily: options.proceduralItemsPerFamily,
        proceduralStartSeed: options.proceduralStartSeed,
        ...(options.inputPixels || options.imageEncoding
          ? {
              media: {
                ...(options.inputPixels ? { inputPixels: options.inputPixels } : {}),
                ...(options.imageEncoding ? { inputEncoding: options.imageEncoding } : {}),
              },
            }
          : {}),
      });
    } catch (error) {
      if (EvalBenchmarksError.isInstance(error))
        throw new CliUsageError(`--bench ${spec}: ${error.message}`);
      throw error;
    }
  });
  const secrets = [process.env.OPENAI_API_KEY, options.apiKey];
  const redact = (text: string) => redactSecrets(text, secrets);
  const appVersion = (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
  const model = await createModel(options.model, {
    backend: options.backend,
    concurrency: options.concurrency,
    ...(io.fetch ? { fetch: io.fetch } : {}),
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.imageDetail !== undefined ? { imageDetail: options.imageDetail } : {}),
    ...(options.requestTimeoutMs !== undefined ? { timeoutMs: options.requestTimeoutMs } : {}),
    ...(options.endpointCooldownMs !== undefined
      ? { endpointCooldownMs: options.endpointCooldownMs }
      : {}),
    warn: io.stderr,
  });
  const endpointStats = 'endpointStats' in model ? () => model.endpointStats() : undefined;
  // Settings of the HTTP requests that can move scores; the key is never among them.
  const requestSettings: Record<string, string | number> = {
    ...(options.imageDetail !== undefined ? { imageDetail: options.imageDetail } : {}),
    ...(options.requestTimeoutMs !== undefined ? { timeoutMs: options.requestTimeoutMs } : {}),
  };
  const result = await runBenchmarks({
    model,
    ...(endpointStats ? { endpointStats } : {}),
    benchmarks,
    outDir: options.outDir,
    profile,
    concurrency: options.concurrency,
    limit: options.limit,
    shard: options.shard,
    optionOrder: options.optionOrder,
    repeats: options.repeats,
    counterfactual: options.counterfactual,
    ...(options.imageHistory ? { imageHistory: options.imageHistory } : {}),
    ...(Object.keys(requestSettings).length > 0 ? { requestSettings } : {}),
    ...(options.cropPixels || options.imageEncoding
      ? {
          toolOptions: {
            ...(options.cropPixels?.minPixels !== undefined
              ? { cropMinPixels: options.cropPixels.minPixels }
              : {}),
            ...(options.cropPixels?.maxPixels !== undefined
              ? { cropMaxPixels: options.cropPixels.maxPixels }
              : {}),
            ...(options.imageEncoding ? { cropEncoding: options.imageEncoding } : {}),
          },
        }
      : {}),
    ...(options.temperature !== undefined ||
    options.topP !== undefined ||
    options.seed !== undefined
      ? {
          sampling: {
            ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
            ...(options.topP !== undefined ? { topP: options.topP } : {}),
            ...(options.seed !== undefined ? { seed: options.seed } : {}),
          },
        }
      : {}),
    provenance: {
      gitCommit: await gitCommit(),
      packages: { '@pixel-reasoner/eval-app': appVersion },
    },
    limits:
      options.maxTokensPerTurn !== undefined || options.maxOperations !== undefined
        ? {
            ...(options.maxTokensPerTurn !== undefined
              ? { maxTokensPerTurn: options.maxTokensPerTurn }
              : {}),
            ...(options.maxOperations !== undefined
              ? { maxOperations: options.maxOperations }
              : {}),
          }
        : undefined,
    progress: options.progress ? (io.progressIntervalMs !== undefined ? 'lines' : 'auto') : false,
    ...(io.progressIntervalMs !== undefined
      ? { progressIntervalMs: io.progressIntervalMs, progressWrite: io.stderr }
      : {}),
    redact: secrets.filter((secret): secret is string => secret !== undefined),
    signal: io.signal,
    onEvent: (event) => {
      if (event.type === 'benchmark-load' && event.missingMedia > 0) {
        io.stderr(`${event.benchmark}: ${event.missingMedia} items skipped for missing media\n`);
      }
    },
  });
  for (const [name, entry] of Object.entries(result.summary)) {
    const value = headlineValue(entry);
    const split = (label: string, part: typeof entry.needsOperation) =>
      part ? `, ${label} ${formatScoreWithInterval(part.score, part.interval)} (n=${part.n})` : '';
    const avgAtK = entry.avgAtK
      ? `, Avg@${entry.avgAtK.k} ${formatScoreWithInterval(entry.avgAtK.score, entry.avgAtK.interval)}`
      : '';
    io.stdout(
      `${name}: ${entry.metric} ${formatScoreWithInterval(value, entry.interval)}${avgAtK} (n=${entry.n}` +
        `, RaPR ${entry.rapr === null ? '–' : (entry.rapr * 100).toFixed(1)}` +
        `, well-formed calls ${entry.wellFormedRate === null ? '–' : (entry.wellFormedRate * 100).toFixed(1)}` +
        split('needs operation', entry.needsOperation) +
        split('answerable', entry.answerable) +
        `${entry.failed > 0 ? `, failed ${entry.failed}` : ''}` +
        `${entry.missingMedia.length > 0 ? `, missing media ${entry.missingMedia.length}` : ''})\n`,
    );
    const failures = entry.failures ?? [];
    for (const failure of failures.slice(0, 5)) {
      io.stderr(`${name}: failed ${failure.itemId}: ${redact(failure.error)}\n`);
    }
    if (failures.length > 5)
      io.stderr(`${name}: … ${failures.length - 5} more failures in summary.json\n`);
  }
  for (const stats of endpointStats?.() ?? []) {
    io.stdout(
      `endpoint ${stats.url}: ${stats.succeeded} answered, ${stats.failed} failed, taken out ${stats.timesTakenOut}×${stats.available ? '' : ' (out now)'}\n`,
    );
  }
  io.stdout(
    `wrote ${result.files.results}, ${result.files.summary}, ${result.files.markdown}, ${result.files.html}\n`,
  );
  return result;
}
