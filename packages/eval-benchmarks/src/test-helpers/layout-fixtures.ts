import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { imageBytes } from './fixtures.js';

/** Synthetic stand-ins in the real layouts (none of the benchmarks' media may be shipped). */
async function writeBytes(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/** A TSV cell as pandas' `to_csv(sep='\t')` writes it: quoted when it holds a tab, quote or newline. */
export function tsvCell(value: string): string {
  return /[\t"\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function tsvText(
  header: readonly string[],
  rows: readonly Record<string, string>[],
): string {
  return `${[header, ...rows.map((row) => header.map((column) => row[column] ?? ''))]
    .map((cells) => cells.map(tsvCell).join('\t'))
    .join('\n')}\n`;
}

export async function base64Image(width: number, height: number, seed: number): Promise<string> {
  return Buffer.from(await imageBytes(width, height, seed)).toString('base64');
}

/**
 * One HR-Bench item of the fixture: its question, the correct letter, and which cycle and
 * category it belongs to. HR-Bench asks each question in several option orders ("cycles").
 */
export interface HrbenchFixtureRow {
  index: string;
  question: string;
  options: [string, string, string, string];
  answer: string;
  category: 'single' | 'cross';
  cycle: string;
}

/**
 * `hr_bench_4k.tsv` with unequal cycles (three rows in cycle 0, one in cycle 1), so the
 * per-cycle average differs from the micro average; the last row shares the first row's image by
 * index, as VLMEvalKit allows.
 */
export const HRBENCH_FIXTURE_ROWS: HrbenchFixtureRow[] = [
  {
    index: '0',
    question: 'What colour is the kite?',
    options: ['red', 'blue', 'green', 'white'],
    answer: 'A',
    category: 'single',
    cycle: '0',
  },
  {
    index: '1',
    question: 'What does the sign say?',
    options: ['STOP', 'EXIT', 'OPEN', 'SALE'],
    answer: 'C',
    category: 'single',
    cycle: '0',
  },
  {
    index: '2',
    question: 'Which car is closer to the tree?',
    options: ['the taxi', 'the bus', 'the van', 'the truck'],
    answer: 'B',
    category: 'cross',
    cycle: '0',
  },
  {
    index: '3',
    question: 'What colour is the kite?',
    options: ['blue', 'green', 'white', 'red'],
    answer: 'D',
    category: 'single',
    cycle: '1',
  },
];

export async function writeHrbenchFixture(dir: string, file = 'hr_bench_4k.tsv'): Promise<string> {
  const shared = await base64Image(96, 64, 1);
  const rows = await Promise.all(
    HRBENCH_FIXTURE_ROWS.map(async (row, position) => ({
      index: row.index,
      question: row.question,
      A: row.options[0],
      B: row.options[1],
      C: row.options[2],
      D: row.options[3],
      answer: row.answer,
      category: row.category,
      cycle_category: row.cycle,
      // The last row points at the first row's image by its index.
      image:
        position === 3 ? '0' : position === 0 ? shared : await base64Image(80, 60, position + 2),
    })),
  );
  const path = join(dir, file);
  await writeBytes(
    path,
    tsvText(
      ['index', 'question', 'A', 'B', 'C', 'D', 'answer', 'category', 'cycle_category', 'image'],
      rows,
    ),
  );
  return path;
}

/**
 * A generic VLMEvalKit MCQ TSV: a hinted 5-option row whose option holds a tab and quotes, a
 * 2-option row, and a row whose image is a relative `image_path` file instead of base64.
 */
export async function writeVlmevalkitFixture(dir: string, stem = 'VStarBench'): Promise<string> {
  await writeBytes(join(dir, 'images/local.png'), await imageBytes(64, 48, 9));
  const rows: Record<string, string>[] = [
    {
      index: '10',
      image: await base64Image(72, 56, 4),
      question: 'Which word is on the mug?',
      hint: 'The mug is on the left.',
      A: 'tea',
      B: 'say "hi"\tthere',
      C: 'milk',
      D: 'cafe',
      E: 'none',
      answer: 'B',
      category: 'direct_attributes',
      'l2-category': 'text',
    },
    {
      index: '11',
      image: await base64Image(64, 64, 5),
      question: 'Is the dog left or right of the bench?',
      A: 'left',
      B: 'right',
      answer: 'A',
      category: 'relative_position',
      'l2-category': 'position',
    },
    {
      index: '12',
      image_path: 'images/local.png',
      question: 'What colour is the door?',
      A: 'green',
      B: 'yellow',
      C: 'black',
      answer: 'C',
      category: 'direct_attributes',
      'l2-category': 'colour',
    },
  ];
  const path = join(dir, `${stem}.tsv`);
  await writeBytes(
    path,
    tsvText(
      [
        'index',
        'image',
        'image_path',
        'question',
        'hint',
        'A',
        'B',
        'C',
        'D',
        'E',
        'answer',
        'category',
        'l2-category',
      ],
      rows,
    ),
  );
  return path;
}

/** One MME-RealWorld record of the fixtures, in the official field names. */
export interface MmeRealworldFixtureRecord {
  Question_id: string;
  Image: string;
  Text: string;
  'Answer choices': string[];
  'Ground truth': string;
  Task: string;
  Subtask: string;
  Category: string;
}

/**
 * Five questions over both tasks and three subtasks (Perception/Monitoring twice, one of them an
 * attribute category the official scorer folds), images under the official folder names.
 */
export const MME_REALWORLD_FIXTURE: MmeRealworldFixtureRecord[] = [
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
    Question_id: 'perception/monitoring/Person/attribute/color/0002',
    Image: 'monitoring_images/b.png',
    Text: 'What colour is the shirt of the person by the door?',
    'Answer choices': [
      '(A) red',
      '(B) blue',
      '(C) green',
      '(D) black',
      '(E) The image does not feature the person',
    ],
    'Ground truth': 'C',
    Task: 'Perception',
    Subtask: 'Monitoring',
    Category: 'Person/attribute/color',
  },
  {
    Question_id: 'Perception/Autonomous_Driving/Objects_Identify/0003',
    Image: 'AutonomousDriving/nuScenes/c.png',
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
    Question_id: 'reasoning/diagram_and_table/diagram/0004',
    Image: 'diagram_and_table/d.png',
    Text: 'Which year has the highest value?',
    'Answer choices': [
      '(A) 2029',
      '(B) 2030',
      '(C) 2031',
      '(D) 2032',
      '(E) The image does not feature the number.',
    ],
    'Ground truth': 'D',
    Task: 'Reasoning',
    Subtask: 'Diagram and Table',
    Category: 'diagram',
  },
  {
    Question_id: 'reasoning/diagram_and_table/diagram/0005',
    Image: 'diagram_and_table/missing.png',
    Text: 'Which month is lowest?',
    'Answer choices': [
      '(A) May',
      '(B) June',
      '(C) July',
      '(D) August',
      '(E) The image does not feature the number.',
    ],
    'Ground truth': 'A',
    Task: 'Reasoning',
    Subtask: 'Diagram and Table',
    Category: 'diagram',
  },
];

/** `MME_RealWorld.json` + image folders; the last record's image is absent (missing media). */
export async function writeMmeRealworldFixture(dir: string): Promise<void> {
  for (const [index, record] of MME_REALWORLD_FIXTURE.entries()) {
    if (record.Image.includes('missing')) continue;
    await writeBytes(join(dir, record.Image), await imageBytes(64 + index * 8, 48, index));
  }
  await writeBytes(join(dir, 'MME_RealWorld.json'), JSON.stringify(MME_REALWORLD_FIXTURE, null, 2));
}

/**
 * The lmms-eval parquet of MME-RealWorld-Lite (`data/train-00000-of-00001.parquet`): the same
 * questions with `category` as `Task/Subtask` path, `l2-category`, options as a list and the
 * image as base64 text in `bytes`.
 */
export async function writeMmeRealworldParquetFixture(dir: string): Promise<string> {
  const records = MME_REALWORLD_FIXTURE.slice(0, 4);
  const bytes = await Promise.all(
    records.map((_, index) => base64Image(64 + index * 8, 48, index)),
  );
  const text = (name: string) => ({
    name,
    type: 'BYTE_ARRAY' as const,
    converted_type: 'UTF8' as const,
    repetition_type: 'OPTIONAL' as const,
  });
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'index', data: records.map((_, index) => String(index)) },
      { name: 'question', data: records.map((record) => record.Text) },
      { name: 'multi-choice options', data: records.map((record) => record['Answer choices']) },
      { name: 'answer', data: records.map((record) => record['Ground truth']) },
      {
        name: 'category',
        data: records.map((record) => `${record.Task.toLowerCase()}/${record.Subtask}`),
      },
      { name: 'l2-category', data: records.map((record) => record.Category) },
      { name: 'bytes', data: bytes },
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
  const file = join(dir, 'data/train-00000-of-00001.parquet');
  await writeBytes(file, new Uint8Array(buffer));
  return file;
}
