import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ChatMessage, encodeRgbPng, serve } from '@pixel-reasoner/model-runtime';
import { createScriptedModel, type ScriptContext } from '@pixel-reasoner/test-utils';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { parseCompareArgs, parseEvalArgs } from './args.js';
import { main } from './main.js';
import { runCompareCli, runEvalCli } from './run.js';

/** Noisy pixels, so a real crop never compresses like a blank one. */
function noisyPng(width: number, height: number, seed: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  let state = seed * 7919 + 1;
  for (let index = 0; index < pixels.length; index++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    pixels[index] = state >> 23;
  }
  return encodeRgbPng({ width, height, pixels }).data;
}

const base64Png = (width: number, height: number, seed: number) =>
  Buffer.from(noisyPng(width, height, seed)).toString('base64');

const tsvCell = (value: string) =>
  /[\t"\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
const tsv = (header: string[], rows: Record<string, string>[]) =>
  `${[header, ...rows.map((row) => header.map((column) => row[column] ?? ''))]
    .map((cells) => cells.map(tsvCell).join('\t'))
    .join('\n')}\n`;

async function write(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/** Question text → the option text that is right, for every fixture question below. */
const TRUTH: Record<string, string> = {
  'What colour is the kite?': 'red',
  'What does the sign say?': 'OPEN',
  'Which car is closer to the tree?': 'the bus',
  'Which word is on the mug?': 'cafe',
  'Is the dog left or right of the bench?': 'left',
  'How many buses are there?': '2',
  'What is in front of the ego car?': 'a truck',
  'Which year has the highest value?': '2032',
};

function firstUserText(messages: readonly ChatMessage[]): string {
  const first = messages.find((message) => message.role === 'user');
  if (!first) return '';
  return typeof first.content === 'string'
    ? first.content
    : first.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * Knows every answer except the "Which car…" one; answers by option text. With `zoom`, it crops
 * first and answers wrong when the crop it is shown is blank (a uniform PNG compresses to a few
 * bytes per hundred pixels).
 */
function oracle(context: ScriptContext): string {
  const text = firstUserText(context.messages);
  const question = Object.keys(TRUTH).find((key) => text.includes(key));
  if (!question) return '\\boxed{?}';
  if (text.includes('Zoom first.')) {
    if (context.turnIndex === 0) {
      return '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.9, 0.9], "target_image": 1}}\n</tool_call>';
    }
    const last = context.messages.at(-1)!;
    const crop =
      typeof last.content === 'string'
        ? undefined
        : last.content.find((part) => part.type === 'image');
    if (
      crop?.type === 'image' &&
      crop.image.data.length < (crop.image.width * crop.image.height) / 20
    ) {
      return '\\boxed{I cannot see anything}';
    }
  }
  if (question === 'Which car is closer to the tree?') return '\\boxed{the van}';
  return `The answer is \\boxed{${TRUTH[question]}}`;
}

let server: Awaited<ReturnType<typeof serve>>;
let root: string;
beforeAll(async () => {
  server = await serve({ model: createScriptedModel({ script: oracle, modelId: 'oracle' }) });
  root = await mkdtemp(join(tmpdir(), 'eval-layouts-'));
});
afterAll(async () => {
  await server.close();
});

const modelFlags = () => ['--model', `openai:${server.url}`, '--model-name', 'oracle'];

function collect() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    io: {
      stdout: (text: string) => stdout.push(text),
      stderr: (text: string) => stderr.push(text),
    },
  };
}

async function evaluate(flags: string[], out: string) {
  const captured = collect();
  const result = await runEvalCli(
    parseEvalArgs([...flags, ...modelFlags(), '--out', out, '--no-progress']),
    captured.io,
  );
  return { result, stdout: captured.stdout.join('') };
}

async function hrbenchFixture(dir: string, file: string, zoom = false): Promise<void> {
  const suffix = zoom ? ' Zoom first.' : '';
  const rows = [
    ['0', 'What colour is the kite?', ['red', 'blue', 'green', 'white'], 'A', 'single', '0'],
    ['1', 'What does the sign say?', ['STOP', 'EXIT', 'OPEN', 'SALE'], 'C', 'single', '0'],
    [
      '2',
      'Which car is closer to the tree?',
      ['the taxi', 'the bus', 'the van', 'the truck'],
      'B',
      'cross',
      '0',
    ],
    ['3', 'What colour is the kite?', ['blue', 'green', 'white', 'red'], 'D', 'single', '1'],
  ] as const;
  await write(
    join(dir, file),
    tsv(
      ['index', 'question', 'A', 'B', 'C', 'D', 'answer', 'category', 'cycle_category', 'image'],
      rows.map(([index, question, options, answer, category, cycle], position) => ({
        index,
        question: question + suffix,
        A: options[0],
        B: options[1],
        C: options[2],
        D: options[3],
        answer,
        category,
        cycle_category: cycle,
        image: position === 3 ? '0' : base64Png(320, 240, position),
      })),
    ),
  );
}

const MME_RECORDS = [
  {
    Question_id: 'perception/monitoring/Vehicle/counting/0001',
    Image: 'monitoring_images/a.png',
    Text: 'How many buses are there?',
    'Answer choices': [
      '(A) 1',
      '(B) 2',
      '(C) 3',
      '(D) 4',
      '(E) The image does not feature the buses',
    ],
    'Ground truth': 'B',
    Task: 'Perception',
    Subtask: 'Monitoring',
    Category: 'Vehicle/counting',
  },
  {
    Question_id: 'Perception/Autonomous_Driving/Objects_Identify/0002',
    Image: 'AutonomousDriving/nuScenes/b.png',
    Text: 'What is in front of the ego car?',
    'Answer choices': [
      '(A) a truck',
      '(B) a bicycle',
      '(C) a bus',
      '(D) nothing',
      '(E) All the above answers are wrong.',
    ],
    'Ground truth': 'A',
    Task: 'Perception',
    Subtask: 'Autonomous_Driving',
    Category: 'Objects_Identify',
  },
  {
    Question_id: 'reasoning/diagram_and_table/diagram/0003',
    Image: 'diagram_and_table/c.png',
    Text: 'Which car is closer to the tree?',
    'Answer choices': [
      '(A) the taxi',
      '(B) the bus',
      '(C) the van',
      '(D) the truck',
      '(E) The image does not feature cars.',
    ],
    'Ground truth': 'B',
    Task: 'Reasoning',
    Subtask: 'Diagram and Table',
    Category: 'diagram',
  },
];

/** hyparquet-writer is eval-benchmarks' dev dependency; borrowed here instead of added to the app. */
async function parquetWriter(): Promise<{
  parquetWriteBuffer: (options: unknown) => ArrayBuffer;
}> {
  const require = createRequire(
    createRequire(import.meta.url).resolve('@pixel-reasoner/eval-benchmarks/package.json'),
  );
  return import(pathToFileURL(require.resolve('hyparquet-writer')).href);
}

describe('pixel-reasoner-eval on the benchmarks the peers report, over HTTP', () => {
  test('HR-Bench 4K and 8K TSVs score per cycle_category, then averaged', async () => {
    const data = join(root, 'hrbench');
    await hrbenchFixture(data, 'hr_bench_4k.tsv');
    await hrbenchFixture(data, 'hr_bench_8k.tsv');
    const { result, stdout } = await evaluate(
      ['--bench', `hrbench-4k:${data}`, '--bench', `hrbench-8k:${data}/hr_bench_8k.tsv`],
      join(root, 'out-hrbench'),
    );
    for (const name of ['hrbench-4k', 'hrbench-8k']) {
      // Cycle 0: 2 of 3 right; cycle 1: 1 of 1 → (2/3 + 1) / 2, not the micro 3/4.
      expect(result.summary[name]!.accuracy).toBeCloseTo(5 / 6, 12);
      expect(result.summary[name]!.byGroup.cycle_category!['0']!.score).toBeCloseTo(2 / 3, 12);
    }
    expect(stdout).toMatch(/hrbench-4k: accuracy 83\.3 \[/);
  });

  test('a VLMEvalKit TSV (hint, five options) scores by letter or option text', async () => {
    const file = join(root, 'vlmeval/VStarBench.tsv');
    await write(
      file,
      tsv(
        ['index', 'image', 'question', 'hint', 'A', 'B', 'C', 'D', 'E', 'answer', 'category'],
        [
          {
            index: '1',
            image: base64Png(200, 150, 7),
            question: 'Which word is on the mug?',
            hint: 'Look left.',
            A: 'tea',
            B: 'milk',
            C: 'soda',
            D: 'cafe',
            E: 'none',
            answer: 'D',
            category: 'direct_attributes',
          },
          {
            index: '2',
            image: base64Png(160, 160, 8),
            question: 'Is the dog left or right of the bench?',
            A: 'right',
            B: 'left',
            answer: 'B',
            category: 'relative_position',
          },
          {
            index: '3',
            image: '1',
            question: 'Which car is closer to the tree?',
            A: 'the taxi',
            B: 'the bus',
            answer: 'B',
            category: 'relative_position',
          },
        ],
      ),
    );
    const { result } = await evaluate(['--bench', `vlmevalkit:${file}`], join(root, 'out-vlmeval'));
    expect(result.summary['vlmevalkit:VStarBench']).toMatchObject({
      n: 3,
      byCategory: { direct_attributes: { score: 1 }, relative_position: { score: 0.5 } },
    });
  });

  test('MME-RealWorld in the official JSON layout: overall and per Task/Subtask', async () => {
    const data = join(root, 'mme');
    for (const [index, record] of MME_RECORDS.entries()) {
      await write(join(data, record.Image), noisyPng(120, 90, index));
    }
    await write(join(data, 'MME_RealWorld.json'), JSON.stringify(MME_RECORDS));
    const { result } = await evaluate(['--bench', `mme-realworld:${data}`], join(root, 'out-mme'));
    expect(result.summary['mme-realworld']).toMatchObject({
      n: 3,
      byCategory: {
        'Perception/Monitoring': { score: 1, n: 1 },
        'Perception/Autonomous_Driving': { score: 1, n: 1 },
        'Reasoning/Diagram and Table': { score: 0, n: 1 },
      },
      byGroup: { task: { Perception: { score: 1, n: 2 }, Reasoning: { score: 0, n: 1 } } },
    });
    expect(result.summary['mme-realworld']!.accuracy).toBeCloseTo(2 / 3, 12);
  });

  test('MME-RealWorld-Lite as the lmms-eval parquet (base64 bytes, five options)', async () => {
    const { parquetWriteBuffer } = await parquetWriter();
    const text = (name: string) => ({
      name,
      type: 'BYTE_ARRAY',
      converted_type: 'UTF8',
      repetition_type: 'OPTIONAL',
    });
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'index', data: MME_RECORDS.map((_, index) => String(index)) },
        { name: 'question', data: MME_RECORDS.map((record) => record.Text) },
        {
          name: 'multi-choice options',
          data: MME_RECORDS.map((record) => record['Answer choices']),
        },
        { name: 'answer', data: MME_RECORDS.map((record) => record['Ground truth']) },
        {
          name: 'category',
          data: MME_RECORDS.map((record) => `${record.Task.toLowerCase()}/${record.Subtask}`),
        },
        { name: 'l2-category', data: MME_RECORDS.map((record) => record.Category) },
        { name: 'bytes', data: MME_RECORDS.map((_, index) => base64Png(120, 90, index)) },
      ],
      schema: [
        { name: 'root', num_children: 7 },
        text('index'),
        text('question'),
        {
          name: 'multi-choice options',
          repetition_type: 'OPTIONAL',
          converted_type: 'LIST',
          num_children: 1,
        },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        text('element'),
        text('answer'),
        text('category'),
        text('l2-category'),
        text('bytes'),
      ],
    });
    const data = join(root, 'mme-lite');
    await write(join(data, 'data/train-00000-of-00001.parquet'), new Uint8Array(buffer));
    const { result } = await evaluate(
      ['--bench', `mme-realworld-lite:${data}`],
      join(root, 'out-lite'),
    );
    expect(result.summary['mme-realworld-lite']).toMatchObject({
      n: 3,
      byCategory: {
        'Perception/Monitoring': { score: 1 },
        'Reasoning/Diagram and Table': { score: 0 },
      },
    });
  });
});

describe('protocol controls through the CLI', () => {
  test('--options circular and --repeats with seeds are applied, reported and recorded', async () => {
    const data = join(root, 'hrbench-protocol');
    await hrbenchFixture(data, 'hr_bench_4k.tsv');
    const out = join(root, 'out-protocol');
    const { result, stdout } = await evaluate(
      [
        '--bench',
        `hrbench-4k:${data}`,
        '--options',
        'circular',
        '--repeats',
        '2',
        '--temperature',
        '0.5',
        '--seed',
        '3',
      ],
      out,
    );
    const entry = result.summary['hrbench-4k']!;
    // The oracle answers by option text, so every rotation of a question it knows is right.
    expect(entry).toMatchObject({ n: 4, circular: { complete: 4, rotations: 32 } });
    expect(entry.accuracy).toBeCloseTo(5 / 6, 12);
    expect(entry.avgAtK).toMatchObject({ k: 2, perRepeat: [{ seed: 3 }, { seed: 4 }] });
    expect(stdout).toMatch(/Avg@2 83\.3/);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary['hrbench-4k'].settings).toMatchObject({
      optionOrder: 'circular',
      repeats: 2,
      seeds: '3,4',
      temperature: 0.5,
      'version.@pixel-reasoner/eval-app': expect.any(String),
      'provenance.gitCommit': expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(
      JSON.parse(await readFile(join(out, 'run.json'), 'utf8')).run['protocol.optionOrder'],
    ).toBe('circular');
  });

  test('--counterfactual blank-crops: the zooming model loses what the crop showed', async () => {
    const data = join(root, 'hrbench-zoom');
    await hrbenchFixture(data, 'hr_bench_4k.tsv', true);
    const real = await evaluate(['--bench', `hrbench-4k:${data}`], join(root, 'out-zoom-real'));
    const blank = await evaluate(
      ['--bench', `hrbench-4k:${data}`, '--counterfactual', 'blank-crops'],
      join(root, 'out-zoom-blank'),
    );
    expect(real.result.summary['hrbench-4k']).toMatchObject({ rapr: 1 });
    expect(real.result.summary['hrbench-4k']!.accuracy).toBeCloseTo(5 / 6, 12);
    expect(blank.result.summary['hrbench-4k']).toMatchObject({
      accuracy: 0,
      rapr: 1,
      settings: { counterfactual: 'blank-crops', 'tools.observationImages': 'blank' },
    });
    // compare A B: the blanked run (B) is worse on every item the real run got right.
    const captured = collect();
    const comparison = await runCompareCli(
      parseCompareArgs([
        join(root, 'out-zoom-real'),
        join(root, 'out-zoom-blank'),
        '--bootstrap',
        '300',
        '--out',
        join(root, 'compare.json'),
      ]),
      captured.io,
    );
    expect(comparison.benchmarks[0]).toMatchObject({
      n: 4,
      mcnemar: { aOnly: 3, bOnly: 0 },
    });
    expect(comparison.benchmarks[0]!.mcnemar!.pValue).toBeCloseTo(0.25, 12);
    expect(comparison.benchmarks[0]!.difference).toBeCloseTo(-5 / 6, 12);
    expect(captured.stdout.join('')).toMatch(/hrbench-4k: A 83\.3, B 0\.0, B−A -83\.3 \[/);
    expect(captured.stderr.join('')).toContain('settings differ: run.tools.observationImages');
    expect(JSON.parse(await readFile(join(root, 'compare.json'), 'utf8')).benchmarks).toHaveLength(
      1,
    );
  });

  test('--bench list prints every benchmark with its layout, without a model', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['--bench', 'list'])).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
    const text = printed.join('');
    for (const name of [
      'vstar[:DIR]',
      'hrbench-4k',
      'hrbench-8k',
      'mme-realworld[',
      'mme-realworld-lite',
      'vlmevalkit:FILE.tsv',
      'parquet:FILE',
      'procedural',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(
      /hrbench-4k\[:FILE\|DIR\]\n {2}layout: hr_bench_4k\.tsv: index, question, A–D, answer/,
    );
  });

  test('compare with one folder is a usage error (exit 2); an empty folder exits 1', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['compare', root])).toBe(2);
      expect(await main(['compare', join(root, 'nothing-a'), join(root, 'nothing-b')])).toBe(1);
    } finally {
      vi.restoreAllMocks();
    }
    expect(written.join('')).toMatch(/compare needs two result folders/);
    expect(written.join('')).toMatch(
      /BenchmarkDataNotFoundError: results of an evaluation run not found/,
    );
  });
});
