import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidOptionError, InvalidRequestError } from './errors.js';
import { ToolService, type ToolServiceOptions, type ToolServiceStats } from './tool-service.js';

export interface ToolServerOptions extends ToolServiceOptions {
  /** Port to listen on; 0 picks a free one (default 5000, verl-tool's). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Request bodies above this many bytes are refused with 413 (default 256 MiB). */
  maxBodyBytes?: number;
  /** How often idle trajectories are swept (default a quarter of the TTL, at most a minute). */
  sweepIntervalMs?: number;
}

export interface RunningToolServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly service: ToolService;
  close(): Promise<void>;
}

export const DEFAULT_TOOL_SERVER_PORT = 5000;
const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;

class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      // Past the limit the rest is discarded; the 413 is sent and the connection closed after it.
      if (size > limit) {
        chunks.length = 0;
        rejectBody(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolveBody(Buffer.concat(chunks)));
    request.on('error', rejectBody);
  });
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** The `/health` answer: verl-tool's router waits for `status: "healthy"`. */
function health(stats: ToolServiceStats, started: number) {
  return {
    status: 'healthy',
    tools: ['pixel_reasoner', 'finish'],
    uptime_seconds: (Date.now() - started) / 1000,
    concurrent_requests: stats.inFlight,
    trajectories: stats.trajectories,
    state_bytes: stats.bytes,
    evicted: stats.evicted,
    requests: stats.requests,
    actions: stats.actions,
  };
}

/**
 * Starts `pixel-reasoner-tool-server`: verl-tool's tool-server protocol (`POST /get_observation`,
 * `GET /health`) in front of a `ToolService`. Resolves once it listens.
 */
export async function startToolServer(options: ToolServerOptions = {}): Promise<RunningToolServer> {
  const port = options.port ?? DEFAULT_TOOL_SERVER_PORT;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new InvalidOptionError('port', `must be an integer in [0, 65535], got ${port}`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(Number.isFinite(maxBodyBytes) && maxBodyBytes > 0)) {
    throw new InvalidOptionError('maxBodyBytes', `must be a positive number, got ${maxBodyBytes}`);
  }
  const service = new ToolService(options);
  const started = Date.now();
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    try {
      if (request.method === 'GET' && (path === '/health' || path === '/')) {
        sendJson(response, 200, health(service.stats(), started));
        return;
      }
      if (request.method !== 'POST' || path !== '/get_observation') {
        sendJson(response, 404, { detail: `no route for ${request.method} ${path}` });
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse((await readBody(request, maxBodyBytes)).toString('utf8'));
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          response.setHeader('connection', 'close');
          sendJson(response, 413, { detail: `request body exceeds ${maxBodyBytes} bytes` });
          response.once('finish', () => request.destroy());
          return;
        }
        sendJson(response, 400, {
          detail: `request body is not JSON: ${(error as Error).message}`,
        });
        return;
      }
      sendJson(response, 200, await service.getObservations(body));
    } catch (error) {
      if (error instanceof InvalidRequestError) {
        sendJson(response, 422, { detail: error.message });
        return;
      }
      sendJson(response, 500, { detail: `Processing failed: ${(error as Error).message}` });
    }
  });
  server.keepAliveTimeout = 30_000;
  const sweepEvery =
    options.sweepIntervalMs ?? Math.min(60_000, Math.max(1_000, service.store.ttlMs / 4));
  const sweeper = setInterval(() => service.store.sweep(), sweepEvery);
  sweeper.unref();
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, options.host ?? '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    service,
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        clearInterval(sweeper);
        server.close((error) => (error ? rejectClose(error) : resolveClose()));
        server.closeAllConnections();
        service.store.clear();
      }),
  };
}
