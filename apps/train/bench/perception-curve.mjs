// Learning curve of a pretraining run: the object heads' held-out accuracy at each checkpoint.
// node apps/train/bench/perception-curve.mjs [RUN_DIR=runs/base] [ITEMS=100]
// Writes apps/train/bench-results/perception-curve.json (merged with earlier measurements).
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint, selectBackend } from '@pixel-reasoner/model-runtime/local';
import { evaluateObjectHeads } from '@pixel-reasoner/trainer-sft';

const runDir = process.argv[2] ?? 'runs/base';
const items = Number(process.argv[3] ?? 100);
const out = new URL('../bench-results/perception-curve.json', import.meta.url);
await selectBackend({ backend: 'wasm' });
let previous = { runs: {} };
try {
  previous = JSON.parse(await readFile(out, 'utf8'));
} catch {}
const rows = previous.runs[runDir]?.rows ?? [];
const seen = new Set(rows.map((row) => `${row.stage}/${row.step}`));
for (const stage of ['pretrain-vision', 'pretrain']) {
  const dir = join(runDir, stage, 'checkpoints');
  let folders = [];
  try {
    folders = (await readdir(dir)).filter((name) => name.startsWith('step-')).sort();
  } catch {
    continue;
  }
  for (const folder of folders) {
    const step = Number(folder.slice(5));
    if (seen.has(`${stage}/${step}`)) continue;
    const model = await loadCheckpoint(join(dir, folder, 'model'));
    const scores = await evaluateObjectHeads({ model, items });
    model.dispose();
    rows.push({ stage, step, items, ...scores });
    console.log(
      stage,
      step,
      JSON.stringify({
        content: scores.contentInZoom.accuracy,
        plate: scores.plateInView.accuracy,
      }),
    );
  }
}
rows.sort((a, b) => a.stage.localeCompare(b.stage) || a.step - b.step);
previous.runs[runDir] = {
  measuredAt: new Date().toISOString(),
  command: `node apps/train/bench/perception-curve.mjs ${runDir} ${items}`,
  rows,
};
await writeFile(`${out.pathname}.tmp`, `${JSON.stringify(previous, null, 2)}\n`);
await rename(`${out.pathname}.tmp`, out.pathname);
