import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarksFromSpec, formatBenchmarkList, mmeRealworldLayout } from '../benchmarks.js';
import { MalformedRecordError, MediaOutsideRootError } from '../errors.js';
import { resolveMedia } from '../media.js';
import { temporaryDir } from '../test-helpers/fixtures.js';
import {
  HRBENCH_FIXTURE_ROWS,
  tsvText,
  writeHrbenchFixture,
  writeMmeRealworldFixture,
  writeMmeRealworldParquetFixture,
  writeVlmevalkitFixture,
} from '../test-helpers/layout-fixtures.js';
import { loadMmeRealworld, loadMmeRealworldParquet } from './mme-realworld.js';
import { loadVlmevalkitTsv } from './vlmevalkit-tsv.js';

describe('HR-Bench TSV', () => {
  it('loads options, letter, category and cycle_category, and a shared image by index', async () => {
    const dir = await temporaryDir('hrbench');
    await writeHrbenchFixture(dir);
    const [benchmark] = benchmarksFromSpec(`hrbench-4k:${dir}`);
    expect(benchmark!.name).toBe('hrbench-4k');
    expect(benchmark!.aggregation).toEqual({ kind: 'macro', over: 'cycle_category' });
    const { items } = await benchmark!.load();
    expect(items.map((item) => item.id)).toEqual(HRBENCH_FIXTURE_ROWS.map((row) => row.index));
    expect(items[1]).toMatchObject({
      category: 'single',
      groups: { cycle_category: '0' },
      groundTruth: { kind: 'choice', label: 'C', options: ['STOP', 'EXIT', 'OPEN', 'SALE'] },
    });
    expect(items[1]!.question).toBe(
      'Question: What does the sign say?\nOptions:\nA. STOP\nB. EXIT\nC. OPEN\nD. SALE\nPlease select the correct answer from the options above. \n',
    );
    expect(items[3]!.media).toEqual(
      items[0]!.media.map((source) => ({ ...source, name: expect.stringContaining('#3') })),
    );
    const [first] = await resolveMedia(items[3]!.media, { inputPixels: false });
    expect(first).toMatchObject({ type: 'image', image: { width: 96, height: 64 } });
  });

  it('names the row of an answer that is not an option letter, and a missing cycle_category column', async () => {
    const dir = await temporaryDir('hrbench-bad');
    const file = join(dir, 'hr_bench_4k.tsv');
    await writeFile(
      file,
      tsvText(
        ['index', 'question', 'A', 'B', 'answer', 'category', 'cycle_category', 'image'],
        [
          {
            index: '0',
            question: 'q',
            A: 'x',
            B: 'y',
            answer: 'C',
            category: 'single',
            cycle_category: '0',
            image: 'QUJD'.repeat(30),
          },
        ],
      ),
    );
    await expect(benchmarksFromSpec(`hrbench-4k:${file}`)[0]!.load()).rejects.toThrow(
      /hr_bench_4k\.tsv \(record 0\): column "answer" must be one of the option letters A–B, got "C"/,
    );
    await writeFile(file, tsvText(['index', 'question', 'A', 'B', 'answer', 'image'], []));
    await expect(benchmarksFromSpec(`hrbench-4k:${file}`)[0]!.load()).rejects.toThrow(
      /no "category" column/,
    );
  });
});

describe('VLMEvalKit MCQ TSV', () => {
  it('builds VLMEvalKit prompts with hint and five options, reads image_path under the TSV folder', async () => {
    const dir = await temporaryDir('vlmeval');
    const file = await writeVlmevalkitFixture(dir);
    const [benchmark] = benchmarksFromSpec(`vlmevalkit:${file}`);
    expect(benchmark!.name).toBe('vlmevalkit:VStarBench');
    expect(benchmark!.aggregation).toBeUndefined();
    const { items, missingMedia } = await benchmark!.load();
    expect(missingMedia).toEqual([]);
    expect(items[0]!.question).toBe(
      'Hint: The mug is on the left.\nQuestion: Which word is on the mug?\nOptions:\nA. tea\nB. say "hi"\tthere\nC. milk\nD. cafe\nE. none\nPlease select the correct answer from the options above. \n',
    );
    expect(items[0]!.groups).toEqual({ 'l2-category': 'text' });
    expect(items[1]!.groundTruth).toEqual({
      kind: 'choice',
      label: 'A',
      options: ['left', 'right'],
    });
    expect(items[2]!.media).toEqual([{ kind: 'image-file', path: join(dir, 'images/local.png') }]);
  });

  it('refuses an image_path outside the TSV folder, and a gap in the option columns', async () => {
    const dir = await temporaryDir('vlmeval-bad');
    const file = join(dir, 'bad.tsv');
    const header = ['index', 'image_path', 'question', 'A', 'B', 'C', 'answer'];
    await writeFile(
      file,
      tsvText(header, [
        { index: '1', image_path: '../secret.png', question: 'q', A: 'x', B: 'y', answer: 'A' },
      ]),
    );
    await expect(loadVlmevalkitTsv({ file })).rejects.toBeInstanceOf(MediaOutsideRootError);
    await writeFile(
      file,
      tsvText(header, [
        { index: '1', image_path: 'a.png', question: 'q', A: 'x', C: 'z', answer: 'A' },
      ]),
    );
    await expect(loadVlmevalkitTsv({ file })).rejects.toThrow(
      /record 0\): option C is set but option B is empty/,
    );
  });

  it('scores VLMEvalKit HRBench files per cycle like HR-Bench', () => {
    const [benchmark] = benchmarksFromSpec('vlmevalkit:/data/HRBench8K.tsv');
    expect(benchmark!.aggregation).toEqual({ kind: 'macro', over: 'cycle_category' });
  });
});

describe('MME-RealWorld', () => {
  it('loads the official JSON: Task/Subtask category, folded attribute categories, missing images', async () => {
    const dir = await temporaryDir('mme');
    await writeMmeRealworldFixture(dir);
    expect(await mmeRealworldLayout(dir)).toBe('official-json');
    const { items, missingMedia } = await loadMmeRealworld({ path: dir });
    expect(items.map((item) => item.category)).toEqual([
      'Perception/Monitoring',
      'Perception/Monitoring',
      'Perception/Autonomous_Driving',
      'Reasoning/Diagram and Table',
    ]);
    expect(items[1]!.groups).toEqual({
      task: 'Perception',
      category: 'Perception/Monitoring/person/attribute',
    });
    expect(items[0]!.groundTruth).toEqual({
      kind: 'choice',
      label: 'B',
      options: ['1', '2', '3', '4', 'The image does not feature the buses'],
    });
    expect(items[0]!.question).toBe(
      'How many buses are there? The choices are listed below: \n(A) 1\n(B) 2\n(C) 3\n(D) 4\n(E) The image does not feature the buses\nSelect the best answer to the above multiple-choice question based on the image. Respond with only the letter (A, B, C, D, or E) of the correct option.\nThe best answer is:',
    );
    expect(missingMedia).toEqual([
      {
        itemId: 'reasoning/diagram_and_table/diagram/0005',
        path: join(dir, 'diagram_and_table/missing.png'),
      },
    ]);
  });

  it('refuses Image paths that leave the dataset root, also through a symlink', async () => {
    const dir = await temporaryDir('mme-escape');
    const outside = await temporaryDir('mme-outside');
    await writeFile(join(outside, 'x.png'), 'not an image');
    await symlink(outside, join(dir, 'linked'));
    const record = {
      Question_id: 'q1',
      Image: 'linked/x.png',
      Text: 't',
      'Answer choices': ['(A) a', '(B) b'],
      'Ground truth': 'A',
      Task: 'Perception',
      Subtask: 'OCR with Complex Context',
      Category: 'ocr',
    };
    await writeFile(join(dir, 'MME_RealWorld.json'), JSON.stringify([record]));
    await expect(loadMmeRealworld({ path: dir })).rejects.toThrow(
      /MME_RealWorld\.json \(record 0\): media path "linked\/x\.png" resolves outside/,
    );
    await writeFile(
      join(dir, 'MME_RealWorld.json'),
      JSON.stringify([{ ...record, 'Answer choices': ['A) a', '(B) b'] }]),
    );
    await expect(loadMmeRealworld({ path: dir })).rejects.toBeInstanceOf(MalformedRecordError);
  });

  it('loads the lmms-eval parquet with base64 bytes, task from category, subtask its last part', async () => {
    const dir = await temporaryDir('mme-parquet');
    await writeMmeRealworldParquetFixture(dir);
    expect(await mmeRealworldLayout(dir)).toBe('lmms-eval-parquet');
    const { items } = await loadMmeRealworldParquet({ path: dir });
    expect(items.map((item) => [item.id, item.category, item.groups?.category])).toEqual([
      ['0', 'Perception/Monitoring', 'Perception/Monitoring/vehicle/counting'],
      ['1', 'Perception/Monitoring', 'Perception/Monitoring/person/attribute'],
      ['2', 'Perception/Autonomous_Driving', 'Perception/Autonomous_Driving/objects_identify'],
      ['3', 'Reasoning/Diagram and Table', 'Reasoning/Diagram and Table/diagram'],
    ]);
    expect(items[3]!.groundTruth).toMatchObject({ label: 'D' });
    expect(items[0]!.question).toContain(' The choices are listed below:\n(A) 1\n(B) 2');
    const [media] = await resolveMedia(items[2]!.media, { inputPixels: false });
    expect(media).toMatchObject({ type: 'image', image: { width: 80, height: 48 } });
    const [lite] = benchmarksFromSpec(`mme-realworld-lite:${dir}`);
    expect((await lite!.load()).items).toHaveLength(4);
  });
});

describe('benchmark registry', () => {
  it('lists every benchmark with its usage, layout and source', () => {
    const list = formatBenchmarkList();
    for (const usage of [
      'vstar[:DIR]',
      'hrbench-4k[:FILE|DIR]',
      'hrbench-8k[:FILE|DIR]',
      'mme-realworld[:FILE|DIR]',
      'mme-realworld-lite[:FILE|DIR]',
      'vlmevalkit:FILE.tsv',
      'procedural[:FAMILIES]',
    ]) {
      expect(list).toContain(`${usage}\n  layout: `);
    }
    expect(list).toContain('cycle_category');
    expect(list).toContain('checked against: DreamMr/HR-Bench');
  });
});
