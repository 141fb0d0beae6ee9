import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { VisionLanguageModelV1 } from '@pixel-reasoner/model-runtime';
import { createScriptedModel, type ScriptContext } from '@pixel-reasoner/test-utils';
import { describe, expect, test } from 'vitest';
import { vstarBenchmark } from './benchmarks.js';
import { InvalidRunOptionsError } from './errors.js';
import { readResults } from './results-store.js';
import { runBenchmarks, selectItems } from './runner.js';
import { temporaryDir, writeVstarFixture } from './test-helpers/fixtures.js';

const cropCall =
  'The cup is small; I will zoom in.\n<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.2, 0.6, 0.7], "target_image": 1}}\n</tool_call>';

function lastUserText(context: ScriptContext): string {
  const user = context.messages.filter((message) => message.role === 'user')[0];
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  return user.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** Zooms then answers C (right) on the cup question; answers A (wrong) on the dog question. */
function vstarScript(context: ScriptContext): string {
  if (lastUserText(context).includes('cup')) {
    return context.turnIndex === 0 ? cropCall : 'Now the cup is clearly red. \\boxed{C}';
  }
  return 'The dog is on the right. \\boxed{A}';
}

describe('runBenchmarks', () => {
  test('scores, counts operations and writes every report file', async () => {
    const data = await temporaryDir('run-data');
    const out = await temporaryDir('run-out');
    await writeVstarFixture(data);
    const model = createScriptedModel({ script: vstarScript });
    const result = await runBenchmarks({
      model,
      benchmarks: [vstarBenchmark({ dataDir: data })],
      outDir: out,
      concurrency: 2,
      progress: false,
    });
    const vstar = result.summary.vstar!;
    expect(vstar).toMatchObject({
      metric: 'accuracy',
      accuracy: 0.5,
      rapr: 0.5,
      operationErrorRate: 0,
      operationsAttempted: 1,
      operationsValid: 1,
      n: 2,
      failed: 0,
      byCategory: { direct_attributes: { score: 1, n: 1 }, relative_position: { score: 0, n: 1 } },
    });
    expect(vstar.settings).toMatchObject({ profile: 'pixel-reasoner-v1', model: 'scripted-model' });
    const records = await readResults(join(out, 'results.jsonl'));
    expect(records.map((record) => [record.id, record.score, record.extracted])).toEqual(
      expect.arrayContaining([
        ['0', 1, 'C'],
        ['1', 0, 'A'],
      ]),
    );
    const zoomed = records.find((record) => record.id === '0')!;
    expect(zoomed.episode.steps[0]!.operation).toMatchObject({
      name: 'crop_image_normalized',
      valid: true,
    });
    expect(zoomed.episode.steps[0]!.images).toHaveLength(1);
    const crop = zoomed.episode.steps[0]!.images[0]!;
    expect((await stat(join(out, crop.file!))).size).toBeGreaterThan(0);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.vstar.accuracy).toBe(0.5);
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('| scripted-model (pixel-reasoner-v1) | – | 50.0 | – | – | – |');
    expect(markdown).toContain('| Pixel-Reasoner (paper) | 7B | 84.3 | 73.8 | 67.8 | 84.0 |');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    // Images are linked from media/, not embedded: the report stays small.
    expect(html).not.toContain('base64,');
    expect(html).toContain(`src="${crop.file}"`);
    expect(html.length).toBeLessThan(40_000);
    expect(html).toContain('Ground truth: <b>(C) red</b>');
    expect(html).toContain('the box the model asked for');
    expect(html).toContain('data-outcome="wrong"');
  });

  test('resumes an interrupted run without rescoring finished items', async () => {
    const data = await temporaryDir('resume-data');
    const out = await temporaryDir('resume-out');
    await writeVstarFixture(data);
    const benchmark = vstarBenchmark({ dataDir: data });
    // First run: the dog question fails (say the server dropped the request).
    const flaky = createScriptedModel({ script: vstarScript });
    const failing: VisionLanguageModelV1 = {
      ...flaky,
      async doGenerate(options) {
        const text = JSON.stringify(options.messages);
        if (text.includes('dog')) throw new Error('connection reset');
        return flaky.doGenerate(options);
      },
    };
    const first = await runBenchmarks({
      model: failing,
      benchmarks: [benchmark],
      outDir: out,
      progress: false,
    });
    expect(first.summary.vstar).toMatchObject({
      n: 1,
      failed: 1,
      failures: [{ itemId: '1', error: 'connection reset' }],
    });
    const finished = await readFile(join(out, 'results.jsonl'), 'utf8');
    // A kill during the next write leaves a torn line behind.
    await appendFile(join(out, 'results.jsonl'), '{"benchmark":"vstar","id":"1","sco');

    const second = createScriptedModel({ script: vstarScript });
    const resumed = await runBenchmarks({
      model: second,
      benchmarks: [benchmark],
      outDir: out,
      progress: false,
    });
    expect(second.calls.length).toBe(1);
    expect(JSON.stringify(second.calls[0]!.messages)).toContain('dog');
    expect(resumed.summary.vstar).toMatchObject({ n: 2, failed: 0, accuracy: 0.5 });
    const text = await readFile(join(out, 'results.jsonl'), 'utf8');
    expect(text.startsWith(finished)).toBe(true);
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);

    const third = createScriptedModel({ script: vstarScript });
    await runBenchmarks({ model: third, benchmarks: [benchmark], outDir: out, progress: false });
    expect(third.calls).toHaveLength(0);
  });

  test('limit and shard select the same partition every time', () => {
    const items = Array.from({ length: 10 }, (_, index) => index);
    expect(selectItems(items, { limit: 7 })).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(selectItems(items, { limit: 7, shard: { index: 1, count: 3 } })).toEqual([1, 4]);
    const shards = [0, 1, 2].flatMap((index) => selectItems(items, { shard: { index, count: 3 } }));
    expect(shards.sort((a, b) => a - b)).toEqual(items);
  });

  test('rejects a shard index outside its count', async () => {
    await expect(
      runBenchmarks({
        model: createScriptedModel(),
        benchmarks: [],
        outDir: await temporaryDir('bad-shard'),
        shard: { index: 3, count: 3 },
      }),
    ).rejects.toSatisfy(InvalidRunOptionsError.isInstance);
  });
});
