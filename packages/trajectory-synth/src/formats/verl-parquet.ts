import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@pixel-reasoner/model-runtime/internal';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ExportFormatError, InvalidOptionError } from '../errors.js';
import type { Trajectory } from '../trajectory.js';
import { MediaStore } from './media-store.js';
import { toPlaceholderMessages } from './placeholders.js';

/**
 * One row of verl's RL dataset parquet (`docs/preparation/prepare_data.rst`: `data_source`,
 * `prompt` in chat-template form, `ability`, `reward_model.ground_truth`, `extra_info`; images as in
 * `examples/data_preprocess/geo3k.py`, one `<image>` per entry of `images`). A video is written as
 * its frames, one `<image>` each, with `extra_info.is_video` — the layout verl-tool's Pixel Reasoner
 * recipe uses, which is also what `pixel-reasoner-tool-server` reads.
 */
export interface VerlRow {
  data_source: string;
  prompt: { role: 'system' | 'user'; content: string }[];
  images: { bytes: Uint8Array; path: string }[] | { image: string }[];
  ability: string;
  reward_model: { style: 'rule'; ground_truth: string };
  extra_info: {
    split: string;
    index: bigint;
    id: string;
    seed_id: string;
    kind: string;
    answer_type: string;
    is_video: boolean;
  };
}

export const VERL_PARQUET_FILE = 'verl.parquet';

export interface VerlParquetWriteOptions {
  fileName?: string;
  /** `data_source` of every row, which verl's reward dispatch keys on (default `pixel-reasoner-synth`). */
  dataSource?: string;
  /** `extra_info.split` (default `train`). */
  split?: string;
  /**
   * `bytes` (default): images embedded as `{bytes, path}`, the Hugging Face Image struct, so the file
   * is self-contained. `path`: `{image: <absolute path>}` pointing at `<dir>/media/`.
   */
  images?: 'bytes' | 'path';
  /** Keep one row per seed (default true): the trajectories of one seed share their prompt. */
  dedupeSeeds?: boolean;
}

const utf8 = (name: string) =>
  ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;

function schemaFor(images: 'bytes' | 'path') {
  const imageFields =
    images === 'bytes'
      ? [
          { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 } as const,
          { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' } as const,
          utf8('path'),
        ]
      : [{ name: 'element', repetition_type: 'OPTIONAL', num_children: 1 } as const, utf8('image')];
  return [
    { name: 'root', num_children: 6 },
    utf8('data_source'),
    { name: 'prompt', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
    utf8('role'),
    utf8('content'),
    { name: 'images', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    ...imageFields,
    utf8('ability'),
    { name: 'reward_model', repetition_type: 'OPTIONAL', num_children: 2 },
    utf8('style'),
    utf8('ground_truth'),
    { name: 'extra_info', repetition_type: 'OPTIONAL', num_children: 7 },
    utf8('split'),
    { name: 'index', type: 'INT64', repetition_type: 'OPTIONAL' },
    utf8('id'),
    utf8('seed_id'),
    utf8('kind'),
    utf8('answer_type'),
    { name: 'is_video', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  ] as Parameters<typeof parquetWriteBuffer>[0]['schema'];
}

/** The RL row of one trajectory: its system and question turns, media and answer. */
export async function toVerlRow(
  trajectory: Trajectory,
  store: MediaStore,
  options: { index: number; dataSource?: string; split?: string; images?: 'bytes' | 'path' },
): Promise<VerlRow> {
  const promptEnd = trajectory.turns.findIndex((turn) => turn.segment === 'prompt');
  if (promptEnd < 0) {
    throw new ExportFormatError({
      trajectoryId: trajectory.id,
      format: 'verl-parquet',
      problem: 'it has no question turn',
    });
  }
  const prompt = trajectory.turns.slice(0, promptEnd + 1);
  const messages = await toPlaceholderMessages({ ...trajectory, turns: prompt }, store, {
    format: 'verl-parquet',
    videoAs: 'images',
  });
  const paths = messages.flatMap((message) => message.images);
  const images =
    options.images === 'path'
      ? paths.map((path) => ({ image: resolve(store.root, path) }))
      : await Promise.all(
          paths.map(async (path) => ({
            bytes: new Uint8Array(await readFile(join(store.root, path))),
            path,
          })),
        );
  const isVideo = prompt.some(
    (turn) =>
      Array.isArray(turn.message.content) &&
      turn.message.content.some((part) => part.type === 'video'),
  );
  return {
    data_source: options.dataSource ?? 'pixel-reasoner-synth',
    prompt: messages.map((message) => ({
      role: message.role === 'system' ? 'system' : 'user',
      content: message.content,
    })),
    images,
    ability: 'visual_reasoning',
    reward_model: { style: 'rule', ground_truth: trajectory.answer },
    extra_info: {
      split: options.split ?? 'train',
      index: BigInt(options.index),
      id: trajectory.id,
      seed_id: trajectory.seedId,
      kind: trajectory.kind,
      answer_type: trajectory.answerType,
      is_video: isVideo,
    },
  };
}

/**
 * Writes the prompts of trajectories as a verl RL parquet (`<dir>/verl.parquet`), atomically. There
 * is nothing to mask: RL trains on the model's own rollouts, and verl-tool masks observations with
 * `mask_observations=True`.
 */
export async function writeVerlParquet(
  dir: string,
  trajectories: AsyncIterable<Trajectory> | Iterable<Trajectory>,
  options: VerlParquetWriteOptions = {},
): Promise<{ file: string; count: number; duplicates: number }> {
  const imageMode = options.images ?? 'bytes';
  if (imageMode !== 'bytes' && imageMode !== 'path') {
    throw new InvalidOptionError(
      'images',
      `must be bytes or path, got ${JSON.stringify(imageMode)}`,
    );
  }
  const store = new MediaStore(dir);
  const rows: VerlRow[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for await (const trajectory of trajectories) {
    if (options.dedupeSeeds !== false) {
      if (seen.has(trajectory.seedId)) {
        duplicates++;
        continue;
      }
      seen.add(trajectory.seedId);
    }
    rows.push(
      await toVerlRow(trajectory, store, {
        index: rows.length,
        images: imageMode,
        ...(options.dataSource !== undefined ? { dataSource: options.dataSource } : {}),
        ...(options.split !== undefined ? { split: options.split } : {}),
      }),
    );
  }
  const column = <K extends keyof VerlRow>(name: K) => ({
    name,
    data: rows.map((row) => row[name]) as unknown[],
  });
  const buffer = parquetWriteBuffer({
    columnData: [
      column('data_source'),
      column('prompt'),
      column('images'),
      column('ability'),
      column('reward_model'),
      column('extra_info'),
    ] as Parameters<typeof parquetWriteBuffer>[0]['columnData'],
    schema: schemaFor(imageMode),
  });
  const file = join(dir, options.fileName ?? VERL_PARQUET_FILE);
  await writeFileAtomic(file, new Uint8Array(buffer));
  return { file, count: rows.length, duplicates };
}
