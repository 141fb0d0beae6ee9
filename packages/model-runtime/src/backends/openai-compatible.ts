import OpenAI from 'openai';
import {
  GenerationAbortedError,
  InvalidGenerateOptionsError,
  InvalidModelResponseError,
  ModelRequestError,
  ModelServerUnreachableError,
  ModelUnavailableError,
  UnknownServedModelError,
} from '../errors.js';
import { redactSecrets } from '../redact.js';
import type {
  FinishReasonV1,
  GenerateOptionsV1,
  GenerateResultV1,
  VisionLanguageModelV1,
} from '../spec/language-model-v1.js';
import { createLimiter } from './concurrency.js';
import { type ImageDetail, stringifyChatRequest, toOpenAIMessages } from './openai-messages.js';

export interface OpenAICompatibleModelOptions {
  /** e.g. `http://localhost:8000/v1` for vLLM. */
  baseURL: string;
  /** The served model name, e.g. `TIGER-Lab/PixelReasoner-RL-v1`. */
  model: string;
  /**
   * Default: `OPENAI_API_KEY` from the environment, else `EMPTY` (what vLLM and SGLang accept when
   * started without a key). Never logged or put into error messages.
   */
  apiKey?: string;
  /** Requests in flight at once through this instance. Default 8. */
  maxConcurrency?: number;
  /** Retries after a 429, a 5xx, a timeout or a connection failure. Default 4. */
  maxRetries?: number;
  /** First retry delay; doubles each retry up to `maxRetryDelayMs`. Default 500 / 8000. */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Per-request timeout. Default 600 000 ms (long visual reasoning turns). */
  timeoutMs?: number;
  /**
   * `image_url.detail` of every image: `high` matters for small details (V*) on hosted APIs that
   * downscale otherwise; vLLM ignores it. Default: not sent.
   */
  imageDetail?: ImageDetail;
  /** Whether the server returns log-probabilities (vLLM and SGLang do). Default true. */
  supportsLogprobs?: boolean;
  /** Injected for tests and custom transports. */
  fetch?: typeof globalThis.fetch;
  /** Waits between retries; injected so tests need not sleep. */
  sleep?: (milliseconds: number) => Promise<void>;
}

function defaultSleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function validateOptions(options: GenerateOptionsV1): void {
  const { temperature, topP, topK, maxTokens, seed } = options;
  if (!Array.isArray(options.messages) || options.messages.length === 0) {
    throw new InvalidGenerateOptionsError('messages must be a non-empty array');
  }
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0)) {
    throw new InvalidGenerateOptionsError(`temperature must be ≥ 0, got ${temperature}`);
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) {
    throw new InvalidGenerateOptionsError(`topP must be in (0, 1], got ${topP}`);
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 0)) {
    throw new InvalidGenerateOptionsError(`topK must be an integer ≥ 0, got ${topK}`);
  }
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1)) {
    throw new InvalidGenerateOptionsError(`maxTokens must be an integer ≥ 1, got ${maxTokens}`);
  }
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new InvalidGenerateOptionsError(`seed must be an integer, got ${seed}`);
  }
}

function mapFinishReason(reason: string | null | undefined): FinishReasonV1 {
  if (reason === 'length') return 'length';
  if (reason === 'abort') return 'abort';
  return 'stop';
}

function isRetryable(error: unknown): boolean {
  if (error instanceof OpenAI.APIConnectionError) return true;
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    return error.status === 429 || error.status === 408 || error.status >= 500;
  }
  return false;
}

export interface CheckServerOptions {
  /** e.g. `http://localhost:8000/v1`. */
  baseURL: string;
  /** The model name the run will ask for. */
  model: string;
  /** Default: `OPENAI_API_KEY`, else `EMPTY`; redacted from every error text. */
  apiKey?: string;
  /** Default 10 000 ms. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface CheckServerResult {
  /** Model names the server lists; `null` when it has no `GET /models` (HTTP 404/405). */
  available: string[] | null;
}

/**
 * One `GET {baseURL}/models` before a run, so a dead server, a wrong URL, a rejected key or a
 * misspelt model name stops the run at once with one clear error instead of failing every item
 * after retries. Throws `ModelServerUnreachableError` (no connection, timeout, 5xx),
 * `ModelRequestError` (401, 403 and other 4xx except 404/405, which only mean the server has no
 * model list; the check then passes), `InvalidModelResponseError` (not a model list) or
 * `UnknownServedModelError` (the name is not listed).
 */
export async function checkOpenAICompatibleServer(
  options: CheckServerOptions,
): Promise<CheckServerResult> {
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY ?? 'EMPTY';
  const redact = (text: string) => redactSecrets(text, [apiKey]);
  const url = `${options.baseURL.replace(/\/+$/, '')}/models`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = [
      error instanceof Error ? error.message : String(error),
      cause?.code ?? cause?.message,
    ]
      .filter(Boolean)
      .join(': ');
    throw new ModelServerUnreachableError({ url, detail: redact(detail), cause: error });
  }
  const body = await response.text().catch(() => '');
  if (response.status === 404 || response.status === 405) return { available: null };
  if (response.status >= 500) {
    throw new ModelServerUnreachableError({
      url,
      detail: redact(`HTTP ${response.status}: ${body.slice(0, 300)}`),
    });
  }
  if (!response.ok) {
    throw new ModelRequestError({
      status: response.status,
      url,
      detail: redact(body.slice(0, 300) || response.statusText),
    });
  }
  let listed: unknown;
  try {
    listed = JSON.parse(body);
  } catch {
    throw new InvalidModelResponseError(
      `${url} did not return JSON: ${redact(body.slice(0, 120))}`,
    );
  }
  const data = (listed as { data?: unknown }).data;
  if (!Array.isArray(data)) {
    throw new InvalidModelResponseError(`${url} returned no "data" list of models`);
  }
  const available = data.flatMap((entry) =>
    entry !== null &&
    typeof entry === 'object' &&
    typeof (entry as { id?: unknown }).id === 'string'
      ? [(entry as { id: string }).id]
      : [],
  );
  if (!available.includes(options.model)) {
    throw new UnknownServedModelError({ url: options.baseURL, model: options.model, available });
  }
  return { available };
}

function describe(error: unknown): string {
  if (error instanceof OpenAI.APIError) {
    const status = typeof error.status === 'number' ? `HTTP ${error.status}: ` : '';
    return `${status}${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * A `VisionLanguageModelV1` behind any OpenAI-compatible chat-completions server (vLLM, SGLang,
 * OpenAI itself, or `serve` of this package), on the official `openai` client. Retries 429, 5xx,
 * timeouts and connection failures with exponential backoff; other 4xx answers become a
 * `ModelRequestError`. `topK` is sent as vLLM's `top_k` extension. With `tools`, the request
 * carries `tools` and `tool_choice` and the reply's `tool_calls` come back as `toolCalls` (for vLLM
 * serving Qwen2.5-VL: `--enable-auto-tool-choice --tool-call-parser hermes`).
 */
export function createOpenAICompatibleModel(
  options: OpenAICompatibleModelOptions,
): VisionLanguageModelV1 {
  const maxRetries = options.maxRetries ?? 4;
  const initialDelay = options.initialRetryDelayMs ?? 500;
  const maxDelay = options.maxRetryDelayMs ?? 8000;
  const sleep = options.sleep ?? defaultSleep;
  const limit = createLimiter(options.maxConcurrency ?? 8);
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY ?? 'EMPTY';
  const redact = (text: string) => redactSecrets(text, [apiKey]);
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey,
    maxRetries: 0,
    timeout: options.timeoutMs ?? 600_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const modelId = options.model;
  const { imageDetail } = options;
  if (imageDetail !== undefined && !['auto', 'low', 'high'].includes(imageDetail)) {
    throw new InvalidGenerateOptionsError(
      `imageDetail must be auto, low or high, got ${JSON.stringify(imageDetail)}`,
    );
  }
  const supportsLogprobs = options.supportsLogprobs ?? true;

  async function requestOnce(generate: GenerateOptionsV1): Promise<GenerateResultV1> {
    const body: Record<string, unknown> & {
      messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[];
    } = {
      model: modelId,
      messages: toOpenAIMessages(generate.messages, {
        ...(imageDetail !== undefined ? { imageDetail } : {}),
        ...(generate.imageCache !== undefined ? { imageCache: generate.imageCache } : {}),
      }),
      ...(generate.temperature !== undefined ? { temperature: generate.temperature } : {}),
      ...(generate.topP !== undefined ? { top_p: generate.topP } : {}),
      ...(generate.topK !== undefined && generate.topK > 0 ? { top_k: generate.topK } : {}),
      ...(generate.maxTokens !== undefined ? { max_tokens: generate.maxTokens } : {}),
      ...(generate.stop && generate.stop.length > 0 ? { stop: generate.stop } : {}),
      ...(generate.seed !== undefined ? { seed: generate.seed } : {}),
      ...(generate.logprobs && supportsLogprobs ? { logprobs: true } : {}),
      ...(generate.tools && generate.tools.length > 0
        ? { tools: generate.tools, tool_choice: generate.toolChoice ?? 'auto' }
        : {}),
    };
    // A controller per request, linked to the caller's (run-wide) signal and unlinked when the
    // request settles: handing the run signal itself to the client leaks one listener per request.
    const runSignal = generate.abortSignal;
    const controller = new AbortController();
    const onAbort = () => controller.abort(runSignal?.reason);
    if (runSignal?.aborted) controller.abort(runSignal.reason);
    else runSignal?.addEventListener('abort', onAbort, { once: true });
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      // What `chat.completions.create` sends, serialized here so the images' data URLs are not
      // escaped again on every request (the client passes a JSON string body through as it is).
      completion = await client.post<OpenAI.Chat.Completions.ChatCompletion>('/chat/completions', {
        body: stringifyChatRequest(body),
        headers: { 'content-type': 'application/json' },
        stream: false,
        ...(runSignal ? { signal: controller.signal } : {}),
      });
    } finally {
      runSignal?.removeEventListener('abort', onAbort);
    }
    const choice = completion.choices?.[0];
    if (choice === undefined) {
      throw new InvalidModelResponseError(
        `${options.baseURL} returned a completion without choices`,
      );
    }
    const logprobs = choice.logprobs?.content?.map((entry) => ({
      token: entry.token,
      logprob: entry.logprob,
    }));
    const toolCalls = (choice.message?.tool_calls ?? []).flatMap((call, position) =>
      call.type === 'function' && call.function
        ? [
            {
              // A server that leaves ids out still gets distinct ones to answer.
              id: call.id || `call_${position}`,
              name: call.function.name ?? '',
              arguments: call.function.arguments ?? '',
            },
          ]
        : [],
    );
    return {
      text: choice.message?.content ?? '',
      finishReason: mapFinishReason(choice.finish_reason),
      usage: {
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
      },
      ...(generate.logprobs && logprobs ? { logprobs } : {}),
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
    };
  }

  return {
    specificationVersion: 'v1',
    provider: 'openai-compatible',
    modelId,
    supportsLogprobs,
    async doGenerate(generate) {
      validateOptions(generate);
      return limit(async () => {
        for (let attempt = 1; ; attempt++) {
          if (generate.abortSignal?.aborted) throw new GenerationAbortedError(modelId);
          try {
            return await requestOnce(generate);
          } catch (error) {
            if (error instanceof OpenAI.APIUserAbortError || generate.abortSignal?.aborted) {
              throw new GenerationAbortedError(modelId, error);
            }
            if (!isRetryable(error)) {
              if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
                throw new ModelRequestError({
                  status: error.status,
                  url: options.baseURL,
                  detail: redact(error.message),
                  cause: error,
                });
              }
              throw error;
            }
            if (attempt > maxRetries) {
              throw new ModelUnavailableError({
                url: options.baseURL,
                attempts: attempt,
                detail: redact(describe(error)),
                cause: error,
              });
            }
            await sleep(Math.min(maxDelay, initialDelay * 2 ** (attempt - 1)));
          }
        }
      });
    },
  };
}
