// Where reading a zoom fails: the object head's glyph vs the glyph the decoder writes.
// node apps/train/bench/read-routing.mjs LABEL CHECKPOINT_MODEL_DIR [ITEMS=100]
// On held-out zoom-attribute `read` examples (the reference crop + the question, no tools), as the
// base's own evaluation builds them: `head` is the content head's class at the image token most
// sure that something is there; `decoder` is the glyph or colour in the greedy answer ("So the
// answer is 7, option D."); `letter` is its option letter. Merges { LABEL: scores } into
// apps/train/bench-results/read-routing.json.
import { loadCheckpoint, selectBackend } from '@pixel-reasoner/model-runtime/local';
import { SeededRandom } from '@pixel-reasoner/scenes';
import { PERCEPTION_HEADS, perceptionExample, wilsonInterval } from '@pixel-reasoner/trainer-sft';
import { DEFAULT_CONFIG, sceneOptions } from '../dist/index.js';
import { recordLabelled } from './labelled-results.mjs';

const [label, dir, itemsArg] = process.argv.slice(2);
if (!label || !dir) throw new Error('usage: read-routing.mjs LABEL CHECKPOINT_MODEL_DIR [ITEMS]');
const items = Number(itemsArg ?? 100);
const out = new URL('../bench-results/read-routing.json', import.meta.url).pathname;
await selectBackend({ backend: 'wasm' });
const model = await loadCheckpoint(dir);
const counts = { head: 0, decoder: 0, letter: 0 };
const answerPattern = /answer is (.*?), option \(?([A-D])/;
for (let seed = 0; seed < items; seed += 1) {
  const example = await perceptionExample({
    family: 'zoom-attribute',
    task: 'read',
    seed,
    split: 'test',
    random: SeededRandom.fromLabel(`perception-eval|zoom-attribute|read|${seed}`),
    // The scenes of the base config (its defaults), as the base's evaluation sees them.
    sceneOptions: sceneOptions(DEFAULT_CONFIG),
  });
  const prompt = example.turns.filter((turn) => !turn.trainable).map((turn) => turn.message);
  const gold = example.turns.find((turn) => turn.trainable).message.content.match(answerPattern);
  const encoded = await model.encodeChat(prompt, { addGenerationPrompt: true });
  const logits = model.auxiliaryLogits('content', encoded.images);
  const rows = logits.arraySync();
  logits.dispose();
  // Softmax per token; the token least sure of "nothing here" holds the tag.
  let best;
  let bestSomething = -1;
  for (const row of rows) {
    const max = Math.max(...row);
    const exp = row.map((value) => Math.exp(value - max));
    const sum = exp.reduce((total, value) => total + value, 0);
    const something = 1 - exp[0] / sum;
    if (something > bestSomething) {
      bestSomething = something;
      best = exp;
    }
  }
  const headClass = best.indexOf(Math.max(...best.slice(1)), 1);
  if (PERCEPTION_HEADS.content[headClass] === gold[1]) counts.head += 1;
  const result = await model.doGenerate({ messages: prompt, maxTokens: 40, temperature: 0 });
  const written = result.text.match(answerPattern);
  if (written?.[1] === gold[1]) counts.decoder += 1;
  if (written?.[2] === gold[2]) counts.letter += 1;
}
model.dispose();
const score = (correct) => ({
  correct,
  accuracy: correct / items,
  interval: wilsonInterval(correct, items),
});
await recordLabelled(out, label, {
  command: `node apps/train/bench/read-routing.mjs ${label} ${dir} ${items}`,
  items,
  head: score(counts.head),
  decoder: score(counts.decoder),
  letter: score(counts.letter),
});
console.log(label, counts);
