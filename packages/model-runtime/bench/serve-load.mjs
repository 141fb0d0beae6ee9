// Load test of `pixel-reasoner-serve` on loopback: 32 clients send a mix of valid, malformed and
// oversized requests while a 4 MB text prompt is always in flight; every valid request must be
// answered (200) with p99 latency under 2 s. The server runs as its own process (the CLI, on a
// freshly saved TinyVLM checkpoint at the default config), so the clients' work does not share its
// event loop. Writes bench-results/serve-load.json atomically; exits 1 when the target is missed.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRgbPng } from '../dist/index.js';
import { BpeTokenizer, saveCheckpoint, selectBackend, TinyVLM } from '../dist/local.js';

const here = dirname(fileURLToPath(import.meta.url));
const outPath = join(here, '..', 'bench-results', 'serve-load.json');
const clients = Number(process.env.SERVE_LOAD_CLIENTS ?? 32);
const requestsPerClient = Number(process.env.SERVE_LOAD_REQUESTS ?? 12);
const maxBodyBytes = 8 * 1024 * 1024;
const hugePromptBytes = 4 * 1024 * 1024;
const p99TargetMs = 2000;

function percentile(sorted, fraction) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

// --- A checkpoint at the default TinyVLM config (random weights: speed does not depend on them).
await selectBackend({ backend: process.env.SERVE_LOAD_BACKEND ?? 'wasm' });
const words =
  'red green blue yellow square circle triangle zoom crop the a is in of left right top bottom digit region answer'.split(
    ' ',
  );
const corpus = Array.from({ length: 400 }, (_, index) =>
  Array.from({ length: 12 }, (_, k) => words[(index * 7 + k * 13) % words.length]).join(' '),
);
const root = await mkdtemp(join(tmpdir(), 'serve-load-'));
const checkpoint = join(root, 'checkpoint');
const model = new TinyVLM({ tokenizer: BpeTokenizer.train(corpus, { vocabSize: 1024 }) });
const config = model.config;
await saveCheckpoint(model, checkpoint);
model.dispose();

// --- The server, as users start it.
const server = spawn(
  process.execPath,
  [
    join(here, '..', 'dist', 'bin', 'pixel-reasoner-serve.js'),
    '--checkpoint',
    checkpoint,
    '--port',
    '0',
    '--backend',
    process.env.SERVE_LOAD_BACKEND ?? 'wasm',
    '--max-body-bytes',
    String(maxBodyBytes),
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
const serverLog = [];
const url = await new Promise((resolve, reject) => {
  let buffered = '';
  server.stderr.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) {
      serverLog.push(line);
      const match = / at (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]);
    }
  });
  server.once('exit', (code) =>
    reject(new Error(`serve exited with ${code}: ${serverLog.join('\n')}`)),
  );
});

const modelId = 'tiny-vlm';
const image = encodeRgbPng({
  width: 64,
  height: 64,
  pixels: Uint8Array.from({ length: 64 * 64 * 3 }, (_, index) => (index * 37) % 251),
});
const imageUrl = `data:image/png;base64,${Buffer.from(image.data).toString('base64')}`;

function validBody(index) {
  const content =
    index % 2 === 0
      ? `Is the ${words[index % words.length]} square left of the circle?`
      : [
          { type: 'image_url', image_url: { url: imageUrl } },
          { type: 'text', text: 'Which colour is the region at the top?' },
        ];
  return JSON.stringify({
    model: modelId,
    messages: [{ role: 'user', content }],
    max_tokens: 16,
    temperature: 0,
  });
}

const malformedBodies = [
  '{"model": "tiny-vlm", "messages": [',
  JSON.stringify({ model: modelId, messages: [{ role: 'tool', content: 'x' }] }),
  JSON.stringify({ model: modelId, messages: [{ role: 'user', content: 'x' }], temperature: -1 }),
  JSON.stringify({
    model: modelId,
    messages: [
      {
        role: 'user',
        content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }],
      },
    ],
  }),
];
const oversizedBody = JSON.stringify({
  model: modelId,
  messages: [{ role: 'user', content: 'z'.repeat(maxBodyBytes + 1024) }],
});
const hugeBody = JSON.stringify({
  model: modelId,
  messages: [
    {
      role: 'user',
      content: 'red square '.repeat(hugePromptBytes / 11 + 1).slice(0, hugePromptBytes),
    },
  ],
  max_tokens: 16,
});

async function send(body) {
  const start = performance.now();
  try {
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    return { status: response.status, ms: performance.now() - start, text };
  } catch (error) {
    // An oversized upload may see its connection closed after the 413 is sent.
    return { status: 'reset', ms: performance.now() - start, text: String(error?.cause ?? error) };
  }
}

// --- Warm up once (first-call compilation), then the load.
await send(validBody(0));
const outcomes = { valid: [], malformed: [], oversized: [], huge: [] };
let running = true;
const hugeLoop = (async () => {
  while (running) outcomes.huge.push(await send(hugeBody));
})();
// Let the first 4 MB prompt reach the server before the clients start.
await new Promise((resolve) => setTimeout(resolve, 50));
const started = performance.now();
await Promise.all(
  Array.from({ length: clients }, async (_, client) => {
    for (let request = 0; request < requestsPerClient; request += 1) {
      const slot = (client + request) % 6;
      if (slot <= 2) outcomes.valid.push(await send(validBody(client * 31 + request)));
      else if (slot <= 4) {
        outcomes.malformed.push(
          await send(malformedBodies[(client + request) % malformedBodies.length]),
        );
      } else outcomes.oversized.push(await send(oversizedBody));
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
running = false;
await hugeLoop;
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
await rm(root, { recursive: true, force: true });

function statusCounts(list) {
  const counts = {};
  for (const outcome of list) counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
  return counts;
}
const validMs = outcomes.valid.map((outcome) => outcome.ms).sort((a, b) => a - b);
const unanswered = outcomes.valid.filter((outcome) => outcome.status !== 200).length;
const p99 = percentile(validMs, 0.99);
const report = {
  date: new Date().toISOString(),
  node: process.version,
  backend: process.env.SERVE_LOAD_BACKEND ?? 'wasm',
  model: { ...config, vocabSize: 1024 },
  clients,
  requestsPerClient,
  hugePromptBytes,
  maxBodyBytes,
  seconds: Number(seconds.toFixed(2)),
  valid: {
    count: outcomes.valid.length,
    unanswered,
    statuses: statusCounts(outcomes.valid),
    p50Ms: Number(percentile(validMs, 0.5).toFixed(1)),
    p90Ms: Number(percentile(validMs, 0.9).toFixed(1)),
    p99Ms: Number(p99.toFixed(1)),
    maxMs: Number(validMs.at(-1).toFixed(1)),
    requestsPerSecond: Number((outcomes.valid.length / seconds).toFixed(1)),
  },
  malformed: { count: outcomes.malformed.length, statuses: statusCounts(outcomes.malformed) },
  oversized: { count: outcomes.oversized.length, statuses: statusCounts(outcomes.oversized) },
  hugePrompt: {
    sent: outcomes.huge.length,
    statuses: statusCounts(outcomes.huge),
    medianMs: Number(
      percentile(
        outcomes.huge.map((outcome) => outcome.ms).sort((a, b) => a - b),
        0.5,
      ).toFixed(1),
    ),
    answer: outcomes.huge[0]?.text.slice(0, 300),
  },
  target: { p99Ms: p99TargetMs, met: unanswered === 0 && p99 < p99TargetMs },
};
await mkdir(dirname(outPath), { recursive: true });
const temporary = `${outPath}.${process.pid}.tmp`;
await writeFile(temporary, `${JSON.stringify(report, null, 2)}\n`);
await rename(temporary, outPath);
console.log(
  `serve load: ${report.valid.count} valid requests from ${clients} clients, ${unanswered} unanswered, p50 ${report.valid.p50Ms} ms, p99 ${report.valid.p99Ms} ms (target < ${p99TargetMs}); ${report.hugePrompt.sent} × 4 MB prompts ${JSON.stringify(report.hugePrompt.statuses)}; malformed ${JSON.stringify(report.malformed.statuses)}; oversized ${JSON.stringify(report.oversized.statuses)} → ${outPath}`,
);
process.exit(report.target.met ? 0 : 1);
