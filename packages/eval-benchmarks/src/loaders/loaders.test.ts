import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BenchmarkDataNotFoundError, MalformedRecordError } from '../errors.js';
import { resolveMedia } from '../media.js';
import {
  temporaryDir,
  writeInfovqaFixture,
  writeMvbenchFixture,
  writeParquetFixture,
  writeTallyqaFixture,
  writeVstarFixture,
} from '../test-helpers/fixtures.js';
import { loadInfovqa } from './infovqa.js';
import { loadMvbench } from './mvbench.js';
import { loadParquet } from './parquet.js';
import { loadProcedural } from './procedural.js';
import { loadTallyqa } from './tallyqa.js';
import { loadVstar, parseLetteredOptions } from './vstar.js';

describe('V*', () => {
  test('reads test_questions.jsonl with its shuffled options and letter labels', async () => {
    const dir = await temporaryDir('vstar');
    await writeVstarFixture(dir);
    const { items, missingMedia } = await loadVstar({ dataDir: dir });
    expect(missingMedia).toEqual([]);
    expect(items.map((item) => [item.id, item.category, item.groundTruth])).toEqual([
      [
        '0',
        'direct_attributes',
        { kind: 'choice', label: 'C', options: ['blue', 'white', 'red', 'green'] },
      ],
      ['1', 'relative_position', { kind: 'choice', label: 'B', options: ['right', 'left'] }],
    ]);
    expect(items[0]!.media).toEqual([
      { kind: 'image-file', path: join(dir, 'direct_attributes/sa_1001.jpg') },
    ]);
  });

  test('shuffles the per-image JSON options so the answer is not always (A)', async () => {
    const dir = await temporaryDir('vstar-json');
    await writeVstarFixture(dir, { jsonl: false });
    const { items } = await loadVstar({ dataDir: dir });
    expect(items.map((item) => item.id)).toEqual([
      'direct_attributes/sa_1001',
      'relative_position/sa_2002',
    ]);
    for (const item of items) {
      const truth = item.groundTruth as { label: string; options: string[] };
      const correct = item.id.startsWith('direct') ? 'red' : 'left';
      expect(truth.options['ABCD'.indexOf(truth.label)]).toBe(correct);
      expect(parseLetteredOptions(item.question)).toEqual(truth.options);
      expect(item.choicePrompt?.format(truth.options)).toBe(item.question);
    }
    const again = await loadVstar({ dataDir: dir });
    const withoutPrompt = ({ choicePrompt: _, ...rest }: (typeof items)[number]) => rest;
    expect(again.items.map(withoutPrompt)).toEqual(items.map(withoutPrompt));
  });

  test('names file and line of a malformed record', async () => {
    const dir = await temporaryDir('vstar-bad');
    await writeVstarFixture(dir);
    await writeFile(
      join(dir, 'test_questions.jsonl'),
      `${JSON.stringify({ image: 'direct_attributes/sa_1001.jpg', text: 'Q?\n(A) x\n(B) y', question_id: 0, label: 'A' })}\n${JSON.stringify({ image: 'x.jpg', text: 'Q?\n(A) x\n(B) y', question_id: 1, label: 'E' })}\n`,
    );
    const error = await loadVstar({ dataDir: dir }).catch((caught: unknown) => caught);
    expect(MalformedRecordError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`${join(dir, 'test_questions.jsonl')}:2`);
    expect((error as Error).message).toContain('label');
  });

  test('a folder without V* data is a typed not-found error', async () => {
    const dir = await temporaryDir('vstar-empty');
    await expect(loadVstar({ dataDir: dir })).rejects.toSatisfy(
      BenchmarkDataNotFoundError.isInstance,
    );
  });
});

describe('TallyQA', () => {
  test('keeps the complex subset (issimple == false) and lists missing images', async () => {
    const dir = await temporaryDir('tallyqa');
    await writeTallyqaFixture(dir);
    const complex = await loadTallyqa({ dataDir: dir });
    expect(complex.items.map((item) => [item.id, item.groundTruth])).toEqual([
      ['30002', { kind: 'count', value: 12 }],
      ['30003', { kind: 'count', value: 0 }],
    ]);
    expect(complex.missingMedia).toEqual([
      { itemId: '30004', path: join(dir, 'val2014/COCO_val2014_000000000999.jpg') },
    ]);
    const all = await loadTallyqa({ dataDir: dir, subset: 'all' });
    expect(all.items.map((item) => item.category)).toEqual(['simple', 'complex', 'complex']);
  });

  test('image folders can live elsewhere', async () => {
    const dir = await temporaryDir('tallyqa-roots');
    await writeTallyqaFixture(dir);
    const { items } = await loadTallyqa({
      dataDir: dir,
      subset: 'simple',
      imageRoots: { VG_100K_2: join(dir, 'VG_100K_2') },
    });
    expect(items[0]!.media).toEqual([
      { kind: 'image-file', path: join(dir, 'VG_100K_2/2415075.jpg') },
    ]);
  });

  test('a string answer is a malformed record with its index', async () => {
    const dir = await temporaryDir('tallyqa-bad');
    await writeFile(
      join(dir, 'test.json'),
      JSON.stringify([
        { image: 'a.jpg', answer: 'two', question: 'q', question_id: 1, issimple: false },
      ]),
    );
    await expect(loadTallyqa({ dataDir: dir })).rejects.toThrow(
      /test\.json \(record 0\): field "answer" must be a number/,
    );
  });
});

describe('MVBench', () => {
  test('maps tasks to their folders, keeps bounds and samples 16 frames from clips and frame folders', async () => {
    const dir = await temporaryDir('mvbench');
    await writeMvbenchFixture(dir);
    const { items, missingMedia } = await loadMvbench({ dataDir: dir });
    expect(items.map((item) => item.id)).toEqual([
      'action_sequence/0',
      'object_existence/0',
      'episodic_reasoning/0',
    ]);
    expect(missingMedia).toEqual([
      {
        itemId: 'object_existence/1',
        path: join(dir, 'video/clevrer/video_validation/video_missing.mp4'),
      },
    ]);
    const [sequence, existence, episodic] = items;
    expect(sequence!.media[0]).toMatchObject({
      kind: 'video-file',
      bound: { start: 0.5, end: 3.5 },
      frameCount: 16,
    });
    expect(sequence!.groundTruth).toMatchObject({ kind: 'choice', label: 'B' });
    expect(sequence!.question).toBe(
      'Question: What happened after the person took the cup?\nOptions:\n(A) Put down the towel.\n(B) Opened the door.\n(C) Sat on the bed.\n(D) Took the box.',
    );
    expect(existence!.media[0]).toMatchObject({ kind: 'video-file', bound: undefined });
    expect(episodic!.media[0]).toMatchObject({
      kind: 'frame-folder',
      fps: 3,
      bound: { start: 1, end: 7 },
    });
    for (const item of [sequence!, episodic!]) {
      const media = await resolveMedia(item.media);
      expect(media).toHaveLength(1);
      expect(media[0]!.type).toBe('video');
      expect((media[0] as { frames: unknown[] }).frames).toHaveLength(16);
    }
  });

  test('a missing json/ folder is a typed error', async () => {
    const dir = await temporaryDir('mvbench-empty');
    await expect(loadMvbench({ dataDir: dir })).rejects.toSatisfy(
      BenchmarkDataNotFoundError.isInstance,
    );
  });
});

describe('InfographicVQA', () => {
  test('val keeps every acceptable answer; test has none', async () => {
    const dir = await temporaryDir('infovqa');
    await writeInfovqaFixture(dir);
    const val = await loadInfovqa({ dataDir: dir });
    expect(val.items.map((item) => [item.id, item.category, item.groundTruth])).toEqual([
      ['65718', 'single span', { kind: 'texts', values: ['35%', '35', '35 percent'] }],
      ['65719', 'single span', { kind: 'texts', values: ['United  States'] }],
      ['65720', 'multi-span', { kind: 'texts', values: ['paris, london'] }],
    ]);
    const test = await loadInfovqa({ dataDir: dir, split: 'test' });
    expect(test.items.map((item) => [item.id, item.groundTruth])).toEqual([
      ['70001', { kind: 'texts', values: [] }],
    ]);
  });
});

describe('reference parquet', () => {
  test('resolves image lists under <stem>_images/ and groups by qid prefix', async () => {
    const dir = await temporaryDir('parquet');
    const file = await writeParquetFixture(dir);
    const { items, missingMedia } = await loadParquet({ file });
    expect(items.map((item) => [item.id, item.category, item.groundTruth])).toEqual([
      ['vstar-0', 'vstar', { kind: 'reference', values: ['B'] }],
      ['vstar-1', 'vstar', { kind: 'reference', values: ['3'] }],
    ]);
    expect(items[0]!.media).toEqual([
      { kind: 'image-file', path: join(dir, 'vstar_images/a.jpg') },
    ]);
    expect(missingMedia).toEqual([{ itemId: 'vstar-2', path: 'images/absent.jpg' }]);
  });

  test('a file that is not parquet is a malformed record error', async () => {
    const dir = await temporaryDir('parquet-bad');
    const file = join(dir, 'vstar.parquet');
    await writeFile(file, 'not parquet at all');
    await expect(loadParquet({ file })).rejects.toSatisfy(MalformedRecordError.isInstance);
  });
});

describe('procedural', () => {
  test('generates the same held-out items for the same seeds', async () => {
    const first = await loadProcedural({ families: ['count', 'infographic'], itemsPerFamily: 2 });
    const second = await loadProcedural({ families: ['count', 'infographic'], itemsPerFamily: 2 });
    expect(first.items.map((item) => item.id)).toEqual(second.items.map((item) => item.id));
    expect(first.items.map((item) => item.groundTruth.kind)).toEqual([
      'count',
      'count',
      'texts',
      'texts',
    ]);
    const media = await resolveMedia(first.items[0]!.media);
    expect(media[0]!.type).toBe('image');
  });
});
