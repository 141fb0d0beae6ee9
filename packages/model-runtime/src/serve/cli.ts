// `pixel-reasoner-serve`: an OpenAI-compatible endpoint for a local TinyVLM checkpoint, so the
// HTTP backend, `pixel-reasoner-eval --model openai:…` or any OpenAI client can drive it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BACKEND_PRIORITY,
  type BackendName,
  loadCheckpoint,
  selectBackend,
  type TinyVLM,
} from '../local.js';
import { serve } from './serve.js';

const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;

export const SERVE_USAGE = `Usage: pixel-reasoner-serve --checkpoint DIR [--port N] [--host H] [--model-id NAME] [--backend NAME]
                            [--max-body-bytes N] [--max-image-pixels N]

  --checkpoint DIR   a TinyVLM checkpoint folder (config.json, tokenizer.json, model.safetensors)
  --port N           port to listen on (default 8000; 0 picks a free one)
  --host H           interface to bind (default 127.0.0.1)
  --model-id NAME    the model name clients send (default: the checkpoint's model id)
  --backend NAME     tfjs backend: ${BACKEND_PRIORITY.join(', ')} (default: first that loads)
  --max-body-bytes N largest request body; larger ones get 413 (default ${DEFAULT_MAX_BODY_BYTES})
  --max-image-pixels N
                     largest image (width × height) a request may carry (default ${DEFAULT_MAX_IMAGE_PIXELS})
  --version          print the version
  -h, --help         this text`;

/** The version of @pixel-reasoner/model-runtime, from its package.json (src and dist alike). */
export function serveVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export class ServeUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServeUsageError';
  }
}

export interface ServeCliOptions {
  checkpoint: string;
  port: number;
  host: string;
  modelId?: string;
  backend?: BackendName;
  maxBodyBytes: number;
  maxImagePixels: number;
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new ServeUsageError(`--${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export function parseServeArgs(argv: readonly string[]): ServeCliOptions | 'help' | 'version' {
  let values: ReturnType<typeof parse>['values'];
  function parse(args: string[]) {
    return parseArgs({
      args,
      strict: true,
      options: {
        checkpoint: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'model-id': { type: 'string' },
        backend: { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'max-image-pixels': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  }
  try {
    values = parse([...argv]).values;
  } catch (error) {
    throw new ServeUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (!values.checkpoint) throw new ServeUsageError('--checkpoint DIR is required');
  const port = Number(values.port ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ServeUsageError(`--port must be an integer in [0, 65535], got ${values.port}`);
  }
  const backend = values.backend as BackendName | undefined;
  if (backend !== undefined && !BACKEND_PRIORITY.includes(backend)) {
    throw new ServeUsageError(
      `--backend must be one of ${BACKEND_PRIORITY.join(', ')}, got ${values.backend}`,
    );
  }
  return {
    checkpoint: values.checkpoint,
    port,
    host: values.host ?? '127.0.0.1',
    maxBodyBytes: positiveInteger(
      'max-body-bytes',
      values['max-body-bytes'],
      DEFAULT_MAX_BODY_BYTES,
    ),
    maxImagePixels: positiveInteger(
      'max-image-pixels',
      values['max-image-pixels'],
      DEFAULT_MAX_IMAGE_PIXELS,
    ),
    ...(values['model-id'] ? { modelId: values['model-id'] } : {}),
    ...(backend ? { backend } : {}),
  };
}

/**
 * The prompt bound of `serve` for a TinyVLM: its context length and its tokenizer's longest token
 * in bytes (byte-level vocabulary: one character per byte). Without a normalizer, text of `b`
 * bytes is at least `b / longest` tokens; a normalizer could shrink text before tokenizing, so
 * then no bound is claimed.
 */
export function promptBoundOf(
  model: TinyVLM,
): { maxTokens: number; maxBytesPerToken: number } | undefined {
  const json = model.tokenizer.toJSON() as {
    normalizer?: unknown;
    model?: { vocab?: Record<string, number> };
    added_tokens?: { content: string }[];
  };
  if (json.normalizer !== null && json.normalizer !== undefined) return undefined;
  let longest = 1;
  for (const token of Object.keys(json.model?.vocab ?? {})) {
    longest = Math.max(longest, token.length);
  }
  for (const added of json.added_tokens ?? []) {
    longest = Math.max(longest, Buffer.byteLength(added.content));
  }
  return { maxTokens: model.config.maxSequenceLength, maxBytesPerToken: longest };
}

/** Loads the checkpoint and serves it until SIGINT/SIGTERM; resolves with the running server. */
export async function runServeCli(
  argv: readonly string[],
  io: { log: (line: string) => void } = { log: (line) => console.error(line) },
) {
  const options = parseServeArgs(argv);
  if (options === 'help') {
    io.log(SERVE_USAGE);
    return undefined;
  }
  if (options === 'version') {
    io.log(serveVersion());
    return undefined;
  }
  await selectBackend({
    ...(options.backend ? { backend: options.backend } : {}),
    logger: { info: io.log },
  });
  const model = await loadCheckpoint(options.checkpoint, {
    ...(options.modelId ? { modelId: options.modelId } : {}),
  });
  const promptBound = promptBoundOf(model);
  const server = await serve({
    model,
    port: options.port,
    host: options.host,
    maxBodyBytes: options.maxBodyBytes,
    maxImagePixels: options.maxImagePixels,
    ...(promptBound ? { promptBound } : {}),
    log: io.log,
  });
  io.log(`serving ${model.modelId} from ${options.checkpoint} at ${server.url}`);
  return { server, model };
}

/** The `pixel-reasoner-serve` command: serves until SIGINT/SIGTERM; returns the exit code. */
export async function serveMain(argv: readonly string[]): Promise<number> {
  try {
    if (parseServeArgs(argv) === 'version') {
      process.stdout.write(`${serveVersion()}\n`);
      return 0;
    }
    const running = await runServeCli(argv);
    if (!running) return 0;
    const stop = () => {
      void running.server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return 0;
  } catch (error) {
    const usage = error instanceof ServeUsageError;
    console.error(`pixel-reasoner-serve: ${(error as Error).name}: ${(error as Error).message}`);
    if (usage) console.error(SERVE_USAGE);
    return usage ? 2 : 1;
  }
}
