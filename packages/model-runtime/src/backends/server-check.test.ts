import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ModelRequestError,
  ModelServerUnreachableError,
  ModelUnavailableError,
  UnknownServedModelError,
} from '../errors.js';
import { checkOpenAICompatibleServer, createOpenAICompatibleModel } from './openai-compatible.js';

const KEY = 'sk-test-0123456789abcdef';

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (running) await new Promise((resolve) => running.close(resolve));
});

/** Answers every request with `status` and `body(request headers)`. */
async function fixedServer(status: number, body: (authorization: string) => unknown) {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body(request.headers.authorization ?? '')));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

describe('checkOpenAICompatibleServer', () => {
  it('passes when the server lists the model', async () => {
    const url = await fixedServer(200, () => ({ object: 'list', data: [{ id: 'qwen' }] }));
    await expect(checkOpenAICompatibleServer({ baseURL: url, model: 'qwen' })).resolves.toEqual({
      available: ['qwen'],
    });
  });

  it('names the served models when the requested one is not among them', async () => {
    const url = await fixedServer(200, () => ({ data: [{ id: 'qwen' }, { id: 'llava' }] }));
    const error = await checkOpenAICompatibleServer({ baseURL: url, model: 'PixelReasoner' }).catch(
      (caught: unknown) => caught,
    );
    expect(UnknownServedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'does not serve "PixelReasoner"; it serves "qwen", "llava"',
    );
  });

  it('reports a dead port as unreachable at once', async () => {
    const error = await checkOpenAICompatibleServer({
      baseURL: 'http://127.0.0.1:1/v1',
      model: 'm',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelServerUnreachableError);
    expect((error as Error).message).toMatch(/127\.0\.0\.1:1\/v1\/models is not reachable/);
  });

  it('turns a 401 into a ModelRequestError without the key the server echoed', async () => {
    const url = await fixedServer(401, (authorization) => ({
      error: { message: `bad credentials: ${authorization}` },
    }));
    const error = await checkOpenAICompatibleServer({
      baseURL: url,
      model: 'm',
      apiKey: KEY,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as ModelRequestError).status).toBe(401);
    expect((error as Error).message).not.toContain(KEY);
    expect((error as Error).message).toContain('[redacted]');
  });

  it('passes a server without a model list (404)', async () => {
    const url = await fixedServer(404, () => ({ error: 'not found' }));
    await expect(checkOpenAICompatibleServer({ baseURL: url, model: 'm' })).resolves.toEqual({
      available: null,
    });
  });
});

describe('createOpenAICompatibleModel error texts', () => {
  it('redacts the API key a server echoes in a 401 and in 5xx retries', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const refused = await fixedServer(401, (authorization) => ({
      error: { message: `key ${authorization} rejected` },
    }));
    const model = createOpenAICompatibleModel({ baseURL: refused, model: 'm', apiKey: KEY });
    const error = await model.doGenerate({ messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).not.toContain(KEY);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const failing = await fixedServer(503, (authorization) => ({
      error: { message: `upstream saw ${authorization}` },
    }));
    const retried = createOpenAICompatibleModel({
      baseURL: failing,
      model: 'm',
      apiKey: KEY,
      maxRetries: 1,
      sleep: async () => {},
    });
    const unavailable = await retried.doGenerate({ messages }).catch((caught: unknown) => caught);
    expect(unavailable).toBeInstanceOf(ModelUnavailableError);
    expect((unavailable as Error).message).not.toContain(KEY);
  });
});

describe('createOpenAICompatibleModel and the run-wide abort signal', () => {
  it('leaves no abort listener behind per request', async () => {
    const url = await fixedServer(200, () => ({
      id: 'x',
      object: 'chat.completion',
      created: 0,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }));
    const model = createOpenAICompatibleModel({ baseURL: url, model: 'm' });
    const run = new AbortController();
    for (let index = 0; index < 12; index++) {
      await model.doGenerate({
        messages: [{ role: 'user', content: 'hi' }],
        abortSignal: run.signal,
      });
    }
    expect(EventEmitter.getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });
});
