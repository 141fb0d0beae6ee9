import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChatMessage, ChatPart } from '@pixel-reasoner/model-runtime';
import {
  removeStaleTemporaries,
  syncDirectory,
  temporaryPathFor,
} from '@pixel-reasoner/model-runtime/internal';
import { InvalidRecordError, type RecordLocation } from '../errors.js';
import { readJsonLines } from '../files.js';
import { readImageFile } from '../media.js';
import type {
  OperationRecord,
  Trajectory,
  TrajectoryKind,
  TrajectoryProfile,
  TrajectoryTurn,
  TurnSegment,
} from '../trajectory.js';
import {
  expectArray,
  expectInteger,
  expectObject,
  expectString,
  type JsonObject,
} from '../validate.js';
import { MediaStore } from './media-store.js';

/** Marks a line of our own trajectory JSONL, so other JSONL files are refused early. */
export const TRAJECTORY_FORMAT = 'pixel-reasoner-trajectory/v1';

export const TRAJECTORIES_FILE = 'trajectories.jsonl';

type StoredPart =
  | { type: 'text'; text: string }
  | { type: 'image'; path: string; origin: 'input' | 'operation'; width: number; height: number }
  | { type: 'video'; frames: Array<{ path: string; width: number; height: number }> };

async function storeContent(content: ChatMessage['content'], store: MediaStore) {
  if (typeof content === 'string') return content;
  return Promise.all(
    content.map(async (part): Promise<StoredPart> => {
      if (part.type === 'text') return part;
      if (part.type === 'image') {
        const { width, height } = part.image;
        return {
          type: 'image',
          path: await store.put(part.image),
          origin: part.origin,
          width,
          height,
        };
      }
      return {
        type: 'video',
        frames: await Promise.all(
          part.frames.map(async (frame) => ({
            path: await store.put(frame),
            width: frame.width,
            height: frame.height,
          })),
        ),
      };
    }),
  );
}

/**
 * Streams trajectories into `<dir>/trajectories.jsonl` with media as files under `<dir>/media/`
 * (paths in the JSONL are relative to `dir`). The JSONL is written to a temporary file and renamed
 * on `close()`, so an interrupted run never leaves a truncated dataset behind.
 */
export class JsonlTrajectoryWriter {
  readonly file: string;
  private readonly store: MediaStore;
  private readonly temporary: string;
  private stream: WriteStream | undefined;
  private count = 0;

  constructor(
    readonly dir: string,
    options: { fileName?: string } = {},
  ) {
    this.file = join(dir, options.fileName ?? TRAJECTORIES_FILE);
    this.temporary = temporaryPathFor(this.file);
    this.store = new MediaStore(dir);
  }

  async write(trajectory: Trajectory): Promise<void> {
    if (this.stream === undefined) {
      await mkdir(dirname(this.file), { recursive: true });
      await removeStaleTemporaries(this.file);
      this.stream = createWriteStream(this.temporary);
    }
    const turns = await Promise.all(
      trajectory.turns.map(async (turn) => ({
        role: turn.message.role,
        segment: turn.segment,
        trainable: turn.trainable,
        content: await storeContent(turn.message.content, this.store),
        ...(turn.operation !== undefined && { operation: turn.operation }),
      })),
    );
    const line = JSON.stringify({
      format: TRAJECTORY_FORMAT,
      id: trajectory.id,
      seedId: trajectory.seedId,
      source: trajectory.source,
      kind: trajectory.kind,
      profile: trajectory.profile,
      answer: trajectory.answer,
      answerType: trajectory.answerType,
      turns,
    });
    const stream = this.stream;
    await new Promise<void>((resolveWrite, rejectWrite) => {
      stream.write(`${line}\n`, (error) => (error ? rejectWrite(error) : resolveWrite()));
    });
    this.count++;
  }

  /** Finishes the file (an empty dataset gives an empty file) and returns how many were written. */
  async close(): Promise<{ file: string; count: number }> {
    if (this.stream === undefined) {
      await mkdir(dirname(this.file), { recursive: true });
      this.stream = createWriteStream(this.temporary);
    }
    const stream = this.stream;
    await new Promise<void>((resolveEnd, rejectEnd) => {
      stream.once('error', rejectEnd);
      stream.end(() => resolveEnd());
    });
    const handle = await open(this.temporary, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.temporary, this.file);
    await syncDirectory(dirname(this.file));
    return { file: this.file, count: this.count };
  }

  /** Drops the unfinished file. */
  async abort(): Promise<void> {
    this.stream?.destroy();
    await rm(this.temporary, { force: true });
  }
}

/** Writes all trajectories to `<dir>/trajectories.jsonl` (+ `media/`); see {@link JsonlTrajectoryWriter}. */
export async function writeTrajectoriesJsonl(
  dir: string,
  trajectories: AsyncIterable<Trajectory> | Iterable<Trajectory>,
): Promise<{ file: string; count: number }> {
  const writer = new JsonlTrajectoryWriter(dir);
  try {
    for await (const trajectory of trajectories) await writer.write(trajectory);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.close();
}

const KINDS: readonly TrajectoryKind[] = [
  'single-pass',
  'recrop-once',
  'recrop-twice',
  'further-zoom',
  'reselect',
  'text-only',
];
const SEGMENTS: readonly TurnSegment[] = ['system', 'prompt', 'operation', 'observation', 'answer'];
const ROLES = ['system', 'user', 'assistant'] as const;

function expectOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  location: RecordLocation,
  field: string,
): T {
  const text = expectString(value, location, field);
  if (!allowed.includes(text as T)) {
    throw new InvalidRecordError(
      location,
      field,
      `must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`,
    );
  }
  return text as T;
}

async function loadContent(
  value: unknown,
  root: string,
  location: RecordLocation,
  field: string,
): Promise<ChatMessage['content']> {
  if (typeof value === 'string') return value;
  const parts = expectArray(value, location, field);
  return Promise.all(
    parts.map(async (item, index): Promise<ChatPart> => {
      const name = `${field}[${index}]`;
      const part = expectObject(item, location, name);
      const type = expectOneOf(part.type, ['text', 'image', 'video'], location, `${name}.type`);
      if (type === 'text') {
        if (typeof part.text !== 'string')
          throw new InvalidRecordError(location, `${name}.text`, 'must be a string');
        return { type: 'text', text: part.text };
      }
      if (type === 'image') {
        const origin = expectOneOf(part.origin, ['input', 'operation'], location, `${name}.origin`);
        const image = await readImageFile(
          root,
          expectString(part.path, location, `${name}.path`),
          location,
        );
        return { type: 'image', image, origin };
      }
      const frames = await Promise.all(
        expectArray(part.frames, location, `${name}.frames`).map((frame, frameIndex) => {
          const frameRecord = expectObject(frame, location, `${name}.frames[${frameIndex}]`);
          return readImageFile(
            root,
            expectString(frameRecord.path, location, `${name}.frames[${frameIndex}].path`),
            location,
          );
        }),
      );
      return { type: 'video', frames };
    }),
  );
}

function readOperation(value: unknown, location: RecordLocation, field: string): OperationRecord {
  const record = expectObject(value, location, field);
  const operation: OperationRecord = {
    name: expectOneOf(
      record.name,
      ['crop_image_normalized', 'select_frames'],
      location,
      `${field}.name`,
    ),
    arguments: expectObject(record.arguments, location, `${field}.arguments`),
    verdict: expectOneOf(
      record.verdict,
      ['correct', 'erroneous', 'insufficient'],
      location,
      `${field}.verdict`,
    ),
  };
  const extra = record as JsonObject;
  if (Array.isArray(extra.shownRegion) && extra.shownRegion.length === 4) {
    operation.shownRegion = extra.shownRegion as unknown as [number, number, number, number];
  }
  if (typeof extra.iouWithCue === 'number') operation.iouWithCue = extra.iouWithCue;
  if (typeof extra.cueCoverage === 'number') operation.cueCoverage = extra.cueCoverage;
  if (extra.framesInCue !== undefined)
    operation.framesInCue = expectInteger(extra.framesInCue, location, `${field}.framesInCue`);
  return operation;
}

/** Parses one line of our trajectory JSONL; media paths resolve inside `root`. */
export async function parseTrajectoryRecord(
  value: unknown,
  options: { root: string; location: RecordLocation },
): Promise<Trajectory> {
  const { root, location } = options;
  const record = expectObject(value, location, '(record)');
  if (record.format !== TRAJECTORY_FORMAT) {
    throw new InvalidRecordError(
      location,
      'format',
      `must be ${JSON.stringify(TRAJECTORY_FORMAT)}, got ${JSON.stringify(record.format)}`,
    );
  }
  const turns = await Promise.all(
    expectArray(record.turns, location, 'turns').map(
      async (item, index): Promise<TrajectoryTurn> => {
        const field = `turns[${index}]`;
        const turnRecord = expectObject(item, location, field);
        const role = expectOneOf(turnRecord.role, ROLES, location, `${field}.role`);
        if (typeof turnRecord.trainable !== 'boolean') {
          throw new InvalidRecordError(location, `${field}.trainable`, 'must be a boolean');
        }
        const turn: TrajectoryTurn = {
          message: {
            role,
            content: await loadContent(turnRecord.content, root, location, `${field}.content`),
          },
          segment: expectOneOf(turnRecord.segment, SEGMENTS, location, `${field}.segment`),
          trainable: turnRecord.trainable,
        };
        if (turnRecord.operation !== undefined)
          turn.operation = readOperation(turnRecord.operation, location, `${field}.operation`);
        return turn;
      },
    ),
  );
  return {
    id: expectString(record.id, location, 'id'),
    seedId: expectString(record.seedId, location, 'seedId'),
    source: expectString(record.source, location, 'source'),
    kind: expectOneOf(record.kind, KINDS, location, 'kind'),
    profile: expectOneOf<TrajectoryProfile>(
      record.profile,
      ['pixel-reasoner-v1', 'notool'],
      location,
      'profile',
    ),
    answer: expectString(record.answer, location, 'answer'),
    answerType: expectOneOf(
      record.answerType,
      ['choice', 'number', 'text'],
      location,
      'answerType',
    ),
    turns,
  };
}

/** Reads a trajectory JSONL written by {@link JsonlTrajectoryWriter}; media load from files inside `root`. */
export async function* readTrajectoriesJsonl(
  file: string,
  options: { root?: string } = {},
): AsyncGenerator<Trajectory> {
  const root = options.root ?? dirname(file);
  for await (const { value, line } of readJsonLines(file)) {
    yield await parseTrajectoryRecord(value, { root, location: { file, line } });
  }
}
