import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message of a chat-completions request, as the server received it. */
export type WireMessage = {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
};

export interface ScriptedChatRequest {
  body: Record<string, unknown> & { messages: WireMessage[] };
  /** Assistant messages already in the request: 0 for an episode's first turn. */
  turnIndex: number;
}

export interface ScriptedChatReply {
  content?: string | null;
  toolCalls?: { id: string; name: string; arguments: string }[];
  /** Default `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: string;
}

export interface ScriptedChatServerOptions {
  /** The model name `GET /v1/models` lists. */
  model: string;
  reply: (request: ScriptedChatRequest) => ScriptedChatReply;
}

export interface ScriptedChatServer {
  /** Base URL ending in `/v1`. */
  url: string;
  /** Every chat-completions request body, in arrival order. */
  readonly requests: ScriptedChatRequest['body'][];
  /** The `authorization` header of every request (models listing included), in arrival order. */
  readonly authorizations: string[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A minimal OpenAI-compatible server whose answers are scripted, including native `tool_calls`
 * (which model-runtime `serve` does not produce): `GET /v1/models` and
 * `POST /v1/chat/completions` (non-streaming). It records every request so tests can check what
 * went over the wire.
 */
export async function startScriptedChatServer(
  options: ScriptedChatServerOptions,
): Promise<ScriptedChatServer> {
  const requests: ScriptedChatRequest['body'][] = [];
  const authorizations: string[] = [];
  let served = 0;
  const server = createServer((request, response) => {
    authorizations.push(request.headers.authorization ?? '');
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (request.method === 'GET' && request.url === '/v1/models') {
      send(200, { object: 'list', data: [{ id: options.model, object: 'model' }] });
      return;
    }
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      send(404, { error: { message: `no route ${request.method} ${request.url}` } });
      return;
    }
    readBody(request)
      .then((text) => {
        const body = JSON.parse(text) as ScriptedChatRequest['body'];
        requests.push(body);
        const turnIndex = body.messages.filter((message) => message.role === 'assistant').length;
        const reply = options.reply({ body, turnIndex });
        const toolCalls = reply.toolCalls ?? [];
        send(200, {
          id: `chatcmpl-${served++}`,
          object: 'chat.completion',
          created: 0,
          model: options.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: reply.content ?? null,
                ...(toolCalls.length > 0
                  ? {
                      tool_calls: toolCalls.map((call) => ({
                        id: call.id,
                        type: 'function',
                        function: { name: call.name, arguments: call.arguments },
                      })),
                    }
                  : {}),
              },
              finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        });
      })
      .catch((error: unknown) => send(400, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
