import { join } from 'node:path';
import {
  describeImageHistory,
  type EndpointStats,
  type EpisodeLimits,
  type EpisodeSampling,
  type EpisodeTurn,
  getPromptProfile,
  type ImageHistoryPolicy,
  type PromptProfile,
  REFERENCE_LIMITS,
  redactSecrets,
  runEpisode,
  type VisionLanguageModelV1,
} from '@pixel-reasoner/model-runtime';
import {
  type ExecuteToolOptions,
  isWellFormedToolCall,
  REFERENCE_EVAL_OPTIONS,
} from '@pixel-reasoner/visual-ops';
import cliProgress from 'cli-progress';
import { InvalidRunOptionsError } from './errors.js';
import type { PromptMedia } from './media.js';
import { ProgressLines } from './progress-lines.js';
import { applyOptionOrder, describeOptionOrder, type OptionOrder } from './protocol.js';
import { type RunProvenance, scoringPackageVersions } from './provenance.js';
import { renderHtmlReport } from './report/html.js';
import { renderMarkdownReport } from './report/markdown.js';
import { type EpisodeRecord, type ResultRecord, resultKey, type StoredImage } from './results.js';
import {
  finishedKeys,
  MediaStore,
  ResultsWriter,
  readResults,
  writeFileAtomic,
} from './results-store.js';
import { pinRunSettings, type RunSettings, scoringSettings } from './run-settings.js';
import { isScorable } from './scoring.js';
import { type ItemFailure, type RunSummary, summarizeBenchmark } from './summary.js';
import type { Benchmark, BenchmarkItem, BenchmarkSettings, MissingMedia } from './types.js';

/** A tool option as a recorded setting: scalars as they are, objects (crop encoding) as JSON. */
function toolSetting(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return value as string | number | boolean;
}

export interface Shard {
  /** 0-based shard index. */
  index: number;
  count: number;
}

export type RunEvent =
  | { type: 'benchmark-load'; benchmark: string; items: number; missingMedia: number }
  | { type: 'item-end'; benchmark: string; id: string; score: number | null }
  /** The item has no result (server, network or media failure); it is retried by the next run. */
  | { type: 'item-error'; benchmark: string; id: string; error: unknown };

export interface RunBenchmarksOptions {
  model: VisionLanguageModelV1;
  /**
   * Per-endpoint counts of a model spread over several endpoints (`MultiEndpointModel`'s
   * `endpointStats`), recorded with every benchmark in summary.json as `endpoints`.
   */
  endpointStats?: () => readonly EndpointStats[];
  benchmarks: readonly Benchmark[];
  /** Receives results.jsonl, summary.json, report.md, report.html and media/. */
  outDir: string;
  /** A prompt profile or its id (default `pixel-reasoner-v1`). */
  profile?: PromptProfile | string;
  /** Episodes in flight at once (default 4). */
  concurrency?: number;
  /** Items per benchmark, taken from the start before sharding (so shards split the same set). */
  limit?: number;
  /** Run only items whose position modulo `count` equals `index`. */
  shard?: Shard;
  sampling?: EpisodeSampling;
  limits?: EpisodeLimits;
  toolOptions?: ExecuteToolOptions;
  /** Which operation images each request shows (default `keep-all`); recorded and pinned. */
  imageHistory?: ImageHistoryPolicy;
  /**
   * Settings of the model backend's requests that can move scores (say `imageDetail`,
   * `timeoutMs`), recorded in summary.json as `request.*` and pinned in run.json. Never a secret.
   */
  requestSettings?: Record<string, string | number | boolean | null>;
  /** Items per benchmark whose images are kept under media/ for the trajectory viewer (default 20). */
  trajectoryImages?: number;
  /** Trajectories shown per benchmark in report.html (default 12). */
  reportTrajectories?: number;
  /**
   * Progress on stderr: `auto` (default) draws a bar when stderr is a terminal and prints plain
   * lines (at least every `progressIntervalMs`) when it is not; `lines` always prints lines,
   * `true` always draws the bar, `false` prints nothing.
   */
  progress?: boolean | 'auto' | 'lines';
  /** Longest gap between progress lines (default 30 000 ms). */
  progressIntervalMs?: number;
  /** Where progress goes (default stderr). */
  progressWrite?: (text: string) => void;
  /**
   * Secrets (API keys) to replace with `[redacted]` in every error text the run writes
   * (summary.json, reports, events).
   */
  redact?: readonly string[];
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /**
   * Option order of multiple-choice items: as loaded (default), shuffled with a seed, or circular
   * (every rotation asked; correct only if all are). Pinned in run.json.
   */
  optionOrder?: OptionOrder;
  /**
   * Runs of every item (default 1). Repeat r samples with seed `sampling.seed + r` (base 0), and
   * the summary reports Avg@k with a 95% interval.
   */
  repeats?: number;
  /**
   * `blank-crops`: every image an operation returns is a uniform gray image of the same size
   * (visual-ops `observationImages: 'blank'`), which tells whether the tools' pixels help.
   */
  counterfactual?: 'none' | 'blank-crops';
  /** Git commit and further package versions recorded in summary.json (the scoring packages' are added). */
  provenance?: { gitCommit?: string | null; packages?: Record<string, string> };
  /** Clock for the summary's date (default `new Date()`). */
  now?: () => Date;
}

/** Settings beside the benchmarks' own that move scores and go into every summary entry. */
function protocolSettings(
  options: RunBenchmarksOptions,
  profile: PromptProfile,
  provenance: RunProvenance,
): BenchmarkSettings {
  const sampling = options.sampling ?? {};
  const limits = { ...REFERENCE_LIMITS, ...profile.limits, ...options.limits };
  const tools = { ...REFERENCE_EVAL_OPTIONS, ...profile.toolOptions, ...toolOptionsOf(options) };
  const repeats = options.repeats ?? 1;
  const settings: BenchmarkSettings = {
    model: options.model.modelId,
    profile: profile.id,
    temperature: sampling.temperature ?? 0,
    'sampling.laterTurnTemperature': sampling.laterTurnTemperature ?? sampling.temperature ?? 0,
    'sampling.topP': sampling.topP ?? null,
    'sampling.topK': sampling.topK ?? null,
    'sampling.seed': sampling.seed ?? null,
    maxOperations: limits.maxOperations,
    'limits.maxImages': limits.maxImages,
    'limits.maxTotalTokens': limits.maxTotalTokens,
    'limits.maxTokensPerTurn': limits.maxTokensPerTurn,
    imageHistory: describeImageHistory(options.imageHistory),
    toolProtocol: profile.toolProtocol ?? 'text',
    optionOrder: describeOptionOrder(options.optionOrder ?? { kind: 'original' }),
    answerMatching: 'letter or option text',
    repeats,
    seeds: repeats > 1 ? repeatSeeds(options).join(',') : (sampling.seed ?? null),
    counterfactual: options.counterfactual ?? 'none',
    limit: options.limit ?? null,
    shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null,
    'provenance.date': provenance.date,
    'provenance.gitCommit': provenance.gitCommit,
  };
  for (const [key, value] of Object.entries(tools)) settings[`tools.${key}`] = toolSetting(value);
  for (const [key, value] of Object.entries(options.requestSettings ?? {})) {
    settings[`request.${key}`] = value;
  }
  for (const [name, version] of Object.entries(provenance.packages)) {
    settings[`version.${name}`] = version;
  }
  return settings;
}

function repeatSeeds(options: RunBenchmarksOptions): number[] {
  const base = options.sampling?.seed ?? 0;
  return Array.from({ length: options.repeats ?? 1 }, (_, repeat) => base + repeat);
}

function toolOptionsOf(options: RunBenchmarksOptions): ExecuteToolOptions | undefined {
  if ((options.counterfactual ?? 'none') === 'none') return options.toolOptions;
  return { ...options.toolOptions, observationImages: 'blank' };
}

export interface RunBenchmarksResult {
  summary: RunSummary;
  /** Every result of the selected items, earlier runs included. */
  records: ResultRecord[];
  files: { results: string; summary: string; markdown: string; html: string };
}

/** Items selected by `limit` (first) and `shard` (then), in file order. */
export function selectItems<T>(
  items: readonly T[],
  options: { limit?: number; shard?: Shard },
): T[] {
  const limited = options.limit === undefined ? items : items.slice(0, options.limit);
  const shard = options.shard;
  return shard ? limited.filter((_, index) => index % shard.count === shard.index) : [...limited];
}

export function validateRunOptions(options: {
  concurrency?: number;
  limit?: number;
  shard?: Shard;
  repeats?: number;
  counterfactual?: string;
}): void {
  const { concurrency, limit, shard, repeats, counterfactual } = options;
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) {
    throw new InvalidRunOptionsError(`repeats must be an integer ≥ 1, got ${repeats}`);
  }
  if (
    counterfactual !== undefined &&
    counterfactual !== 'none' &&
    counterfactual !== 'blank-crops'
  ) {
    throw new InvalidRunOptionsError(
      `counterfactual must be none or blank-crops, got "${counterfactual}"`,
    );
  }
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new InvalidRunOptionsError(`concurrency must be an integer ≥ 1, got ${concurrency}`);
  }
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new InvalidRunOptionsError(`limit must be an integer ≥ 0, got ${limit}`);
  }
  if (shard !== undefined) {
    if (!(Number.isInteger(shard.count) && shard.count >= 1)) {
      throw new InvalidRunOptionsError(`shard count must be an integer ≥ 1, got ${shard.count}`);
    }
    if (!(Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
      throw new InvalidRunOptionsError(
        `shard index must be an integer in [0, ${shard.count - 1}], got ${shard.index}`,
      );
    }
  }
}

interface PendingItem {
  benchmark: Benchmark;
  item: BenchmarkItem;
  keepImages: boolean;
  repeat: number;
}

async function storeImages(
  store: MediaStore,
  images: readonly {
    data: Uint8Array;
    mediaType: 'image/png' | 'image/jpeg';
    width: number;
    height: number;
  }[],
  keep: boolean,
): Promise<StoredImage[]> {
  return Promise.all(
    images.map((image) => (keep ? store.save(image) : Promise.resolve(MediaStore.describe(image)))),
  );
}

interface EpisodeSoFar {
  finalAnswer: string;
  turns: readonly EpisodeTurn[];
  operationsAttempted: number;
  operationsValid: number;
}

async function episodeRecord(
  store: MediaStore,
  media: readonly PromptMedia[],
  episode: EpisodeSoFar,
  keep: boolean,
): Promise<EpisodeRecord> {
  const isVideo = media[0]?.type === 'video';
  const inputs = media.flatMap((entry) => (entry.type === 'image' ? [entry.image] : entry.frames));
  const steps = [];
  // Items target_image may name: the prompt's images (a video is one item) plus observations.
  let visualItems = isVideo ? 1 : inputs.length;
  for (const turn of episode.turns) {
    const operation = turn.operation;
    const wellFormed =
      operation?.name !== undefined &&
      isWellFormedToolCall(
        { name: operation.name, arguments: operation.arguments },
        isVideo
          ? { frameCount: inputs.length, ...(visualItems > 1 ? { imageCount: visualItems } : {}) }
          : { imageCount: visualItems },
      );
    steps.push({
      text: turn.text,
      ...(operation
        ? {
            operation: {
              name: operation.name ?? '(unreadable tool call)',
              arguments: operation.arguments ?? operation.payload,
              valid: operation.valid,
              wellFormed,
              ...(operation.valid
                ? {}
                : { error: operation.error ?? 'not executed: an episode limit was reached' }),
            },
          }
        : {}),
      images: await storeImages(store, turn.imagesAdded, keep),
    });
    visualItems += turn.imagesAdded.length;
  }
  return {
    inputImages: await storeImages(store, inputs, keep),
    isVideo,
    steps,
    finalOutput: episode.finalAnswer,
    operationsAttempted: episode.operationsAttempted,
    operationsValid: episode.operationsValid,
    usedPixelReasoning: episode.operationsValid > 0,
  };
}

/** The episode as far as it got before something threw, from its finished turns. */
function partialEpisode(turns: readonly EpisodeTurn[]): EpisodeSoFar {
  return {
    finalAnswer: turns.at(-1)?.text ?? '',
    turns,
    operationsAttempted: turns.filter((turn) => turn.operation !== undefined).length,
    operationsValid: turns.filter((turn) => turn.operation?.valid === true).length,
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/** The run settings pinned in the output folder (see `pinRunSettings`). */
function requestedSettings(options: RunBenchmarksOptions, profile: PromptProfile): RunSettings {
  const sampling = options.sampling ?? {};
  const limits = { ...REFERENCE_LIMITS, ...profile.limits, ...options.limits };
  const tools = { ...REFERENCE_EVAL_OPTIONS, ...profile.toolOptions, ...toolOptionsOf(options) };
  const run: RunSettings['run'] = {
    'sampling.temperature': sampling.temperature ?? 0,
    'sampling.laterTurnTemperature': sampling.laterTurnTemperature ?? sampling.temperature ?? 0,
    'sampling.topP': sampling.topP ?? null,
    'sampling.topK': sampling.topK ?? null,
    'sampling.seed': sampling.seed ?? null,
  };
  for (const [key, value] of Object.entries(limits)) run[`limits.${key}`] = value ?? null;
  for (const [key, value] of Object.entries(tools)) run[`tools.${key}`] = toolSetting(value);
  const order = options.optionOrder ?? { kind: 'original' };
  // Only when set, so folders written before option orders existed still resume.
  if (order.kind !== 'original') run['protocol.optionOrder'] = describeOptionOrder(order);
  const imageHistory = describeImageHistory(options.imageHistory);
  if (imageHistory !== 'keep-all') run['protocol.imageHistory'] = imageHistory;
  for (const [key, value] of Object.entries(options.requestSettings ?? {})) {
    run[`request.${key}`] = value;
  }
  return {
    model: options.model.modelId,
    profile: profile.id,
    run,
    benchmarks: Object.fromEntries(
      options.benchmarks.map((benchmark) => [benchmark.name, scoringSettings(benchmark.settings)]),
    ),
  };
}

/**
 * Runs benchmarks against a model and writes the reports. Each finished item is appended to
 * `results.jsonl` (one synced line) as soon as it is scored; a rerun with the same output folder
 * skips finished items, so an interrupted run resumes where it stopped. The folder pins the run's
 * settings in `run.json`; resuming with another model, profile or setting throws
 * `RunSettingsMismatchError`.
 *
 * What an item's failure means depends on where it happens. A failure of the model call itself
 * (connection refused, HTTP 401, 5xx after retries) or of the item's media leaves the item without
 * a result: it is listed under `failures`, counted in `failed`, and retried by the next run. A
 * throw after the model answered (on its own output) scores the item 0, keeps it in `n` and is
 * counted in `modelErrors`.
 */
export async function runBenchmarks(options: RunBenchmarksOptions): Promise<RunBenchmarksResult> {
  validateRunOptions(options);
  const concurrency = options.concurrency ?? 4;
  const profile =
    typeof options.profile === 'string' || options.profile === undefined
      ? getPromptProfile(options.profile ?? 'pixel-reasoner-v1')
      : options.profile;
  const keepImages = options.trajectoryImages ?? 20;
  const repeats = options.repeats ?? 1;
  const seeds = repeatSeeds(options);
  const toolOptions = toolOptionsOf(options);
  const redact = (text: string) => redactSecrets(text, options.redact ?? []);
  const resultsFile = join(options.outDir, 'results.jsonl');
  const previous = await readResults(resultsFile);
  await pinRunSettings({
    outDir: options.outDir,
    requested: requestedSettings(options, profile),
    previous,
  });
  const done = finishedKeys(previous);
  const writer = await ResultsWriter.open(resultsFile);
  const store = new MediaStore(options.outDir);

  const selections = new Map<string, { items: BenchmarkItem[]; missingMedia: MissingMedia[] }>();
  const pending: PendingItem[] = [];
  for (const benchmark of options.benchmarks) {
    if (selections.has(benchmark.name)) {
      throw new InvalidRunOptionsError(`benchmark "${benchmark.name}" is listed twice`);
    }
    const loaded = await benchmark.load();
    const items = applyOptionOrder(
      selectItems(loaded.items, options),
      options.optionOrder ?? { kind: 'original' },
      benchmark.name,
    );
    selections.set(benchmark.name, { items, missingMedia: loaded.missingMedia });
    options.onEvent?.({
      type: 'benchmark-load',
      benchmark: benchmark.name,
      items: items.length,
      missingMedia: loaded.missingMedia.length,
    });
    for (let repeat = 0; repeat < repeats; repeat++) {
      items.forEach((item, index) => {
        if (!done.has(resultKey(benchmark.name, item.id, repeat))) {
          pending.push({ benchmark, item, keepImages: repeat === 0 && index < keepImages, repeat });
        }
      });
    }
  }

  const progressMode = options.progress ?? 'auto';
  const isTerminal = process.stderr.isTTY === true;
  const bar =
    progressMode === true || (progressMode === 'auto' && isTerminal)
      ? new cliProgress.SingleBar(
          {
            format: 'eval {bar} {value}/{total} | {benchmark} | eta {eta_formatted}',
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(pending.length, 0, { benchmark: '' });
  const lines =
    progressMode === 'lines' || (progressMode === 'auto' && !isTerminal)
      ? new ProgressLines({
          total: pending.length,
          write: options.progressWrite ?? ((text) => process.stderr.write(text)),
          intervalMs: options.progressIntervalMs,
        })
      : undefined;

  const fresh: ResultRecord[] = [];
  const failures = new Map<string, ItemFailure[]>();
  let next = 0;
  const worker = async () => {
    while (next < pending.length && !options.signal?.aborted) {
      const { benchmark, item, keepImages: keep, repeat } = pending[next++]!;
      const sampling =
        repeats > 1 ? { ...options.sampling, seed: seeds[repeat]! } : options.sampling;
      const started = Date.now();
      // Which side failed decides whether the item counts: see runBenchmarks' comment.
      let modelCallFailed = false;
      const turns: EpisodeTurn[] = [];
      let prompt: Awaited<ReturnType<Benchmark['buildPrompt']>> | undefined;
      const model: VisionLanguageModelV1 = Object.create(options.model, {
        doGenerate: {
          value: async (generate: Parameters<VisionLanguageModelV1['doGenerate']>[0]) => {
            try {
              return await options.model.doGenerate(generate);
            } catch (error) {
              modelCallFailed = true;
              throw error;
            }
          },
        },
      });
      const base = {
        benchmark: benchmark.name,
        id: item.id,
        category: item.category,
        metric: benchmark.metric,
        groundTruth: item.groundTruth,
        question: item.question,
        needsOperation: item.needsOperation ?? null,
        model: options.model.modelId,
        profile: profile.id,
        ...(item.groups ? { groups: item.groups } : {}),
        ...(item.variantOf !== undefined ? { variantOf: item.variantOf } : {}),
        ...(repeats > 1 ? { repeat, seed: sampling?.seed ?? null } : {}),
      };
      let record: ResultRecord | undefined;
      try {
        prompt = await benchmark.buildPrompt(item);
        const episode = await runEpisode({
          model,
          profile,
          question: prompt.question,
          media: prompt.media,
          sampling,
          limits: options.limits,
          toolOptions,
          ...(options.imageHistory ? { imageHistory: options.imageHistory } : {}),
          signal: options.signal,
          onEvent: (event) => {
            if (event.type === 'turn-end') turns.push(event.turn);
          },
        });
        if (episode.stopReason === 'abort') break;
        const extracted = benchmark.extract(episode.finalAnswer, item);
        const score = isScorable(item)
          ? benchmark.score(extracted, item, episode.finalAnswer)
          : null;
        record = {
          ...base,
          score,
          extracted,
          episode: await episodeRecord(store, prompt.media, episode, keep),
          durationMs: Date.now() - started,
        };
      } catch (error) {
        if (options.signal?.aborted) break;
        if (prompt === undefined || modelCallFailed) {
          const list = failures.get(benchmark.name) ?? [];
          list.push({ itemId: item.id, error: redact(errorText(error)) });
          failures.set(benchmark.name, list);
          options.onEvent?.({ type: 'item-error', benchmark: benchmark.name, id: item.id, error });
        } else {
          record = {
            ...base,
            score: isScorable(item) ? 0 : null,
            extracted: null,
            episode: await episodeRecord(store, prompt.media, partialEpisode(turns), keep),
            durationMs: Date.now() - started,
            error: redact(errorText(error)),
          };
        }
      }
      if (record) {
        await writer.append(record);
        fresh.push(record);
        options.onEvent?.({
          type: 'item-end',
          benchmark: benchmark.name,
          id: repeat === 0 ? item.id : `${item.id}@${repeat}`,
          score: record.score,
        });
      }
      bar?.increment(1, { benchmark: benchmark.name });
      lines?.increment(benchmark.name);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, Math.max(pending.length, 1)) }, worker),
    );
  } finally {
    bar?.stop();
    lines?.stop();
  }

  const all = [...previous, ...fresh];
  const provenance: RunProvenance = {
    date: (options.now ?? (() => new Date()))().toISOString(),
    gitCommit: options.provenance?.gitCommit ?? null,
    packages: { ...scoringPackageVersions(), ...options.provenance?.packages },
  };
  const protocol = protocolSettings(options, profile, provenance);
  const summary: RunSummary = {};
  const records: ResultRecord[] = [];
  for (const benchmark of options.benchmarks) {
    const selection = selections.get(benchmark.name)!;
    const wanted = new Set(selection.items.map((item) => item.id));
    const latest = new Map<string, ResultRecord>();
    for (const record of all) {
      if (
        record.benchmark === benchmark.name &&
        wanted.has(record.id) &&
        (record.repeat ?? 0) < repeats
      )
        latest.set(resultKey(record.benchmark, record.id, record.repeat), record);
    }
    const benchmarkRecords = [...latest.values()];
    records.push(...benchmarkRecords);
    const benchmarkFailures = failures.get(benchmark.name) ?? [];
    summary[benchmark.name] = {
      ...summarizeBenchmark({
        name: benchmark.name,
        title: benchmark.title,
        metric: benchmark.metric,
        settings: {
          ...benchmark.settings,
          aggregation:
            benchmark.aggregation?.kind === 'macro'
              ? `macro:${benchmark.aggregation.over}`
              : 'micro',
          ...protocol,
        },
        aggregation: benchmark.aggregation,
        selected: selection.items.length * repeats,
        failed: selection.items.length * repeats - benchmarkRecords.length,
        missingMedia: selection.missingMedia,
        records: benchmarkRecords,
      }),
      failures: benchmarkFailures,
      ...(options.endpointStats ? { endpoints: [...options.endpointStats()] } : {}),
    };
  }
  const files = await writeReports({
    outDir: options.outDir,
    summary,
    records,
    model: `${options.model.modelId} (${profile.id})`,
    reportTrajectories: options.reportTrajectories,
  });
  return { summary, records, files: { results: resultsFile, ...files } };
}

export interface WriteReportsOptions {
  outDir: string;
  summary: RunSummary;
  records: readonly ResultRecord[];
  /** Row label of the evaluated model. */
  model: string;
  reportTrajectories?: number;
}

/** Writes summary.json, report.md and report.html into `outDir`, each atomically. */
export async function writeReports(
  options: WriteReportsOptions,
): Promise<{ summary: string; markdown: string; html: string }> {
  const files = {
    summary: join(options.outDir, 'summary.json'),
    markdown: join(options.outDir, 'report.md'),
    html: join(options.outDir, 'report.html'),
  };
  await writeFileAtomic(files.summary, `${JSON.stringify(options.summary, null, 2)}\n`);
  await writeFileAtomic(
    files.markdown,
    renderMarkdownReport(options.summary, { model: options.model }),
  );
  await writeFileAtomic(
    files.html,
    await renderHtmlReport({
      summary: options.summary,
      records: options.records,
      outDir: options.outDir,
      model: options.model,
      trajectoriesPerBenchmark: options.reportTrajectories,
    }),
  );
  return files;
}
