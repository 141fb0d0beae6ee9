// Evaluation-harness overhead: 65 two-turn episodes (crop, then answer) of photo-sized JPEG inputs
// against a fake OpenAI server in its own process that answers every request after a fixed 200 ms,
// at concurrency 1 and 32. The server does no model work, so everything beyond the latency is the
// client: reading inputs, operations, encoding images, building and sending request bodies.
// Writes bench-results/harness.json atomically: wall time, scaling efficiency at 32 (the ideal
// wall time over the measured one) and client CPU ms per request.
// HARNESS_EAGER_INPUTS=1 decodes every input up front (`decodeImage`), as the eval harness did.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage, readImage } from '@pixel-reasoner/visual-ops';
import sharp from 'sharp';
import { createOpenAICompatibleModel, pixelReasonerV1Profile, runEpisodes } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const outPath = join(here, '..', 'bench-results', 'harness.json');
const EPISODES = 65;
const LATENCY_MS = 200;
const TURNS = 2;
const CONCURRENCY = [1, 32];
const eagerInputs = process.env.HARNESS_EAGER_INPUTS === '1';
// The reference's evaluation input budget (eval-benchmarks' REFERENCE_EVAL_INPUT_PIXELS).
const INPUT_RESIZE = { factor: 28, minPixels: 256 * 28 * 28, maxPixels: 8000 * 28 * 28 };

const serverSource = `
import { createServer } from 'node:http';
let requests = 0;
let bodyBytes = 0;
const call = '<tool_call>\\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.3, 0.25, 0.6, 0.55], "target_image": 1}}\\n</tool_call>';
const server = createServer((request, response) => {
  if (request.method === 'GET') {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ requests, bodyBytes }));
    return;
  }
  let length = 0;
  let tail = '';
  let answered = false;
  request.on('data', (chunk) => {
    length += chunk.length;
    // An assistant turn in the chat means the crop was seen: answer. Only the text is searched.
    const text = tail + chunk.toString('latin1');
    if (text.includes('"role":"assistant"')) answered = true;
    tail = text.slice(-32);
  });
  request.on('end', () => {
    requests += 1;
    bodyBytes += length;
    const content = answered ? 'The answer is (A).' : 'Let me zoom in.\\n\\n' + call;
    setTimeout(() => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({
        id: 'bench-' + requests, object: 'chat.completion', created: 0, model: 'bench',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
        usage: { prompt_tokens: 1000, completion_tokens: 20, total_tokens: 1020 },
      }));
    }, ${LATENCY_MS});
  });
});
// Idle keep-alive sockets outlive the client's pool, so no request races a server-side close.
server.keepAliveTimeout = 120000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

function startServer() {
  const child = spawn(process.execPath, ['--input-type=module', '-e', serverSource], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk) => resolve({ child, port: Number(String(chunk).trim()) }));
  });
}

/** Photo-like inputs: smooth colour gradients under sensor-like noise, as JPEG quality 90. */
async function photoJpegs(folder) {
  const paths = [];
  for (let index = 0; index < 5; index += 1) {
    const width = 2246;
    const height = 1582;
    const base = await sharp({
      create: {
        width,
        height,
        channels: 3,
        noise: { type: 'gaussian', mean: 110 + index * 10, sigma: 40 },
      },
    })
      .blur(1.2)
      .linear([0.7, 0.9, 1.1], [index * 8, 20, 40 - index * 5])
      .jpeg({ quality: 90 })
      .toBuffer();
    const path = join(folder, `photo-${index}.jpg`);
    await writeFile(path, base);
    paths.push(path);
  }
  return paths;
}

async function serverStats(port) {
  const response = await fetch(`http://127.0.0.1:${port}/stats`);
  return response.json();
}

async function run({ port, paths, concurrency }) {
  const model = createOpenAICompatibleModel({
    baseURL: `http://127.0.0.1:${port}/v1`,
    model: 'bench',
    apiKey: 'EMPTY',
    maxConcurrency: concurrency,
    maxRetries: 0,
  });
  const before = await serverStats(port);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  // Items read their input as the eval harness does, inside the run (the cost is the client's).
  const items = Array.from({ length: EPISODES }, (_, index) => index);
  let loaded = 0;
  const outcomes = await runEpisodes(
    await Promise.all(
      items.map(async (index) => {
        const path = paths[index % paths.length];
        const image = eagerInputs
          ? await decodeImage(path, { resize: INPUT_RESIZE })
          : await readImage(path, { resize: INPUT_RESIZE });
        loaded += 1;
        return {
          id: `item-${index}`,
          question: 'What colour is the object? (A) red (B) blue',
          media: [{ type: 'image', image }],
        };
      }),
    ),
    { model, profile: pixelReasonerV1Profile, concurrency },
  );
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await serverStats(port);
  const failed = outcomes.filter((outcome) => !outcome.ok);
  if (failed.length > 0) throw failed[0].error;
  const turns = outcomes.map((outcome) => outcome.episode.turns.length);
  if (turns.some((count) => count !== TURNS) || loaded !== EPISODES) {
    throw new Error(`expected ${TURNS} turns per episode, got ${[...new Set(turns)].join(', ')}`);
  }
  const requests = after.requests - before.requests;
  const clientCpuMs = (cpu.user + cpu.system) / 1000;
  const idealWallMs = Math.ceil(EPISODES / concurrency) * TURNS * LATENCY_MS;
  return {
    concurrency,
    episodes: EPISODES,
    requests,
    wallMs: +wallMs.toFixed(0),
    idealWallMs,
    efficiency: +(idealWallMs / wallMs).toFixed(3),
    requestsPerSecond: +(requests / (wallMs / 1000)).toFixed(1),
    clientCpuMsPerRequest: +(clientCpuMs / requests).toFixed(2),
    requestBodyMB: +((after.bodyBytes - before.bodyBytes) / 1e6).toFixed(1),
  };
}

const folder = await mkdtemp(join(tmpdir(), 'harness-bench-'));
const { child, port } = await startServer();
try {
  const paths = await photoJpegs(folder);
  // Warm-up: JIT, sharp's thread pool, the HTTP agent.
  console.error(JSON.stringify(await run({ port, paths, concurrency: 8 })));
  const runs = [];
  for (const concurrency of CONCURRENCY) {
    runs.push(await run({ port, paths, concurrency }));
    console.error(JSON.stringify(runs.at(-1)));
  }
  const [one, many] = runs;
  const result = {
    node: process.version,
    cores: cpus().length,
    episodes: EPISODES,
    turnsPerEpisode: TURNS,
    serverLatencyMs: LATENCY_MS,
    input: '5 photo-like JPEGs 2246×1582 (V*-sized), reference eval input budget',
    inputs: eagerInputs ? 'decoded up front (decodeImage)' : 'read lazily (readImage with resize)',
    runs,
    scalingEfficiencyAt32: many.efficiency,
    speedup32Over1: +(one.wallMs / many.wallMs).toFixed(2),
    clientCpuMsPerRequest: many.clientCpuMsPerRequest,
    load: {
      note: 'measured once, under load: other work (a training job at normal priority) shared the machine; see loadAverage1m and niceLevel',
      loadAverage1m: +loadavg()[0].toFixed(2),
      niceLevel: process.env.BENCH_NICE ?? 'unknown (set BENCH_NICE to record it)',
    },
  };
  await mkdir(dirname(outPath), { recursive: true });
  const temp = `${outPath}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(result, null, 2)}\n`);
  await rename(temp, outPath);
  console.log(JSON.stringify(result, null, 2));
} finally {
  child.kill();
  await rm(folder, { recursive: true, force: true });
}
