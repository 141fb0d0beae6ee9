import { Worker } from 'node:worker_threads';

/** The outcome of parsing one request body. */
export type ParsedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid-json' }
  /** The body's message texts total `textBytes`, over the bound: the parsed body is not kept. */
  | { kind: 'too-long'; textBytes: number };

/**
 * UTF-8 bytes of every text in an OpenAI `messages` array (string contents and `text` parts), as
 * far as the body has that shape; the request parser reports any other shape.
 */
export function messageTextBytes(body: unknown): number {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return 0;
  let bytes = 0;
  for (const message of messages) {
    const content = (message as { content?: unknown } | null)?.content;
    if (typeof content === 'string') bytes += Buffer.byteLength(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text = (part as { text?: unknown } | null)?.text;
        if (typeof text === 'string') bytes += Buffer.byteLength(text);
      }
    }
  }
  return bytes;
}

function parseHere(body: Uint8Array, maxTextBytes: number): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return { kind: 'invalid-json' };
  }
  const textBytes = messageTextBytes(value);
  return textBytes > maxTextBytes ? { kind: 'too-long', textBytes } : { kind: 'json', value };
}

// The worker is plain JavaScript evaluated from this string, so it runs the same from the
// TypeScript sources (tests) and from dist; it repeats `parseHere` and `messageTextBytes`.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
function messageTextBytes(body) {
  const messages = body === null || typeof body !== 'object' ? undefined : body.messages;
  if (!Array.isArray(messages)) return 0;
  let bytes = 0;
  for (const message of messages) {
    const content = message === null || typeof message !== 'object' ? undefined : message.content;
    if (typeof content === 'string') bytes += Buffer.byteLength(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text = part === null || typeof part !== 'object' ? undefined : part.text;
        if (typeof text === 'string') bytes += Buffer.byteLength(text);
      }
    }
  }
  return bytes;
}
parentPort.on('message', ({ id, body, maxTextBytes }) => {
  let value;
  try {
    value = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    parentPort.postMessage({ id, result: { kind: 'invalid-json' } });
    return;
  }
  const textBytes = messageTextBytes(value);
  parentPort.postMessage({
    id,
    result: textBytes > maxTextBytes ? { kind: 'too-long', textBytes } : { kind: 'json', value },
  });
});
`;

/**
 * Parses request bodies: small ones on the calling thread, large ones (at least `offThreadBytes`)
 * in a worker thread, so decoding a multi-megabyte body never holds up the event loop that serves
 * the other requests. A body whose message texts exceed `maxTextBytes` comes back as `too-long`
 * without its parsed value crossing back.
 */
export class BodyParser {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (result: ParsedBody) => void; reject: (error: Error) => void }
  >();

  constructor(private readonly options: { offThreadBytes: number; maxTextBytes: number }) {}

  parse(body: Uint8Array): Promise<ParsedBody> {
    if (body.byteLength < this.options.offThreadBytes) {
      return Promise.resolve(parseHere(body, this.options.maxTextBytes));
    }
    const worker = this.start();
    const id = this.nextId++;
    // A copy of its own, so the worker can take it without detaching a pooled buffer.
    const copy = new Uint8Array(body);
    return new Promise<ParsedBody>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, body: copy, maxTextBytes: this.options.maxTextBytes }, [
        copy.buffer,
      ]);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', ({ id, result }: { id: number; result: ParsedBody }) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) worker.unref();
      waiting?.resolve(result);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) =>
      fail(new Error(`the body-parsing worker exited with code ${code}`)),
    );
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
