// Evaluation-harness overhead: N two-turn episodes (crop, then answer) of photo-sized JPEG inputs
// against a fake OpenAI-compatible server in this process that answers every request after a
// fixed 200 ms, at concurrency 1 and 32. The server does no model work, so everything beyond the
// latency is the client: reading and resizing inputs, the crop, encoding images, building and
// sending request bodies (plus the fake server's receiving, a small share, since it runs here).
// Each episode reads its input inside its concurrency slot, as eval-benchmarks' runner does.
//
// Configurations, all measured in this run:
//   png          the default: inputs resized and written as PNG, crops as PNG, the episode's
//                image cache on (each data URL built once per episode)
//   png-no-cache the same with the image cache taken out of every request (a data URL rebuilt on
//                every turn), and inputs decoded up front (`decodeImage`), as before issue 15
//   jpeg         resized inputs and crops written as JPEG quality 90 (opt-in: `readImage`'s
//                `encoding`, `cropEncoding`; apps/eval `--image-encoding jpeg`)
//   jpeg-original inputs sent as their files' bytes, unresized and undecoded until the crop (the
//                server's processor applies its own pixel budget; eval-benchmarks
//                `media: { inputPixels: false }`), crops as JPEG: the floor without client resizing
// HARNESS_CONFIGS=png,jpeg picks some; HARNESS_EPISODES sets N (default 65); HARNESS_OUT writes
// elsewhere than bench-results/harness.json. Written atomically.

import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { cpus, getPriority, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage, readImage } from '@pixel-reasoner/visual-ops';
import sharp from 'sharp';
import { createOpenAICompatibleModel, pixelReasonerV1Profile, runEpisode } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const outPath = process.env.HARNESS_OUT ?? join(here, '..', 'bench-results', 'harness.json');
const EPISODES = Number(process.env.HARNESS_EPISODES ?? 65);
const LATENCY_MS = 200;
const TURNS = 2;
const CONCURRENCY = [1, 32];
// The reference's evaluation input budget (eval-benchmarks' REFERENCE_EVAL_INPUT_PIXELS).
const INPUT_RESIZE = { factor: 28, minPixels: 256 * 28 * 28, maxPixels: 8000 * 28 * 28 };
const JPEG = { format: 'jpeg', quality: 90 };

const CONFIGS = {
  png: { inputs: 'lazy', cache: true },
  'png-no-cache': { inputs: 'eager', cache: false },
  jpeg: { inputs: 'lazy', cache: true, encoding: JPEG },
  'jpeg-original': { inputs: 'original', cache: true, encoding: JPEG },
};
const selected = (process.env.HARNESS_CONFIGS ?? Object.keys(CONFIGS).join(','))
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
for (const name of selected) {
  if (!(name in CONFIGS)) throw new Error(`unknown configuration ${name}`);
}

const CALL =
  '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.3, 0.25, 0.6, 0.55], "target_image": 1}}\n</tool_call>';
const ASSISTANT = Buffer.from('"role":"assistant"');

/** The fake server: counts requests and body bytes; answers with a crop, then (once the chat has an assistant turn) an answer. */
function startServer() {
  const stats = { requests: 0, bodyBytes: 0 };
  const server = createServer((request, response) => {
    let length = 0;
    let tail = Buffer.alloc(0);
    let answered = false;
    request.on('data', (chunk) => {
      length += chunk.length;
      if (!answered) {
        const seam = Buffer.concat([tail, chunk.subarray(0, ASSISTANT.length)]);
        answered = seam.includes(ASSISTANT) || chunk.includes(ASSISTANT);
        tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - ASSISTANT.length)));
      }
    });
    request.on('end', () => {
      stats.requests += 1;
      stats.bodyBytes += length;
      const content = answered ? 'The answer is (A).' : `Let me zoom in.\n\n${CALL}`;
      setTimeout(() => {
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            id: `bench-${stats.requests}`,
            object: 'chat.completion',
            created: 0,
            model: 'bench',
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
            usage: { prompt_tokens: 1000, completion_tokens: 20, total_tokens: 1020 },
          }),
        );
      }, LATENCY_MS);
    });
  });
  // Idle keep-alive sockets outlive the client's pool, so no request races a server-side close.
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, stats, port: server.address().port }));
  });
}

/** Photo-like inputs (V*'s mean size): smooth colour gradients under sensor-like noise, JPEG 90. */
async function photoJpegs(folder) {
  const paths = [];
  for (let index = 0; index < 5; index += 1) {
    const bytes = await sharp({
      create: {
        width: 2246,
        height: 1582,
        channels: 3,
        noise: { type: 'gaussian', mean: 110 + index * 10, sigma: 40 },
      },
    })
      .blur(1.2)
      .linear([0.7, 0.9, 1.1], [index * 8, 20, 40 - index * 5])
      .jpeg({ quality: 90 })
      .toBuffer();
    const path = join(folder, `photo-${index}.jpg`);
    await writeFile(path, bytes);
    paths.push(path);
  }
  return paths;
}

function readInput(path, config) {
  if (config.inputs === 'eager') return decodeImage(path, { resize: INPUT_RESIZE });
  if (config.inputs === 'original') return readImage(path);
  return readImage(path, {
    resize: INPUT_RESIZE,
    ...(config.encoding ? { encoding: config.encoding } : {}),
  });
}

async function run({ port, stats, paths, concurrency, name, config, episodes = EPISODES }) {
  const http = createOpenAICompatibleModel({
    baseURL: `http://127.0.0.1:${port}/v1`,
    model: 'bench',
    apiKey: 'EMPTY',
    maxConcurrency: concurrency,
    maxRetries: 0,
  });
  // Without the episode's cache every request builds its data URLs again, as before issue 15.
  const model = config.cache
    ? http
    : { ...http, doGenerate: ({ imageCache: _cache, ...generate }) => http.doGenerate(generate) };
  const toolOptions = config.encoding ? { cropEncoding: config.encoding } : {};
  const before = { ...stats };
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const turns = [];
  let next = 0;
  const worker = async () => {
    while (next < episodes) {
      const index = next++;
      const image = await readInput(paths[index % paths.length], config);
      const episode = await runEpisode({
        model,
        profile: pixelReasonerV1Profile,
        question: 'What colour is the object? (A) red (B) blue',
        media: [{ type: 'image', image }],
        toolOptions,
      });
      turns.push(episode.turns.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, episodes) }, worker));
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  if (turns.length !== episodes || turns.some((count) => count !== TURNS)) {
    throw new Error(`expected ${TURNS} turns per episode, got ${[...new Set(turns)].join(', ')}`);
  }
  const requests = stats.requests - before.requests;
  const bodyBytes = stats.bodyBytes - before.bodyBytes;
  const clientCpuMs = (cpu.user + cpu.system) / 1000;
  const idealWallMs = Math.ceil(episodes / concurrency) * TURNS * LATENCY_MS;
  return {
    configuration: name,
    concurrency,
    episodes,
    requests,
    wallMs: Math.round(wallMs),
    idealWallMs,
    efficiency: +(idealWallMs / wallMs).toFixed(3),
    requestsPerSecond: +(requests / (wallMs / 1000)).toFixed(1),
    clientCpuMsPerRequest: +(clientCpuMs / requests).toFixed(1),
    requestBodyBytes: bodyBytes,
    requestBodyBytesPerRequest: Math.round(bodyBytes / requests),
  };
}

async function previousResult() {
  try {
    return JSON.parse(await readFile(outPath, 'utf8'));
  } catch {
    return undefined;
  }
}

const loadAtStart = loadavg();
const folder = await mkdtemp(join(tmpdir(), 'harness-bench-'));
const { server, stats, port } = await startServer();
try {
  const paths = await photoJpegs(folder);
  // Warm-up: JIT, sharp's thread pool, the HTTP connections.
  for (const name of selected) {
    await run({ port, stats, paths, concurrency: 8, name, config: CONFIGS[name], episodes: 8 });
  }
  const runs = [];
  for (const concurrency of CONCURRENCY) {
    for (const name of selected) {
      runs.push(await run({ port, stats, paths, concurrency, name, config: CONFIGS[name] }));
      console.error(JSON.stringify(runs.at(-1)));
    }
  }
  const summary = Object.fromEntries(
    selected.map((name) => {
      const [one, many] = CONCURRENCY.map((concurrency) =>
        runs.find((entry) => entry.configuration === name && entry.concurrency === concurrency),
      );
      return [
        name,
        {
          scalingEfficiencyAt32: many.efficiency,
          speedup32Over1: +(one.wallMs / many.wallMs).toFixed(2),
          clientCpuMsPerRequest: many.clientCpuMsPerRequest,
          requestBodyBytesPerRequest: many.requestBodyBytesPerRequest,
        },
      ];
    }),
  );
  const loadAtEnd = loadavg();
  const previous = await previousResult();
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cores: cpus().length,
    episodes: EPISODES,
    turnsPerEpisode: TURNS,
    serverLatencyMs: LATENCY_MS,
    server: 'in-process node:http; its receiving counts in the client CPU',
    input: '5 photo-like JPEGs 2246×1582 (V*-sized), read per episode, reference eval input budget',
    efficiency: 'ideal wall time (ceil(episodes / concurrency) × turns × latency) / measured',
    configurations: Object.fromEntries(selected.map((name) => [name, CONFIGS[name]])),
    runs,
    summary,
    load: {
      loadAverageAtStart: loadAtStart.map((value) => +value.toFixed(2)),
      loadAverageAtEnd: loadAtEnd.map((value) => +value.toFixed(2)),
      nice: getPriority(),
      loaded: Math.max(loadAtStart[0], loadAtEnd[0]) > cpus().length * 0.5,
      note: 'loadavg from /proc/loadavg (1, 5, 15 min); above half the cores the machine was shared and wall times are upper bounds',
    },
    // Measured on earlier commits with this script (see their entries); kept across re-runs.
    ...(previous?.earlierCommits ? { earlierCommits: previous.earlierCommits } : {}),
  };
  await mkdir(dirname(outPath), { recursive: true });
  const temp = `${outPath}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(result, null, 2)}\n`);
  await rename(temp, outPath);
  console.log(JSON.stringify({ summary, load: result.load }, null, 2));
} finally {
  server.closeAllConnections();
  server.close();
  await rm(folder, { recursive: true, force: true });
}
