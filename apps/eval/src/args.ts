import { parseArgs } from 'node:util';
import { type OptionOrder, parseOptionOrder } from '@pixel-reasoner/eval-benchmarks';
import {
  type ImageDetail,
  type ImageHistoryPolicy,
  listPromptProfiles,
  parseImageHistory,
} from '@pixel-reasoner/model-runtime';
import { CliUsageError } from './errors.js';

/** Every registered prompt profile (`--profile`). */
export const PROFILES: readonly string[] = listPromptProfiles();
export type ProfileId = string;

export const IMAGE_DETAILS = ['auto', 'low', 'high'] as const;

export const TF_BACKENDS = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type TfBackend = (typeof TF_BACKENDS)[number];

export type ModelFlag =
  | { kind: 'checkpoint'; path: string }
  | {
      kind: 'openai';
      baseURL: string;
      modelName: string;
      /** Every endpoint when there are several (repeated `--model openai:…` or a comma list); `baseURL` is the first. */
      baseURLs?: string[];
    };

export interface EvalCliOptions {
  benchmarks: string[];
  model: ModelFlag;
  /** `--endpoint-cooldown` in ms: how long a failed replica stays out of the rotation. */
  endpointCooldownMs?: number;
  profile: ProfileId;
  concurrency: number;
  limit?: number;
  shard?: { index: number; count: number };
  outDir: string;
  maxTokensPerTurn?: number;
  maxOperations?: number;
  proceduralItemsPerFamily?: number;
  proceduralStartSeed?: number;
  backend?: TfBackend;
  /** `--options`: original (default), shuffle[:SEED] or circular. */
  optionOrder: OptionOrder;
  repeats: number;
  /** Sampling seed (repeat r uses seed + r). */
  seed?: number;
  temperature?: number;
  topP?: number;
  /** `--api-key`; else `OPENAI_API_KEY`. Never recorded. */
  apiKey?: string;
  /** `--detail`: `image_url.detail` of every image. */
  imageDetail?: ImageDetail;
  /** `--request-timeout` in milliseconds. */
  requestTimeoutMs?: number;
  /** `--image-history`: keep-all (default), last:K or cap:N. */
  imageHistory?: ImageHistoryPolicy;
  /** `--min-pixels` / `--max-pixels`: smart-resize budget of input images. */
  inputPixels?: { minPixels?: number; maxPixels?: number };
  /** `--crop-min-pixels` / `--crop-max-pixels`: budget of operation outputs. */
  cropPixels?: { minPixels?: number; maxPixels?: number };
  /** `--image-encoding`: how the client writes the images it makes (resized inputs, crops). */
  imageEncoding?: { format: 'png' | 'jpeg'; quality?: number };
  counterfactual: 'none' | 'blank-crops';
  progress: boolean;
  help: boolean;
  version: boolean;
  /** `--bench list`: print every benchmark with its data layout and exit. */
  listBenchmarks: boolean;
}

/** `pixel-reasoner-eval compare A B`: is the run in folder B better than the one in A? */
export interface CompareCliOptions {
  a: string;
  b: string;
  bootstrapSamples: number;
  seed: number;
  /** Also write the comparison as JSON here. */
  out?: string;
}

export const USAGE = `Usage: pixel-reasoner-eval --bench NAME[:DATA] [--bench …] --model MODEL [options]

       pixel-reasoner-eval --bench list
       pixel-reasoner-eval compare DIR_A DIR_B [--bootstrap N] [--seed N] [--out FILE]

Benchmarks (repeat --bench; --bench list prints each one's expected data layout):
  vstar[:DIR]       V* Bench folder (test_questions.jsonl or direct_attributes/ + relative_position/)
  tallyqa[:DIR]     TallyQA folder with test.json and VG_100K*/ train2014/ val2014/ (complex subset)
  mvbench[:DIR]     MVBench folder with json/ and video/
  infovqa[:DIR]     InfographicVQA folder with the val JSON and images/
  hrbench-4k[:P]    HR-Bench hr_bench_4k.tsv (or its folder); hrbench-8k likewise
  mme-realworld[:P] MME_RealWorld.json + image folders, or the lmms-eval parquet (file or folder);
                    mme-realworld-lite likewise
  vlmevalkit:FILE   any VLMEvalKit multiple-choice TSV (base64 image, A…E, answer, category)
  parquet:FILE      a reference evaluation parquet (vstar.parquet, tallyqa_mini3200.parquet, …)
  procedural        the held-out procedural suite (no data needed)
  procedural:F,G    only these scene families or suite parts, e.g. procedural:zoom-attribute,count
                    (families: zoom-attribute, relative-position, count, frames, infographic;
                    parts: vstar, tallyqa, mvbench, infovqa)
  A missing DIR defaults to ./data/NAME.

Model:
  --model PATH                  a local TinyVLM checkpoint folder
  --model openai:BASE_URL       an OpenAI-compatible server (vLLM, SGLang, pixel-reasoner serve);
                                repeat it (or give openai:URL1,URL2) to spread episodes over
                                replicas of one model: least busy first, a failing one is taken
                                out for --endpoint-cooldown seconds and its items go to the others
  --endpoint-cooldown S         how long a failed replica stays out (default 30)
  --model-name NAME             the served model name (required with openai:)
  --api-key KEY                 API key of the server (default: the OPENAI_API_KEY environment
                                variable, else EMPTY); never written to any output file
  --request-timeout MS          per-request timeout in milliseconds (default 600000)
  --detail LEVEL                image_url detail: auto, low or high (high keeps V* details on
                                hosted APIs; default not sent)

Options:
  --profile ID                  prompt and tool protocol: ${listPromptProfiles().join(', ')}
                                (default pixel-reasoner-v1; openai-tools uses native function calling)
  --concurrency N               episodes in flight (default 4)
  --limit N                     first N items of each benchmark
  --shard I/N                   run shard I of N (0-based), e.g. 0/4
  --out DIR                     output folder (default ./eval-out); reruns resume
  --max-tokens N                generation budget per turn (default 2048)
  --max-operations N            tool calls an episode may make (default 4)
  --procedural-items N          items per scene family for procedural (default 50)
  --procedural-seed N           first held-out seed of procedural (default 0)
  --backend NAME                tfjs backend for checkpoints: node-gpu, node, wasm, cpu

Protocol (everything here is recorded in summary.json and the reports):
  --options ORDER               option order of choice questions: original (default),
                                shuffle[:SEED], or circular (every rotation; right only if all are)
  --repeats K                   run every item K times with seeds SEED..SEED+K-1; reports Avg@K
  --seed N                      sampling seed (default none; 0 with --repeats)
  --temperature T               sampling temperature (default 0, greedy)
  --top-p P                     nucleus sampling
  --image-history POLICY        images each request shows: keep-all (default), last:K (inputs plus
                                the K newest operation images) or cap:N (at most N images)
  --min-pixels N, --max-pixels N
                                smart-resize budget of input images (default 200704..6272000)
  --crop-min-pixels N, --crop-max-pixels N
                                budget of operation outputs (default: the profile's, else
                                200704..4014080)
  --image-encoding png|jpeg[:Q] how resized inputs and crops are sent: png (default, lossless
                                like the reference's pixels) or jpeg at quality Q (default 90;
                                a tenth of the bytes for photos)
  --counterfactual MODE         none (default) or blank-crops: operations return a blank image of
                                the same size, to tell whether the tools help
  --no-progress                 no progress bar or progress lines
  --version                     print the version
  -h, --help                    this text

Exit codes: 0 every selected item has a result; 1 a run error, or items without a result
(server unreachable, HTTP 401/5xx, unreadable media; rerun to retry them); 2 a usage error.
`;

function positiveInteger(flag: string, value: string, minimum: number): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < minimum) {
    throw new CliUsageError(`--${flag} must be an integer ≥ ${minimum}, got "${value}"`);
  }
  return Number(value);
}

function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new CliUsageError(`--shard must look like I/N (e.g. 0/4), got "${value}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index >= count) {
    throw new CliUsageError(
      `--shard ${value}: the index must be in [0, ${Math.max(count - 1, 0)}]`,
    );
  }
  return { index, count };
}

function parseImageEncoding(value: string): { format: 'png' | 'jpeg'; quality?: number } {
  const match = /^(png|jpeg)(?::(\d+))?$/.exec(value);
  const quality = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || (match[1] === 'png' && quality !== undefined)) {
    throw new CliUsageError(`--image-encoding must be png, jpeg or jpeg:Q, got "${value}"`);
  }
  if (quality !== undefined && !(quality >= 1 && quality <= 100)) {
    throw new CliUsageError(`--image-encoding ${value}: the quality must be in [1, 100]`);
  }
  return { format: match[1] as 'png' | 'jpeg', ...(quality !== undefined ? { quality } : {}) };
}

/** Edit distance, for suggesting the flag a typo meant. */
function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(
        previous[j]! + 1,
        previous[j - 1]! + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Flags a user may mean by another name; checked before spelling. */
const FLAG_SYNONYMS: Record<string, string> = {
  tasks: 'bench',
  task: 'bench',
  benchmark: 'bench',
  benchmarks: 'bench',
  output: 'out',
  'out-dir': 'out',
  'output-dir': 'out',
  checkpoint: 'model',
  'max-ops': 'max-operations',
  shuffle: 'options',
  items: 'procedural-items',
  jobs: 'concurrency',
};

/** The known flag closest to `flag` (a synonym or within two edits), if any. */
export function nearestFlag(flag: string, known: readonly string[]): string | undefined {
  const name = flag.replace(/^-+/, '').replace(/=.*$/, '');
  const synonym = FLAG_SYNONYMS[name];
  if (synonym && known.includes(synonym)) return synonym;
  let best: { flag: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { flag: candidate, distance };
  }
  if (best && best.distance <= (name.length <= 4 ? 1 : 2)) {
    return best.flag;
  }
  const prefixed = known.find(
    (candidate) => candidate.startsWith(name) || (name.length >= 3 && name.startsWith(candidate)),
  );
  return prefixed;
}

function nonNegativeNumber(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new CliUsageError(`--${flag} must be a number ≥ 0, got "${value}"`);
  }
  return number;
}

/** Options for a command line that runs nothing (`--help`, `--version`, `--bench list`). */
function withoutRun(
  what: Pick<EvalCliOptions, 'help' | 'version' | 'listBenchmarks'>,
): EvalCliOptions {
  return {
    benchmarks: [],
    model: { kind: 'checkpoint', path: '' },
    profile: 'pixel-reasoner-v1',
    concurrency: 4,
    outDir: 'eval-out',
    optionOrder: { kind: 'original' },
    repeats: 1,
    counterfactual: 'none',
    progress: false,
    ...what,
  };
}

/** Parses `compare A B [--bootstrap N] [--seed N] [--out FILE]` (argv after "compare"). */
export function parseCompareArgs(argv: readonly string[]): CompareCliOptions {
  const parsed = (() => {
    try {
      return parseArgs({
        args: [...argv],
        options: COMPARE_OPTIONS,
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new CliUsageError(`compare: ${(error as Error).message}`);
    }
  })();
  const { values, positionals } = parsed;
  if (positionals.length !== 2) {
    throw new CliUsageError(
      `compare needs two result folders (compare DIR_A DIR_B), got ${positionals.length}`,
    );
  }
  return {
    a: positionals[0]!,
    b: positionals[1]!,
    bootstrapSamples:
      values.bootstrap === undefined ? 10_000 : positiveInteger('bootstrap', values.bootstrap, 1),
    seed: values.seed === undefined ? 0 : positiveInteger('seed', values.seed, 0),
    ...(values.out === undefined ? {} : { out: values.out }),
  };
}

const COMPARE_OPTIONS = {
  bootstrap: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
} as const;

/** Parses the command line; every problem is a {@link CliUsageError} naming the flag. */
export function parseEvalArgs(argv: readonly string[]): EvalCliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) {
      const suggestion = nearestFlag(unknown[1]!, Object.keys(OPTIONS));
      throw new CliUsageError(
        `unknown flag ${unknown[1]}${suggestion ? ` (did you mean --${suggestion}?)` : ''}`,
      );
    }
    throw new CliUsageError(message);
  }
  const { values, positionals } = parsed;
  if (values.help || values.version) {
    return withoutRun({
      help: values.help === true,
      version: values.version === true && values.help !== true,
      listBenchmarks: false,
    });
  }
  if (positionals.length > 0) {
    throw new CliUsageError(
      `unexpected argument "${positionals[0]}" (benchmarks go after --bench)`,
    );
  }
  const benchmarks = values.bench ?? [];
  if (benchmarks.includes('list')) {
    if (benchmarks.length > 1 || values.model !== undefined) {
      throw new CliUsageError('--bench list takes no other --bench or --model');
    }
    return withoutRun({ help: false, version: false, listBenchmarks: true });
  }
  if (benchmarks.length === 0)
    throw new CliUsageError('--bench is required (e.g. --bench procedural)');
  if (values.model === undefined) {
    throw new CliUsageError('--model is required (a checkpoint folder or openai:BASE_URL)');
  }
  let model: ModelFlag;
  const endpoints = values.model.filter((entry) => entry.startsWith('openai:'));
  if (endpoints.length > 0) {
    if (endpoints.length !== values.model.length) {
      throw new CliUsageError(
        `--model takes either one checkpoint folder or openai: endpoints, got ${values.model.map((entry) => `"${entry}"`).join(', ')}`,
      );
    }
    const baseURLs = endpoints.flatMap((entry) =>
      entry
        .slice('openai:'.length)
        .split(',')
        .map((part) => part.trim().replace(/^openai:/, '')),
    );
    for (const baseURL of baseURLs) {
      if (!/^https?:\/\/\S+$/.test(baseURL)) {
        throw new CliUsageError(`--model openai: needs an http(s) base URL, got "${baseURL}"`);
      }
    }
    const repeated = baseURLs.find((baseURL, index) => baseURLs.indexOf(baseURL) !== index);
    if (repeated !== undefined) {
      throw new CliUsageError(`--model openai: endpoint "${repeated}" is given twice`);
    }
    if (!values['model-name']) {
      throw new CliUsageError('--model-name is required with --model openai:BASE_URL');
    }
    model = {
      kind: 'openai',
      baseURL: baseURLs[0]!,
      modelName: values['model-name'],
      ...(baseURLs.length > 1 ? { baseURLs } : {}),
    };
  } else {
    if (values.model.length > 1) {
      throw new CliUsageError(
        `--model takes one checkpoint folder, got ${values.model.map((entry) => `"${entry}"`).join(', ')}`,
      );
    }
    if (values['model-name'] !== undefined) {
      throw new CliUsageError('--model-name only applies to --model openai:BASE_URL');
    }
    model = { kind: 'checkpoint', path: values.model[0]! };
  }
  let endpointCooldownMs: number | undefined;
  if (values['endpoint-cooldown'] !== undefined) {
    const seconds = Number(values['endpoint-cooldown']);
    if (!(Number.isFinite(seconds) && seconds >= 0)) {
      throw new CliUsageError(
        `--endpoint-cooldown must be a number of seconds ≥ 0, got "${values['endpoint-cooldown']}"`,
      );
    }
    if (model.kind !== 'openai' || model.baseURLs === undefined) {
      throw new CliUsageError(
        '--endpoint-cooldown only applies to several --model openai: endpoints',
      );
    }
    endpointCooldownMs = seconds * 1000;
  }
  const profile = values.profile ?? 'pixel-reasoner-v1';
  if (!PROFILES.includes(profile)) {
    throw new CliUsageError(`--profile must be one of ${PROFILES.join(', ')}, got "${profile}"`);
  }
  const backend = values.backend;
  if (backend !== undefined && !(TF_BACKENDS as readonly string[]).includes(backend)) {
    throw new CliUsageError(`--backend must be one of ${TF_BACKENDS.join(', ')}, got "${backend}"`);
  }
  if (backend !== undefined && model.kind !== 'checkpoint') {
    throw new CliUsageError('--backend only applies to a checkpoint --model');
  }
  let optionOrder: OptionOrder = { kind: 'original' };
  if (values.options !== undefined) {
    try {
      optionOrder = parseOptionOrder(values.options);
    } catch {
      throw new CliUsageError(
        `--options must be original, shuffle[:SEED] or circular, got "${values.options}"`,
      );
    }
  }
  const counterfactual = values.counterfactual ?? 'none';
  if (counterfactual !== 'none' && counterfactual !== 'blank-crops') {
    throw new CliUsageError(
      `--counterfactual must be none or blank-crops, got "${counterfactual}"`,
    );
  }
  if (model.kind !== 'openai') {
    for (const flag of ['api-key', 'detail', 'request-timeout'] as const) {
      if (values[flag] !== undefined) {
        throw new CliUsageError(`--${flag} only applies to --model openai:BASE_URL`);
      }
    }
  }
  const detail = values.detail;
  if (detail !== undefined && !(IMAGE_DETAILS as readonly string[]).includes(detail)) {
    throw new CliUsageError(`--detail must be one of ${IMAGE_DETAILS.join(', ')}, got "${detail}"`);
  }
  let imageHistory: ImageHistoryPolicy | undefined;
  if (values['image-history'] !== undefined) {
    try {
      imageHistory = parseImageHistory(values['image-history']);
    } catch {
      throw new CliUsageError(
        `--image-history must be keep-all, last:K (K ≥ 0) or cap:N (N ≥ 1), got "${values['image-history']}"`,
      );
    }
  }
  const budget = (
    minFlag: 'min-pixels' | 'crop-min-pixels',
    maxFlag: 'max-pixels' | 'crop-max-pixels',
  ) => {
    const minimum =
      values[minFlag] === undefined ? undefined : positiveInteger(minFlag, values[minFlag], 1);
    const maximum =
      values[maxFlag] === undefined ? undefined : positiveInteger(maxFlag, values[maxFlag], 1);
    if (minimum !== undefined && maximum !== undefined && minimum > maximum) {
      throw new CliUsageError(`--${minFlag} ${minimum} is above --${maxFlag} ${maximum}`);
    }
    return minimum === undefined && maximum === undefined
      ? undefined
      : {
          ...(minimum !== undefined ? { minPixels: minimum } : {}),
          ...(maximum !== undefined ? { maxPixels: maximum } : {}),
        };
  };
  const inputPixels = budget('min-pixels', 'max-pixels');
  const cropPixels = budget('crop-min-pixels', 'crop-max-pixels');
  const imageEncoding =
    values['image-encoding'] === undefined
      ? undefined
      : parseImageEncoding(values['image-encoding']);
  return {
    benchmarks,
    model,
    ...(endpointCooldownMs !== undefined ? { endpointCooldownMs } : {}),
    profile,
    ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
    ...(detail !== undefined ? { imageDetail: detail as ImageDetail } : {}),
    ...(values['request-timeout'] !== undefined
      ? { requestTimeoutMs: positiveInteger('request-timeout', values['request-timeout'], 1) }
      : {}),
    ...(imageHistory !== undefined ? { imageHistory } : {}),
    ...(inputPixels !== undefined ? { inputPixels } : {}),
    ...(cropPixels !== undefined ? { cropPixels } : {}),
    ...(imageEncoding !== undefined ? { imageEncoding } : {}),
    concurrency:
      values.concurrency === undefined ? 4 : positiveInteger('concurrency', values.concurrency, 1),
    ...(values.limit === undefined ? {} : { limit: positiveInteger('limit', values.limit, 0) }),
    ...(values.shard === undefined ? {} : { shard: parseShard(values.shard) }),
    outDir: values.out ?? 'eval-out',
    ...(values['max-tokens'] === undefined
      ? {}
      : { maxTokensPerTurn: positiveInteger('max-tokens', values['max-tokens'], 1) }),
    ...(values['max-operations'] === undefined
      ? {}
      : { maxOperations: positiveInteger('max-operations', values['max-operations'], 0) }),
    ...(values['procedural-seed'] === undefined
      ? {}
      : { proceduralStartSeed: positiveInteger('procedural-seed', values['procedural-seed'], 0) }),
    ...(values['procedural-items'] === undefined
      ? {}
      : {
          proceduralItemsPerFamily: positiveInteger(
            'procedural-items',
            values['procedural-items'],
            1,
          ),
        }),
    ...(backend === undefined ? {} : { backend: backend as TfBackend }),
    optionOrder,
    repeats: values.repeats === undefined ? 1 : positiveInteger('repeats', values.repeats, 1),
    ...(values.seed === undefined ? {} : { seed: positiveInteger('seed', values.seed, 0) }),
    ...(values.temperature === undefined
      ? {}
      : { temperature: nonNegativeNumber('temperature', values.temperature) }),
    ...(values['top-p'] === undefined ? {} : { topP: nonNegativeNumber('top-p', values['top-p']) }),
    counterfactual,
    progress: !values['no-progress'],
    help: false,
    version: false,
    listBenchmarks: false,
  };
}

const OPTIONS = {
  bench: { type: 'string', multiple: true },
  model: { type: 'string', multiple: true },
  'model-name': { type: 'string' },
  'endpoint-cooldown': { type: 'string' },
  profile: { type: 'string' },
  concurrency: { type: 'string' },
  limit: { type: 'string' },
  shard: { type: 'string' },
  out: { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-operations': { type: 'string' },
  'procedural-items': { type: 'string' },
  'procedural-seed': { type: 'string' },
  backend: { type: 'string' },
  options: { type: 'string' },
  repeats: { type: 'string' },
  seed: { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  counterfactual: { type: 'string' },
  'api-key': { type: 'string' },
  detail: { type: 'string' },
  'request-timeout': { type: 'string' },
  'image-history': { type: 'string' },
  'min-pixels': { type: 'string' },
  'max-pixels': { type: 'string' },
  'crop-min-pixels': { type: 'string' },
  'crop-max-pixels': { type: 'string' },
  'image-encoding': { type: 'string' },
  'no-progress': { type: 'boolean' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], strict: true, allowPositionals: true, options: OPTIONS });
}
