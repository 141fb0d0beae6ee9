// Crop observations per second of pixel-reasoner-tool-server on loopback, driven the way verl-tool's
// agent loop drives it: one trajectory per request, the episode image as a JPEG data URL on every
// call, three crops per trajectory (the third on the second crop), then finish. Writes
// bench-results/throughput.json (atomically).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeImage, toDataUrl } from '@pixel-reasoner/visual-ops';
import { startToolServer } from '../dist/index.js';

// A smart-resized 1008x756 view, the size verl-tool's rollout keeps a 4:3 photo at.
const WIDTH = 1008;
const HEIGHT = 756;
const TRAJECTORIES = 192;
const CROPS_PER_TRAJECTORY = 3;
const CONCURRENCY_LEVELS = [1, 8, 32, 64];

function photoLikePixels() {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  let state = 12345;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const noise = (state >>> 24) & 15;
      const offset = (y * WIDTH + x) * 3;
      data[offset] = ((x * 255) / WIDTH + noise) & 255;
      data[offset + 1] = ((y * 255) / HEIGHT + noise) & 255;
      data[offset + 2] = (((x + y) * 128) / (WIDTH + HEIGHT) + noise) & 255;
    }
  }
  return data;
}

const BOXES = [
  [[0.55, 0.6, 0.75, 0.8], 1],
  [[0.2, 0.2, 0.6, 0.6], 2],
  [[0.1, 0.3, 0.4, 0.7], 3],
];

async function post(url, body) {
  const response = await fetch(`${url}/get_observation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return response.json();
}

async function trajectory(url, id, imageUrl, latencies) {
  for (const [bbox, target] of BOXES.slice(0, CROPS_PER_TRAJECTORY)) {
    const action = `<tool_call>\n${JSON.stringify({ name: 'crop_image_normalized', arguments: { bbox_2d: bbox, target_image: target } })}\n</tool_call>`;
    const started = performance.now();
    const answer = await post(url, {
      trajectory_ids: [id],
      actions: [action],
      finish: [false],
      is_last_step: [false],
      extra_fields: [{ images: [imageUrl] }],
    });
    latencies.push(performance.now() - started);
    if (answer.valids[0] !== true)
      throw new Error(`crop failed: ${JSON.stringify(answer.observations[0])}`);
  }
  await post(url, { trajectory_ids: [id], actions: [''], finish: [true], is_last_step: [true] });
}

async function runLevel(url, imageUrl, concurrency) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < TRAJECTORIES) {
        const index = next++;
        await trajectory(url, `bench-${concurrency}-${index}`, imageUrl, latencies);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const quantile = (q) => Number(latencies[Math.floor(q * (latencies.length - 1))].toFixed(1));
  return {
    concurrency,
    cropObservations: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    cropObservationsPerSecond: Number((latencies.length / seconds).toFixed(1)),
    latencyMs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99) },
  };
}

async function main() {
  const jpeg = await encodeImage(
    { width: WIDTH, height: HEIGHT, channels: 3, data: photoLikePixels() },
    { format: 'jpeg', quality: 90 },
  );
  const imageUrl = toDataUrl(jpeg);
  const server = await startToolServer({ port: 0 });
  const levels = [];
  try {
    await runLevel(server.url, imageUrl, 4);
    for (const concurrency of CONCURRENCY_LEVELS) {
      levels.push(await runLevel(server.url, imageUrl, concurrency));
    }
    const stats = server.service.stats();
    if (stats.trajectories !== 0)
      throw new Error(`${stats.trajectories} trajectories left after finish`);
  } finally {
    await server.close();
  }
  const best = levels.reduce((a, b) =>
    b.cropObservationsPerSecond > a.cropObservationsPerSecond ? b : a,
  );
  const result = {
    bench: 'tool-server crop observations over HTTP (verl-tool protocol)',
    image: { width: WIDTH, height: HEIGHT, format: 'jpeg', dataUrlBytes: imageUrl.length },
    preset: 'train (crop resized into 4·784 … 1000·784 pixels)',
    trajectories: TRAJECTORIES,
    cropsPerTrajectory: CROPS_PER_TRAJECTORY,
    levels,
    bestCropObservationsPerSecond: best.cropObservationsPerSecond,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
      uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    },
    date: new Date().toISOString(),
  };
  const target = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    'bench-results',
    'throughput.json',
  );
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}`;
  await writeFile(temporary, `${JSON.stringify(result, null, 2)}\n`);
  await rename(temporary, target);
  console.log(JSON.stringify(result, null, 2));
}

await main();
