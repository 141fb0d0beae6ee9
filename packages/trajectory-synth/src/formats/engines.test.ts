import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportFormatError } from '../errors.js';
import { synthesizeTrajectory } from '../synthesize.js';
import { seedsOf } from '../test-helpers/seeds.js';
import type { Trajectory } from '../trajectory.js';
import { type LlamaFactoryEntry, writeLlamaFactoryDataset } from './llamafactory.js';
import { type SwiftEntry, writeSwiftJsonl } from './swift.js';
import { writeVerlParquet } from './verl-parquet.js';

let dir: string;
let trajectories: Trajectory[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synth-engines-'));
  const [image] = await seedsOf(['zoom-attribute'], 1, 3);
  const [video] = await seedsOf(['frames'], 1, 40);
  trajectories = [];
  for (const kind of [
    'single-pass',
    'recrop-once',
    'recrop-twice',
    'further-zoom',
    'text-only',
  ] as const) {
    const trajectory = await synthesizeTrajectory(image!, { kind });
    // One seed gives every type here; distinct seed ids keep them apart where that matters.
    trajectories.push({ ...trajectory, seedId: `${trajectory.seedId}/${kind}` });
  }
  for (const kind of ['single-pass', 'reselect'] as const) {
    const trajectory = await synthesizeTrajectory(video!, { kind });
    trajectories.push({ ...trajectory, seedId: `${trajectory.seedId}/${kind}` });
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

type Piece = string | { image: string } | { video: string[] };

/** A message as role plus ordered text / image-hash / video-hash pieces, empty texts dropped. */
function trajectoryPieces(trajectory: Trajectory, options: { videoAsImages?: boolean } = {}) {
  return trajectory.turns.map((turn) => {
    const content = turn.message.content;
    const pieces: Piece[] = [];
    if (typeof content === 'string') pieces.push(content);
    else {
      for (const part of content) {
        if (part.type === 'text') pieces.push(part.text);
        else if (part.type === 'image') pieces.push({ image: sha(part.image.data) });
        else if (options.videoAsImages)
          pieces.push(...part.frames.map((frame) => ({ image: sha(frame.data) })));
        else pieces.push({ video: part.frames.map((frame) => sha(frame.data)) });
      }
    }
    return { role: turn.message.role, pieces: merge(pieces) };
  });
}

function merge(pieces: Piece[]): Piece[] {
  const merged: Piece[] = [];
  for (const piece of pieces) {
    const last = merged.at(-1);
    if (typeof piece === 'string' && typeof last === 'string')
      merged[merged.length - 1] = last + piece;
    else merged.push(piece);
  }
  return merged.filter((piece) => piece !== '');
}

/** Reads back a placeholder message list, resolving each `<image>` / `<video>` to its file. */
async function placeholderPieces(
  messages: { role: string; content: string }[],
  images: string[],
  videos: string[][],
  root: string,
) {
  const read = async (path: string) =>
    sha(new Uint8Array(await readFile(isAbsolute(path) ? path : join(root, path))));
  let nextImage = 0;
  let nextVideo = 0;
  const result = [];
  for (const message of messages) {
    const pieces: Piece[] = [];
    for (const token of message.content.split(/(<image>|<video>)/)) {
      if (token === '<image>') pieces.push({ image: await read(images[nextImage++]!) });
      else if (token === '<video>')
        pieces.push({ video: await Promise.all(videos[nextVideo++]!.map(read)) });
      else pieces.push(token);
    }
    result.push({ role: message.role, pieces: merge(pieces) });
  }
  expect(nextImage).toBe(images.length);
  expect(nextVideo).toBe(videos.length);
  return result;
}

describe('LLaMA-Factory multimodal sharegpt export', () => {
  it('round-trips every trajectory with all-assistant samples and counts the masks it loses', async () => {
    const out = join(dir, 'llamafactory-all');
    const result = await writeLlamaFactoryDataset(out, trajectories, {
      masks: 'all-assistant',
    });
    expect(result.count).toBe(trajectories.length);
    const masked = trajectories.flatMap((trajectory) =>
      trajectory.turns.filter((turn) => turn.message.role === 'assistant' && !turn.trainable),
    );
    expect(masked.length).toBeGreaterThan(0);
    expect(result.maskedTurnsTrained).toBe(masked.length);
    const entries = JSON.parse(await readFile(result.file, 'utf8')) as LlamaFactoryEntry[];
    for (const [index, entry] of entries.entries()) {
      expect(entry.images.every((path) => path.startsWith('media/'))).toBe(true);
      expect(await placeholderPieces(entry.messages, entry.images, entry.videos, out)).toEqual(
        trajectoryPieces(trajectories[index]!),
      );
    }
    // LLaMA-Factory's converter: system first, then user/assistant alternating, even count.
    for (const entry of entries) {
      const [system, ...rest] = entry.messages;
      expect(system?.role).toBe('system');
      expect(rest.length % 2).toBe(0);
      expect(rest.map((message) => message.role)).toEqual(
        rest.map((_, position) => (position % 2 === 0 ? 'user' : 'assistant')),
      );
    }
  });

  it('keeps the masks exactly in split mode: one sample ending in each trained turn', async () => {
    const out = join(dir, 'llamafactory-split');
    const result = await writeLlamaFactoryDataset(out, trajectories);
    const entries = JSON.parse(await readFile(result.file, 'utf8')) as LlamaFactoryEntry[];
    const expected = trajectories.flatMap((trajectory) => {
      const pieces = trajectoryPieces(trajectory);
      return trajectory.turns.flatMap((turn, index) =>
        turn.message.role === 'assistant' && turn.trainable ? [pieces.slice(0, index + 1)] : [],
      );
    });
    expect(entries).toHaveLength(expected.length);
    expect(entries.length).toBeGreaterThan(trajectories.length);
    for (const [index, entry] of entries.entries()) {
      expect(await placeholderPieces(entry.messages, entry.images, entry.videos, out)).toEqual(
        expected[index],
      );
    }
    const info = JSON.parse(await readFile(result.datasetInfoFile, 'utf8'));
    expect(info.pixel_reasoner).toMatchObject({
      file_name: 'llamafactory.json',
      formatting: 'sharegpt',
      columns: { messages: 'messages', images: 'images', videos: 'videos' },
      tags: { role_tag: 'role', content_tag: 'content', system_tag: 'system' },
    });
  });

  it('adds its entry to an existing dataset_info.json without dropping others', async () => {
    const out = join(dir, 'llamafactory-merge');
    await writeLlamaFactoryDataset(out, []);
    const infoFile = join(out, 'dataset_info.json');
    await writeFile(infoFile, JSON.stringify({ other: { file_name: 'x.json' } }));
    await writeLlamaFactoryDataset(out, trajectories.slice(0, 1), { datasetName: 'mine' });
    const info = JSON.parse(await readFile(infoFile, 'utf8'));
    expect(Object.keys(info).sort()).toEqual(['mine', 'other']);
  });

  it('refuses a trajectory whose text contains the <image> placeholder, naming it', async () => {
    const broken = structuredClone(trajectories[4]!);
    broken.turns[1]!.message.content = 'What is in <image> here?';
    await expect(writeLlamaFactoryDataset(join(dir, 'bad'), [broken])).rejects.toThrow(
      ExportFormatError,
    );
    await expect(writeLlamaFactoryDataset(join(dir, 'bad'), [broken])).rejects.toThrow(broken.id);
  });
});

describe('ms-swift messages JSONL export', () => {
  it('round-trips every trajectory with a loss flag on each assistant message', async () => {
    const out = join(dir, 'swift');
    const { file, count } = await writeSwiftJsonl(out, trajectories);
    expect(count).toBe(trajectories.length);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(trajectories.length);
    for (const [index, line] of lines.entries()) {
      const entry = JSON.parse(line) as SwiftEntry;
      const trajectory = trajectories[index]!;
      expect(entry.images.every((path) => isAbsolute(path))).toBe(true);
      expect(await placeholderPieces(entry.messages, entry.images, entry.videos, out)).toEqual(
        trajectoryPieces(trajectory),
      );
      entry.messages.forEach((message, position) => {
        const turn = trajectory.turns[position]!;
        if (message.role === 'assistant') expect(message.loss).toBe(turn.trainable);
        else expect('loss' in message).toBe(false);
      });
    }
    // A self-correction trajectory carries a masked (erroneous) assistant turn.
    const recrop = JSON.parse(lines[1]!) as SwiftEntry;
    expect(
      recrop.messages.filter((message) => message.role === 'assistant').map((m) => m.loss),
    ).toEqual([false, true, true]);
  });
});

describe('verl RL parquet export', () => {
  it('writes prompt, images and ground truth that hyparquet reads back', async () => {
    const out = join(dir, 'verl');
    const { file, count } = await writeVerlParquet(out, trajectories);
    expect(count).toBe(trajectories.length);
    const rows = (await parquetReadObjects({
      file: (await readFile(file)).buffer as ArrayBuffer,
      utf8: false,
    })) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(trajectories.length);
    const decode = (value: unknown) =>
      typeof value === 'string' ? value : new TextDecoder().decode(value as Uint8Array);
    for (const [index, row] of rows.entries()) {
      const trajectory = trajectories[index]!;
      const promptTurns = trajectory.turns.findIndex((turn) => turn.segment === 'prompt') + 1;
      const images = row.images as { bytes: Uint8Array; path: unknown }[];
      const prompt = row.prompt as { role: unknown; content: unknown }[];
      const pieces = await placeholderPieces(
        prompt.map((message) => ({ role: decode(message.role), content: decode(message.content) })),
        images.map((image) => decode(image.path)),
        [],
        out,
      );
      expect(pieces).toEqual(
        trajectoryPieces(trajectory, { videoAsImages: true }).slice(0, promptTurns),
      );
      // The embedded bytes are the media files themselves.
      for (const image of images) {
        expect(sha(image.bytes)).toBe(
          sha(new Uint8Array(await readFile(join(out, decode(image.path))))),
        );
      }
      expect(decode(row.data_source)).toBe('pixel-reasoner-synth');
      expect(decode(row.ability)).toBe('visual_reasoning');
      const reward = row.reward_model as Record<string, unknown>;
      expect(decode(reward.style)).toBe('rule');
      expect(decode(reward.ground_truth)).toBe(trajectory.answer);
      const extra = row.extra_info as Record<string, unknown>;
      expect(extra.index).toBe(BigInt(index));
      expect(decode(extra.id)).toBe(trajectory.id);
      expect(extra.is_video).toBe(index >= 5);
    }
  });

  it('writes absolute image paths in path mode and one row per seed', async () => {
    const out = join(dir, 'verl-paths');
    const doubled = [...trajectories, ...trajectories];
    const { file, count, duplicates } = await writeVerlParquet(out, doubled, {
      images: 'path',
      split: 'validation',
    });
    expect(count).toBe(trajectories.length);
    expect(duplicates).toBe(trajectories.length);
    const rows = (await parquetReadObjects({
      file: (await readFile(file)).buffer as ArrayBuffer,
    })) as Array<{ images: { image: string }[]; extra_info: { split: string } }>;
    expect(rows[0]?.images[0]?.image).toMatch(/^\/.*media\/[0-9a-f]{24}\.png$/);
    expect(rows[0]?.extra_info.split).toBe('validation');
    expect((await readdir(out)).sort()).toEqual(['media', 'verl.parquet']);
  });
});
