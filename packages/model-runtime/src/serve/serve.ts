import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLimiter } from '../backends/concurrency.js';
import { InvalidGenerateOptionsError, ModelRuntimeError } from '../errors.js';
import { imageFromDataUrl } from '../image/image-data.js';
import type { ChatMessage, ChatPart, ImagePart } from '../spec/chat.js';
import type { GenerateOptionsV1, VisionLanguageModelV1 } from '../spec/language-model-v1.js';
import { BodyParser } from './body-parser.js';

export interface ServeOptions {
  model: VisionLanguageModelV1;
  /** Default 0: an ephemeral port (read it from the returned `url`). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Largest accepted request body (413 above it). Default 64 MiB (a few large base64 images). */
  maxBodyBytes?: number;
  /**
   * Largest image (width × height, read from its header) a request may carry; larger ones are
   * refused with a 400 before anything decodes them. Default 50 000 000 (an 8K image fits).
   */
  maxImagePixels?: number;
  /**
   * A cheap lower bound on a prompt's token count, checked before the model sees the request: a
   * prompt whose text has more than `maxTokens · maxBytesPerToken` UTF-8 bytes cannot fit, so it
   * is refused (400 `context_length_exceeded`) without being tokenized, and a huge prompt cannot
   * stall the other requests. `maxBytesPerToken` is the longest token of the tokenizer in bytes.
   */
  promptBound?: { maxTokens: number; maxBytesPerToken: number };
  /**
   * Generations run at once (default 1); the others wait in arrival order. A model in this
   * process computes on its one thread, so running requests one after another finishes each as
   * early as possible (interleaved, every request would take as long as all of them) and holds one
   * prompt's activations at a time. Raise it for models that compute elsewhere (worker pools,
   * remote servers).
   */
  generationConcurrency?: number;
  /**
   * Bodies of at least this many bytes are decoded and parsed in a worker thread, so a
   * multi-megabyte request does not hold up the others (default 1 MiB).
   */
  offThreadParseBytes?: number;
  /** Where the causes of refused (4xx from the model) and failed (500) requests go. Default stderr. */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:8000/v1`. */
  url: string;
  port: number;
  /** Stops accepting requests, drops open connections and resolves once closed. */
  close(): Promise<void>;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: RequestError): void {
  sendJson(response, error.status, { error: { message: error.message, type: error.type } });
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(tooLarge(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge(maxBytes));
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function tooLarge(maxBytes: number): RequestError {
  return new RequestError(
    413,
    'request_too_large',
    `request body exceeds the limit of ${maxBytes} bytes`,
  );
}

function invalid(message: string): RequestError {
  return new RequestError(400, 'invalid_request_error', message);
}

/**
 * Errors a model throws because of the request itself (by name, so errors of another installed
 * copy of this package count too): answered 400 with their reason, never retried by clients.
 */
const CLIENT_ERROR_TYPES: Record<string, string> = {
  ContextLengthExceededError: 'context_length_exceeded',
  InvalidImageError: 'invalid_image',
  InvalidGenerateOptionsError: 'invalid_request_error',
  InvalidEpisodeInputError: 'invalid_request_error',
};

/** The 400 a model's error stands for, or undefined when the server itself failed. */
export function clientErrorFromModel(
  error: unknown,
): { type: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const type = CLIENT_ERROR_TYPES[error.name];
  return type === undefined ? undefined : { type, message: `${error.name}: ${error.message}` };
}

interface ParseLimits {
  maxImagePixels: number;
}

function parsePart(
  part: unknown,
  where: string,
  origin: 'input' | 'operation',
  limits: ParseLimits,
): ChatPart {
  if (part === null || typeof part !== 'object') throw invalid(`${where} must be an object`);
  const record = part as Record<string, unknown>;
  if (record.type === 'text') {
    if (typeof record.text !== 'string') throw invalid(`${where}.text must be a string`);
    return { type: 'text', text: record.text };
  }
  if (record.type === 'image_url') {
    const imageUrl = record.image_url;
    const url =
      typeof imageUrl === 'string'
        ? imageUrl
        : imageUrl !== null && typeof imageUrl === 'object'
          ? (imageUrl as Record<string, unknown>).url
          : undefined;
    if (typeof url !== 'string') throw invalid(`${where}.image_url.url must be a string`);
    if (!url.startsWith('data:')) {
      throw invalid(
        `${where}.image_url.url: only base64 data: URLs are supported, not remote URLs`,
      );
    }
    let image: ImagePart;
    try {
      image = { type: 'image', image: imageFromDataUrl(url), origin };
    } catch (error) {
      throw invalid(`${where}.image_url: ${(error as Error).message}`);
    }
    const { width, height } = image.image;
    if (!(width > 0 && height > 0) || width * height > limits.maxImagePixels) {
      throw new RequestError(
        400,
        'invalid_image',
        `${where}.image_url: a ${width}x${height} image is outside 1..${limits.maxImagePixels} pixels`,
      );
    }
    return image;
  }
  throw invalid(`${where}.type must be "text" or "image_url", got ${JSON.stringify(record.type)}`);
}

function parseMessages(value: unknown, limits: ParseLimits): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('messages must be a non-empty array');
  }
  let afterAssistant = false;
  return value.map((entry, index): ChatMessage => {
    const where = `messages[${index}]`;
    if (entry === null || typeof entry !== 'object') throw invalid(`${where} must be an object`);
    const { role, content } = entry as Record<string, unknown>;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      throw invalid(`${where}.role must be system, user or assistant, got ${JSON.stringify(role)}`);
    }
    const origin = afterAssistant ? 'operation' : 'input';
    if (role === 'assistant') afterAssistant = true;
    if (typeof content === 'string') return { role, content };
    if (!Array.isArray(content)) throw invalid(`${where}.content must be a string or an array`);
    // Images of user turns after the model has spoken are operation outputs (observations), which
    // local models see at their own resolution budget.
    const parts = content.map((part, partIndex) =>
      parsePart(part, `${where}.content[${partIndex}]`, origin, limits),
    );
    return { role, content: parts };
  });
}

function optionalNumber(
  body: Record<string, unknown>,
  key: string,
  check: (value: number) => boolean,
  requirement: string,
): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !check(value)) {
    throw invalid(`${key} must be ${requirement}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseRequest(
  body: Record<string, unknown>,
  modelId: string,
  limits: ParseLimits,
): GenerateOptionsV1 {
  if (body.stream === true) throw invalid('stream: true is not supported');
  if (typeof body.model !== 'string') throw invalid('model must be a string');
  if (body.model !== modelId) {
    throw new RequestError(404, 'not_found_error', `The model \`${body.model}\` does not exist.`);
  }
  optionalNumber(body, 'n', (value) => value === 1, '1 (one choice per request)');
  const messages = parseMessages(body.messages, limits);
  const temperature = optionalNumber(
    body,
    'temperature',
    (value) => Number.isFinite(value) && value >= 0,
    'a number ≥ 0',
  );
  const topP = optionalNumber(body, 'top_p', (value) => value > 0 && value <= 1, 'in (0, 1]');
  const topK = optionalNumber(
    body,
    'top_k',
    (value) => Number.isInteger(value) && value >= -1,
    'an integer ≥ -1',
  );
  const maxTokens =
    optionalNumber(
      body,
      'max_completion_tokens',
      (value) => Number.isInteger(value) && value >= 1,
      'an integer ≥ 1',
    ) ??
    optionalNumber(
      body,
      'max_tokens',
      (value) => Number.isInteger(value) && value >= 1,
      'an integer ≥ 1',
    );
  const seed = optionalNumber(body, 'seed', Number.isInteger, 'an integer');
  let stop: string[] | undefined;
  if (typeof body.stop === 'string') stop = [body.stop];
  else if (Array.isArray(body.stop) && body.stop.every((entry) => typeof entry === 'string')) {
    stop = body.stop as string[];
  } else if (body.stop !== undefined && body.stop !== null) {
    throw invalid('stop must be a string or an array of strings');
  }
  if (body.logprobs !== undefined && body.logprobs !== null && typeof body.logprobs !== 'boolean') {
    throw invalid('logprobs must be a boolean');
  }
  return {
    messages,
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(topK !== undefined && topK > 0 ? { topK } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(stop !== undefined ? { stop } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(body.logprobs === true ? { logprobs: true } : {}),
  };
}

/**
 * Serves any `VisionLanguageModelV1` as an OpenAI-compatible chat-completions endpoint
 * (`POST /v1/chat/completions`, `GET /v1/models`), so tools written for vLLM — including this
 * package's own OpenAI backend — can drive local checkpoints. Images arrive as base64 data URLs;
 * a client that disconnects aborts its generation.
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { model } = options;
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const limits: ParseLimits = { maxImagePixels: options.maxImagePixels ?? 50_000_000 };
  const log = options.log ?? ((line: string) => console.error(line));
  const generationConcurrency = options.generationConcurrency ?? 1;
  if (!(Number.isInteger(generationConcurrency) && generationConcurrency >= 1)) {
    throw new InvalidGenerateOptionsError(
      `generationConcurrency must be an integer ≥ 1, got ${generationConcurrency}`,
    );
  }
  const generationSlot = createLimiter(generationConcurrency);
  const bound = options.promptBound;
  const bodyParser = new BodyParser({
    offThreadBytes: options.offThreadParseBytes ?? 1024 * 1024,
    maxTextBytes: bound ? bound.maxTokens * bound.maxBytesPerToken : Number.POSITIVE_INFINITY,
  });
  const created = Math.floor(Date.now() / 1000);

  async function handleCompletion(request: IncomingMessage, response: ServerResponse) {
    const raw = await readBody(request, maxBodyBytes);
    const parsed = await bodyParser.parse(raw);
    if (parsed.kind === 'invalid-json') throw invalid('request body is not valid JSON');
    if (parsed.kind === 'too-long') {
      const bound = options.promptBound!;
      throw new RequestError(
        400,
        'context_length_exceeded',
        `the prompt has ${parsed.textBytes} bytes of text, more than ${bound.maxTokens} tokens of at most ${bound.maxBytesPerToken} bytes each can hold; the model's context is ${bound.maxTokens} tokens`,
      );
    }
    const body = parsed.value;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw invalid('request body must be a JSON object');
    }
    const generate = parseRequest(body as Record<string, unknown>, model.modelId, limits);
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableEnded) controller.abort();
    });
    let result: Awaited<ReturnType<VisionLanguageModelV1['doGenerate']>>;
    try {
      const generated = await generationSlot(async () =>
        // A client that left while its request waited is not worth generating for.
        controller.signal.aborted
          ? undefined
          : model.doGenerate({ ...generate, abortSignal: controller.signal }),
      );
      if (generated === undefined) return;
      result = generated;
    } catch (error) {
      if (error instanceof InvalidGenerateOptionsError) throw invalid(error.message);
      const refused = clientErrorFromModel(error);
      if (refused === undefined) throw error;
      log(`pixel-reasoner-serve: 400 ${refused.message}`);
      throw new RequestError(400, refused.type, refused.message);
    }
    if (controller.signal.aborted) return;
    const logprobs =
      generate.logprobs && result.logprobs
        ? {
            content: result.logprobs.map((entry) => ({
              token: entry.token,
              logprob: entry.logprob,
              bytes: [...Buffer.from(entry.token, 'utf8')],
              top_logprobs: [],
            })),
          }
        : null;
    sendJson(response, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: model.modelId,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: result.text },
          finish_reason: result.finishReason,
          logprobs,
        },
      ],
      usage: {
        prompt_tokens: result.usage.inputTokens,
        completion_tokens: result.usage.outputTokens,
        total_tokens: result.usage.inputTokens + result.usage.outputTokens,
      },
    });
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const handle = async () => {
      if (path === '/v1/models') {
        if (request.method !== 'GET')
          throw new RequestError(405, 'invalid_request_error', 'use GET');
        sendJson(response, 200, {
          object: 'list',
          data: [{ id: model.modelId, object: 'model', created, owned_by: model.provider }],
        });
        return;
      }
      if (path === '/v1/chat/completions') {
        if (request.method !== 'POST') {
          throw new RequestError(405, 'invalid_request_error', 'use POST');
        }
        await handleCompletion(request, response);
        return;
      }
      throw new RequestError(404, 'not_found_error', `no route for ${request.method} ${path}`);
    };
    handle().catch((error: unknown) => {
      if (response.headersSent) return;
      if (error instanceof RequestError) {
        sendError(response, error);
        if (error.status === 413) response.once('finish', () => request.socket.destroy());
        return;
      }
      log(
        `pixel-reasoner-serve: 500 for ${request.method} ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      const message = ModelRuntimeError.isInstance(error)
        ? error.message
        : 'the model failed to generate';
      sendError(response, new RequestError(500, 'server_error', message));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          void bodyParser.close().then(() => (error ? reject(error) : resolve()), reject);
        });
        server.closeAllConnections();
      }),
  };
}
