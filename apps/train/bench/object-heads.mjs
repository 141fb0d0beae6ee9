// Held-out accuracy of a checkpoint's object heads (glyph in a zoom, plate colour in the view).
// node apps/train/bench/object-heads.mjs LABEL CHECKPOINT_MODEL_DIR [ITEMS=100]
// Merges { LABEL: scores } into apps/train/bench-results/object-heads.json.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { loadCheckpoint, selectBackend } from '@pixel-reasoner/model-runtime/local';
import { evaluateObjectHeads } from '@pixel-reasoner/trainer-sft';

const [label, dir, itemsArg] = process.argv.slice(2);
if (!label || !dir) throw new Error('usage: object-heads.mjs LABEL CHECKPOINT_MODEL_DIR [ITEMS]');
const items = Number(itemsArg ?? 100);
const out = new URL('../bench-results/object-heads.json', import.meta.url).pathname;
await selectBackend({ backend: 'wasm' });
const model = await loadCheckpoint(dir);
const scores = await evaluateObjectHeads({ model, items });
model.dispose();
let previous = {};
try {
  previous = JSON.parse(await readFile(out, 'utf8'));
} catch {}
previous[label] = {
  measuredAt: new Date().toISOString(),
  command: `node apps/train/bench/object-heads.mjs ${label} ${dir} ${items}`,
  items,
  ...scores,
};
await writeFile(`${out}.tmp`, `${JSON.stringify(previous, null, 2)}\n`);
await rename(`${out}.tmp`, out);
console.log(label, scores.contentInZoom.accuracy, scores.plateInView.accuracy);
