import {
  GenerationAbortedError,
  InvalidGenerateOptionsError,
  ModelRuntimeError,
  ModelUnavailableError,
} from '../errors.js';
import type {
  GenerateOptionsV1,
  GenerateResultV1,
  VisionLanguageModelV1,
} from '../spec/language-model-v1.js';
import {
  createOpenAICompatibleModel,
  type OpenAICompatibleModelOptions,
} from './openai-compatible.js';

/** What one endpoint of a {@link MultiEndpointModel} did so far (summary.json records these). */
export interface EndpointStats {
  /** The endpoint's base URL. */
  url: string;
  /** Requests sent to it (each try counts). */
  requests: number;
  /** Requests it answered. */
  succeeded: number;
  /** Requests that failed there (the server was unreachable or kept failing) and went elsewhere. */
  failed: number;
  /** Requests in flight now. */
  inFlight: number;
  /** Times it was taken out of the rotation after a failure. */
  timesTakenOut: number;
  /** Whether it is in the rotation now (false while it is taken out). */
  available: boolean;
}

/** A model spread over several replicas of one served model. */
export interface MultiEndpointModel extends VisionLanguageModelV1 {
  endpointStats(): EndpointStats[];
}

export interface MultiEndpointModelOptions
  extends Omit<OpenAICompatibleModelOptions, 'baseURL' | 'maxRetries'> {
  /** Base URLs of the replicas (at least one), e.g. `http://10.0.0.1:8000/v1`. */
  baseURLs: readonly string[];
  /** How long a failed endpoint stays out of the rotation (default 30 000 ms). */
  cooldownMs?: number;
  /**
   * Retries of one request on the same endpoint before it counts as failed there (default 1): the
   * other replicas are the better retry.
   */
  retriesPerEndpoint?: number;
  /** Endpoints to leave out from the start (e.g. unreachable in a preflight check). */
  unavailable?: readonly string[];
  /** Milliseconds clock for the cooldowns (default `Date.now`). */
  now?: () => number;
  /** Builds the client of one endpoint (default: the OpenAI-compatible backend; tests inject). */
  createEndpointModel?: (options: OpenAICompatibleModelOptions) => VisionLanguageModelV1;
}

interface Endpoint {
  stats: Omit<EndpointStats, 'available'>;
  model: VisionLanguageModelV1;
  /** Out of the rotation until this time (ms); 0 when in it. */
  outUntil: number;
}

/** Only a server that cannot answer is a reason to go elsewhere; a refused request is not. */
function isEndpointFailure(error: unknown): boolean {
  return (
    ModelRuntimeError.isInstance(error) &&
    (error.name === 'ModelUnavailableError' || error.name === 'InvalidModelResponseError')
  );
}

/**
 * One served model behind several OpenAI-compatible endpoints (data-parallel vLLM or SGLang
 * replicas). Each request goes to the endpoint with the fewest requests in flight (then the one
 * that was sent the fewest); an endpoint that stays unreachable or keeps failing after
 * `retriesPerEndpoint` retries is taken out for `cooldownMs` and the request goes to the others,
 * so a replica that dies mid-run costs no item. When every endpoint is out, the one due back
 * first is tried; a request fails (`ModelUnavailableError`) only after every endpoint failed it.
 * Requests are stateless, so the turns of one episode may be answered by different replicas.
 */
export function createMultiEndpointModel(options: MultiEndpointModelOptions): MultiEndpointModel {
  const { baseURLs, cooldownMs = 30_000, retriesPerEndpoint = 1 } = options;
  if (baseURLs.length === 0) {
    throw new InvalidGenerateOptionsError('a multi-endpoint model needs at least one base URL');
  }
  if (new Set(baseURLs).size !== baseURLs.length) {
    throw new InvalidGenerateOptionsError(`base URLs repeat: ${baseURLs.join(', ')}`);
  }
  if (!(Number.isFinite(cooldownMs) && cooldownMs >= 0)) {
    throw new InvalidGenerateOptionsError(`cooldownMs must be ≥ 0, got ${cooldownMs}`);
  }
  const now = options.now ?? Date.now;
  const build = options.createEndpointModel ?? createOpenAICompatibleModel;
  const {
    baseURLs: _urls,
    cooldownMs: _cooldown,
    retriesPerEndpoint: _retries,
    unavailable,
    now: _now,
    createEndpointModel: _create,
    ...clientOptions
  } = options;
  const endpoints: Endpoint[] = baseURLs.map((baseURL) => ({
    stats: { url: baseURL, requests: 0, succeeded: 0, failed: 0, inFlight: 0, timesTakenOut: 0 },
    model: build({ ...clientOptions, baseURL, maxRetries: retriesPerEndpoint }),
    outUntil: 0,
  }));
  for (const url of unavailable ?? []) {
    const endpoint = endpoints.find((entry) => entry.stats.url === url);
    if (endpoint) {
      endpoint.outUntil = now() + cooldownMs;
      endpoint.stats.timesTakenOut += 1;
    }
  }

  function pick(tried: ReadonlySet<Endpoint>): Endpoint | undefined {
    const untried = endpoints.filter((endpoint) => !tried.has(endpoint));
    if (untried.length === 0) return undefined;
    const time = now();
    const inRotation = untried.filter((endpoint) => endpoint.outUntil <= time);
    if (inRotation.length === 0) {
      // Everything left is taken out: probe the one due back first rather than give up.
      return untried.reduce((best, endpoint) =>
        endpoint.outUntil < best.outUntil ? endpoint : best,
      );
    }
    return inRotation.reduce((best, endpoint) =>
      endpoint.stats.inFlight < best.stats.inFlight ||
      (endpoint.stats.inFlight === best.stats.inFlight &&
        endpoint.stats.requests < best.stats.requests)
        ? endpoint
        : best,
    );
  }

  return {
    specificationVersion: 'v1',
    provider: 'openai-compatible',
    modelId: options.model,
    supportsLogprobs: options.supportsLogprobs ?? true,
    async doGenerate(generate: GenerateOptionsV1): Promise<GenerateResultV1> {
      const tried = new Set<Endpoint>();
      const reasons: string[] = [];
      let lastError: unknown;
      for (let endpoint = pick(tried); endpoint !== undefined; endpoint = pick(tried)) {
        if (generate.abortSignal?.aborted) throw new GenerationAbortedError(options.model);
        tried.add(endpoint);
        endpoint.stats.requests += 1;
        endpoint.stats.inFlight += 1;
        try {
          const result = await endpoint.model.doGenerate(generate);
          endpoint.stats.succeeded += 1;
          endpoint.outUntil = 0;
          return result;
        } catch (error) {
          if (!isEndpointFailure(error)) throw error;
          endpoint.stats.failed += 1;
          if (endpoint.outUntil <= now()) endpoint.stats.timesTakenOut += 1;
          endpoint.outUntil = now() + cooldownMs;
          reasons.push(`${endpoint.stats.url}: ${(error as Error).message}`);
          lastError = error;
        } finally {
          endpoint.stats.inFlight -= 1;
        }
      }
      throw new ModelUnavailableError({
        url: baseURLs.join(', '),
        attempts: tried.size,
        detail: `every endpoint failed the request (${reasons.join('; ')})`,
        cause: lastError,
      });
    },
    endpointStats() {
      const time = now();
      return endpoints.map((endpoint) => ({
        ...endpoint.stats,
        available: endpoint.outUntil <= time,
      }));
    },
  };
}
