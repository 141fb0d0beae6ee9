import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BpeTokenizer,
  saveCheckpoint,
  selectBackend,
  TinyVLM,
} from '@pixel-reasoner/model-runtime/local';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseEvalArgs } from './args.js';
import { createModel, runEvalCli } from './run.js';

// A checkpoint whose context (48 tokens) every procedural prompt outgrows: without the
// full-context guard of the train pipeline, each generation throws ContextLengthExceededError.
let root: string;
let checkpoint: string;
beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  root = await mkdtemp(join(tmpdir(), 'eval-full-context-'));
  checkpoint = join(root, 'checkpoint');
  const model = new TinyVLM({
    tokenizer: BpeTokenizer.train(['red green blue square circle'], { vocabSize: 300 }),
    config: { dModel: 16, numHeads: 2, numLayers: 1, ffnDim: 32, maxSequenceLength: 48, seed: 1 },
    modelId: 'tiny-short-context',
  });
  await saveCheckpoint(model, checkpoint);
  model.dispose();
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('pixel-reasoner-eval --model <checkpoint> uses the full-context guard', () => {
  test('a prompt longer than the context ends the turn (length) instead of throwing', async () => {
    const model = await createModel({ kind: 'checkpoint', path: checkpoint }, { backend: 'cpu' });
    const result = await model.doGenerate({
      messages: [{ role: 'user', content: 'red green blue '.repeat(40) }],
      maxTokens: 4,
    });
    expect(result).toMatchObject({ text: '', finishReason: 'length' });
    expect(result.usage.inputTokens).toBe(48);
  });

  test('every procedural item is scored (wrong), none fails, as in the train pipeline', async () => {
    const lines: string[] = [];
    const result = await runEvalCli(
      parseEvalArgs([
        '--bench',
        'procedural:zoom-attribute,count',
        '--procedural-items',
        '1',
        '--model',
        checkpoint,
        '--backend',
        'cpu',
        '--max-tokens',
        '4',
        '--no-progress',
        '--out',
        join(root, 'out'),
      ]),
      { stdout: (text) => lines.push(text), stderr: (text) => lines.push(text) },
    );
    const entries = Object.values(result.summary);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(entry.failed).toBe(0);
      expect(entry.n).toBe(entry.selected);
    }
    expect(lines.join('')).not.toContain('ContextLengthExceededError');
  });
});
