import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@pixel-reasoner/model-runtime/internal';
import { InvalidOptionError, MalformedJsonError } from '../errors.js';
import type { Trajectory } from '../trajectory.js';
import { MediaStore } from './media-store.js';
import { type PlaceholderMessage, toPlaceholderMessages } from './placeholders.js';

/**
 * One sample of LLaMA-Factory's multimodal sharegpt format in its OpenAI-style variant
 * (`data/README.md`, "OpenAI Format" and "Multimodal Image/Video Dataset"; `data/mllm_demo.json`):
 * `messages` with `role`/`content`, one `<image>` per path in `images` and one `<video>` per frame
 * list in `videos`.
 */
export interface LlamaFactoryEntry {
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  images: string[];
  videos: string[][];
}

export const LLAMAFACTORY_FILE = 'llamafactory.json';
export const LLAMAFACTORY_DATASET_NAME = 'pixel_reasoner';

/**
 * LLaMA-Factory has no per-message loss flag: it trains every assistant message, or with
 * `mask_history: true` only the last one.
 * - `split` (default): one sample per trained assistant turn, cut right after it; train with
 *   `mask_history: true` and each sample trains exactly that turn, so the masks are kept (at the
 *   cost of repeating the earlier context).
 * - `all-assistant`: one sample per trajectory; every assistant turn is trained, so the masks on
 *   erroneous operations are lost (the result counts them).
 */
export type LlamaFactoryMaskMode = 'split' | 'all-assistant';

export interface LlamaFactoryWriteOptions {
  fileName?: string;
  /** The entry added to `<dir>/dataset_info.json` (default `pixel_reasoner`). */
  datasetName?: string;
  masks?: LlamaFactoryMaskMode;
  /** Media paths relative to the output folder (LLaMA-Factory's `dataset_dir`; default) or absolute. */
  paths?: 'relative' | 'absolute';
}

export interface LlamaFactoryWriteResult {
  file: string;
  datasetInfoFile: string;
  /** Samples written. */
  count: number;
  trajectories: number;
  /** Assistant turns masked in the trajectory but trained by LLaMA-Factory (`all-assistant` only). */
  maskedTurnsTrained: number;
  /** Trajectories without any trained assistant turn (skipped in `split` mode). */
  skipped: number;
}

function entryOf(messages: PlaceholderMessage[]): LlamaFactoryEntry {
  return {
    messages: messages.map((message) => ({ role: message.role, content: message.content })),
    images: messages.flatMap((message) => message.images),
    videos: messages.flatMap((message) => message.videos),
  };
}

/** The `dataset_info.json` description that makes LLaMA-Factory read the file as written. */
export function llamaFactoryDatasetInfo(fileName = LLAMAFACTORY_FILE) {
  return {
    file_name: fileName,
    formatting: 'sharegpt',
    columns: { messages: 'messages', images: 'images', videos: 'videos' },
    tags: {
      role_tag: 'role',
      content_tag: 'content',
      user_tag: 'user',
      assistant_tag: 'assistant',
      system_tag: 'system',
    },
  };
}

/** The samples of one trajectory under `mode`. */
export async function toLlamaFactoryEntries(
  trajectory: Trajectory,
  store: MediaStore,
  options: { masks?: LlamaFactoryMaskMode; paths?: 'relative' | 'absolute' } = {},
): Promise<LlamaFactoryEntry[]> {
  const messages = await toPlaceholderMessages(trajectory, store, {
    format: 'llamafactory',
    videoAs: 'video',
    ...(options.paths ? { paths: options.paths } : {}),
  });
  if ((options.masks ?? 'split') === 'all-assistant') return [entryOf(messages)];
  const entries: LlamaFactoryEntry[] = [];
  messages.forEach((message, index) => {
    if (message.role === 'assistant' && message.trainable) {
      entries.push(entryOf(messages.slice(0, index + 1)));
    }
  });
  return entries;
}

async function readDatasetInfo(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new MalformedJsonError({ file }, error);
  }
}

/**
 * Writes trajectories for LLaMA-Factory: `<dir>/llamafactory.json` (a JSON list), media under
 * `<dir>/media/`, and the dataset's entry in `<dir>/dataset_info.json` (other entries kept), so
 * `dataset_dir: <dir>` + `dataset: pixel_reasoner` trains on it. Files are written atomically.
 */
export async function writeLlamaFactoryDataset(
  dir: string,
  trajectories: AsyncIterable<Trajectory> | Iterable<Trajectory>,
  options: LlamaFactoryWriteOptions = {},
): Promise<LlamaFactoryWriteResult> {
  const masks = options.masks ?? 'split';
  if (masks !== 'split' && masks !== 'all-assistant') {
    throw new InvalidOptionError(
      'masks',
      `must be split or all-assistant, got ${JSON.stringify(masks)}`,
    );
  }
  const store = new MediaStore(dir);
  const fileName = options.fileName ?? LLAMAFACTORY_FILE;
  const entries: LlamaFactoryEntry[] = [];
  let count = 0;
  let maskedTurnsTrained = 0;
  let skipped = 0;
  for await (const trajectory of trajectories) {
    count++;
    const produced = await toLlamaFactoryEntries(trajectory, store, {
      masks,
      ...(options.paths ? { paths: options.paths } : {}),
    });
    if (produced.length === 0) skipped++;
    if (masks === 'all-assistant') {
      maskedTurnsTrained += trajectory.turns.filter(
        (turn) => turn.message.role === 'assistant' && !turn.trainable,
      ).length;
    }
    entries.push(...produced);
  }
  const file = join(dir, fileName);
  await writeFileAtomic(file, `${JSON.stringify(entries)}\n`);
  const datasetInfoFile = join(dir, 'dataset_info.json');
  const info = await readDatasetInfo(datasetInfoFile);
  info[options.datasetName ?? LLAMAFACTORY_DATASET_NAME] = llamaFactoryDatasetInfo(fileName);
  await writeFileAtomic(datasetInfoFile, `${JSON.stringify(info, null, 2)}\n`);
  return {
    file,
    datasetInfoFile,
    count: entries.length,
    trajectories: count,
    maskedTurnsTrained,
    skipped,
  };
}
