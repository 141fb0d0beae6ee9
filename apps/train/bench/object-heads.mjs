// Held-out accuracy of a checkpoint's object heads (glyph in a zoom, plate colour in the view).
// node apps/train/bench/object-heads.mjs LABEL CHECKPOINT_MODEL_DIR [ITEMS=100]
// Merges { LABEL: scores } into apps/train/bench-results/object-heads.json.
import { loadCheckpoint, selectBackend } from '@pixel-reasoner/model-runtime/local';
import { evaluateObjectHeads } from '@pixel-reasoner/trainer-sft';
import { recordLabelled } from './labelled-results.mjs';

const [label, dir, itemsArg] = process.argv.slice(2);
if (!label || !dir) throw new Error('usage: object-heads.mjs LABEL CHECKPOINT_MODEL_DIR [ITEMS]');
const items = Number(itemsArg ?? 100);
const out = new URL('../bench-results/object-heads.json', import.meta.url).pathname;
await selectBackend({ backend: 'wasm' });
const model = await loadCheckpoint(dir);
const scores = await evaluateObjectHeads({ model, items });
model.dispose();
await recordLabelled(out, label, {
  command: `node apps/train/bench/object-heads.mjs ${label} ${dir} ${items}`,
  items,
  ...scores,
});
console.log(label, scores.contentInZoom.accuracy, scores.plateInView.accuracy);
