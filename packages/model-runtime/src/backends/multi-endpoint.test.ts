import { describe, expect, it } from 'vitest';
import { ModelRequestError, ModelUnavailableError } from '../errors.js';
import type { GenerateResultV1, VisionLanguageModelV1 } from '../spec/language-model-v1.js';
import { createMultiEndpointModel } from './multi-endpoint.js';
import type { OpenAICompatibleModelOptions } from './openai-compatible.js';

/** Fake replicas: each answers with its URL, or fails while `down` has it. */
function fakeReplicas() {
  const down = new Set<string>();
  const refusing = new Set<string>();
  const built: OpenAICompatibleModelOptions[] = [];
  const release: (() => void)[] = [];
  let hold = false;
  const createEndpointModel = (options: OpenAICompatibleModelOptions): VisionLanguageModelV1 => {
    built.push(options);
    return {
      specificationVersion: 'v1',
      provider: 'fake',
      modelId: options.model,
      supportsLogprobs: false,
      async doGenerate(): Promise<GenerateResultV1> {
        if (hold) await new Promise<void>((resolve) => release.push(resolve));
        if (down.has(options.baseURL)) {
          throw new ModelUnavailableError({
            url: options.baseURL,
            attempts: 2,
            detail: 'connect ECONNREFUSED',
          });
        }
        if (refusing.has(options.baseURL)) {
          throw new ModelRequestError({ status: 400, url: options.baseURL, detail: 'bad image' });
        }
        return {
          text: options.baseURL,
          finishReason: 'stop',
          usage: { inputTokens: 1, outputTokens: 1 },
        };
      },
    };
  };
  return {
    down,
    refusing,
    built,
    createEndpointModel,
    holdRequests(on: boolean) {
      hold = on;
    },
    releaseAll() {
      for (const resolve of release.splice(0)) resolve();
    },
  };
}

const urls = ['http://a/v1', 'http://b/v1', 'http://c/v1'];
const ask = { messages: [{ role: 'user' as const, content: 'q' }] };

describe('createMultiEndpointModel', () => {
  it('builds one client per endpoint with few retries of its own', () => {
    const replicas = fakeReplicas();
    createMultiEndpointModel({ baseURLs: urls, model: 'm', ...replicas, apiKey: 'k' });
    expect(replicas.built.map((options) => options.baseURL)).toEqual(urls);
    expect(
      replicas.built.every((options) => options.maxRetries === 1 && options.apiKey === 'k'),
    ).toBe(true);
  });

  it('sends each request to the endpoint with the fewest in flight', async () => {
    const replicas = fakeReplicas();
    const model = createMultiEndpointModel({ baseURLs: urls, model: 'm', ...replicas });
    replicas.holdRequests(true);
    const pending = Array.from({ length: 6 }, () => model.doGenerate(ask));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(model.endpointStats().map((stats) => stats.inFlight)).toEqual([2, 2, 2]);
    replicas.releaseAll();
    const answers = (await Promise.all(pending)).map((result) => result.text);
    expect(answers.sort()).toEqual([...urls, ...urls].sort());
    expect(model.endpointStats().map((stats) => stats.succeeded)).toEqual([2, 2, 2]);
  });

  it('takes a failing endpoint out, sends its requests to the others, and brings it back', async () => {
    const replicas = fakeReplicas();
    let time = 1000;
    const model = createMultiEndpointModel({
      baseURLs: urls,
      model: 'm',
      cooldownMs: 5000,
      now: () => time,
      ...replicas,
    });
    replicas.down.add('http://b/v1');
    const answers: string[] = [];
    for (let index = 0; index < 6; index++) answers.push((await model.doGenerate(ask)).text);
    expect(answers).not.toContain('http://b/v1');
    expect(answers).toHaveLength(6);
    const b = model.endpointStats()[1]!;
    expect(b).toMatchObject({ failed: 1, timesTakenOut: 1, available: false, succeeded: 0 });
    replicas.down.delete('http://b/v1');
    time += 5000;
    expect(model.endpointStats()[1]!.available).toBe(true);
    const later = [];
    for (let index = 0; index < 3; index++) later.push((await model.doGenerate(ask)).text);
    expect(later).toContain('http://b/v1');
  });

  it('fails a request only after every endpoint failed it, naming them all', async () => {
    const replicas = fakeReplicas();
    const model = createMultiEndpointModel({ baseURLs: urls, model: 'm', ...replicas });
    for (const url of urls) replicas.down.add(url);
    const failure = model.doGenerate(ask);
    await expect(failure).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(model.doGenerate(ask)).rejects.toThrow(
      /http:\/\/a\/v1.*http:\/\/b\/v1.*http:\/\/c\/v1/,
    );
    expect(model.endpointStats().map((stats) => stats.failed)).toEqual([2, 2, 2]);
  });

  it('probes the endpoint due back first when all are out', async () => {
    const replicas = fakeReplicas();
    let time = 0;
    const model = createMultiEndpointModel({
      baseURLs: urls,
      model: 'm',
      now: () => time,
      ...replicas,
    });
    for (const url of urls) replicas.down.add(url);
    await expect(model.doGenerate(ask)).rejects.toThrow(ModelUnavailableError);
    replicas.down.delete('http://c/v1');
    time += 1;
    expect((await model.doGenerate(ask)).text).toBe('http://c/v1');
  });

  it('does not go elsewhere when the request itself is refused (4xx)', async () => {
    const replicas = fakeReplicas();
    const model = createMultiEndpointModel({ baseURLs: urls, model: 'm', ...replicas });
    replicas.refusing.add('http://a/v1');
    await expect(model.doGenerate(ask)).rejects.toBeInstanceOf(ModelRequestError);
    expect(model.endpointStats().map((stats) => stats.requests)).toEqual([1, 0, 0]);
    expect(model.endpointStats()[0]!.available).toBe(true);
  });

  it('leaves endpoints out from the start when told, and refuses bad lists by name', async () => {
    const replicas = fakeReplicas();
    const model = createMultiEndpointModel({
      baseURLs: urls,
      model: 'm',
      unavailable: ['http://a/v1'],
      ...replicas,
    });
    expect((await model.doGenerate(ask)).text).toBe('http://b/v1');
    expect(() => createMultiEndpointModel({ baseURLs: [], model: 'm' })).toThrow(/at least one/);
    expect(() =>
      createMultiEndpointModel({ baseURLs: ['http://a/v1', 'http://a/v1'], model: 'm' }),
    ).toThrow(/repeat: http:\/\/a\/v1, http:\/\/a\/v1/);
  });
});
