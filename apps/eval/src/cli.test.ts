import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRgbPng, serve } from '@pixel-reasoner/model-runtime';
import {
  BpeTokenizer,
  saveCheckpoint,
  selectBackend,
  TinyVLM,
} from '@pixel-reasoner/model-runtime/local';
import { createScriptedModel, type ScriptContext } from '@pixel-reasoner/test-utils';
import { describe, expect, test } from 'vitest';
import { parseEvalArgs } from './args.js';
import { runEvalCli } from './run.js';

/** A two-question V* folder in the real layout (`test_questions.jsonl` + category folders). */
async function vstarFixture(dir: string): Promise<void> {
  const gradient = (width: number, height: number) => {
    const pixels = new Uint8Array(width * height * 3);
    for (let index = 0; index < pixels.length; index++) pixels[index] = (index * 7) % 251;
    return encodeRgbPng({ width, height, pixels }).data;
  };
  await mkdir(join(dir, 'direct_attributes'), { recursive: true });
  await mkdir(join(dir, 'relative_position'), { recursive: true });
  await writeFile(join(dir, 'direct_attributes/sa_1.png'), gradient(96, 64));
  await writeFile(join(dir, 'relative_position/sa_2.png'), gradient(64, 64));
  const lines = [
    {
      image: 'direct_attributes/sa_1.png',
      text: "What is the color of the cup?\n(A) blue\n(B) white\n(C) red\n(D) green\nAnswer with the option's letter from the given choices directly.",
      category: 'direct_attributes',
      question_id: 0,
      label: 'C',
    },
    {
      image: 'relative_position/sa_2.png',
      text: "Is the dog on the left or right side of the bench?\n(A) right\n(B) left\nAnswer with the option's letter from the given choices directly.",
      category: 'relative_position',
      question_id: 1,
      label: 'B',
    },
  ];
  await writeFile(
    join(dir, 'test_questions.jsonl'),
    lines.map((line) => JSON.stringify(line)).join('\n'),
  );
}

function script(context: ScriptContext): string {
  const first = context.messages.find((message) => message.role === 'user');
  const text = typeof first?.content === 'string' ? first.content : JSON.stringify(first?.content);
  if (text.includes('cup')) {
    return context.turnIndex === 0
      ? 'Zoom.\n<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.2, 0.2, 0.7, 0.7], "target_image": 1}}\n</tool_call>'
      : '\\boxed{C}';
  }
  return '\\boxed{B}';
}

function collect() {
  const lines: string[] = [];
  return {
    lines,
    io: { stdout: (text: string) => lines.push(text), stderr: (text: string) => lines.push(text) },
  };
}

describe('pixel-reasoner-eval over HTTP', () => {
  test('runs V* against model-runtime serve and writes all four files', async () => {
    const data = await mkdtemp(join(tmpdir(), 'eval-cli-data-'));
    const out = await mkdtemp(join(tmpdir(), 'eval-cli-out-'));
    await vstarFixture(data);
    const server = await serve({
      model: createScriptedModel({ script, modelId: 'scripted-http' }),
    });
    try {
      const { lines, io } = collect();
      const options = parseEvalArgs([
        '--bench',
        `vstar:${data}`,
        '--model',
        `openai:${server.url}`,
        '--model-name',
        'scripted-http',
        '--out',
        out,
        '--concurrency',
        '2',
        '--no-progress',
      ]);
      const result = await runEvalCli(options, io);
      expect(result.summary.vstar).toMatchObject({
        accuracy: 1,
        rapr: 0.5,
        n: 2,
        operationErrorRate: 0,
      });
      expect(lines.join('')).toContain(
        'vstar: accuracy 100.0 [34.2, 100.0] (n=2, RaPR 50.0, well-formed calls 100.0)',
      );
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
      expect(summary.vstar.settings.model).toBe('scripted-http');
      expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('| 100.0 |');
      expect((await readFile(join(out, 'results.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(
        2,
      );
      expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<svg');
    } finally {
      await server.close();
    }
  });
});

describe('pixel-reasoner-eval with a checkpoint', () => {
  test('loads a TinyVLM checkpoint and runs the procedural suite, served over HTTP too', async () => {
    await selectBackend({ backend: 'wasm' });
    const tokenizer = BpeTokenizer.train(
      [
        'You are a helpful assistant. Please think step by step, and put your final answer within \\boxed{}.',
      ],
      { vocabSize: 300, minFrequency: 2 },
    );
    const model = new TinyVLM({
      tokenizer,
      config: {
        dModel: 32,
        numHeads: 2,
        numLayers: 1,
        ffnDim: 64,
        maxSequenceLength: 1024,
        seed: 3,
      },
      modelId: 'tiny-random',
    });
    const root = await mkdtemp(join(tmpdir(), 'eval-cli-ckpt-'));
    const checkpoint = join(root, 'checkpoint');
    await saveCheckpoint(model, checkpoint);
    const common = [
      '--bench',
      'procedural',
      '--procedural-items',
      '1',
      '--profile',
      'notool',
      '--max-tokens',
      '4',
      '--no-progress',
    ];
    const local = await runEvalCli(
      parseEvalArgs([
        ...common,
        '--model',
        checkpoint,
        '--backend',
        'wasm',
        '--out',
        join(root, 'local'),
      ]),
      collect().io,
    );
    expect(Object.keys(local.summary)).toEqual([
      'procedural/vstar',
      'procedural/tallyqa',
      'procedural/mvbench',
      'procedural/infovqa',
    ]);
    // Random weights answer at chance; what matters is that every item ran and was scored.
    for (const entry of Object.values(local.summary)) {
      expect(entry.n + entry.failed).toBe(entry.selected);
      expect(entry.failed).toBe(0);
    }
    const server = await serve({ model });
    try {
      const remote = await runEvalCli(
        parseEvalArgs([
          ...common,
          '--model',
          `openai:${server.url}`,
          '--model-name',
          'tiny-random',
          '--out',
          join(root, 'http'),
        ]),
        collect().io,
      );
      for (const entry of Object.values(remote.summary)) expect(entry.failed).toBe(0);
    } finally {
      await server.close();
    }
  });
});
