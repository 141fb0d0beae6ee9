import { join } from 'node:path';
import { writeFileAtomic } from '@pixel-reasoner/model-runtime/internal';
import type { Trajectory } from '../trajectory.js';
import { MediaStore } from './media-store.js';
import { toPlaceholderMessages } from './placeholders.js';

/**
 * One line of ms-swift's standard `messages` JSONL (`docs/source_en/Customization/Custom-dataset.md`,
 * "Supervised Fine-tuning" and "Multimodal"): `<image>` / `<video>` placeholders in the text, the
 * media in `images` / `videos`, and on every assistant message a `loss` flag, which ms-swift honours
 * over its `--loss_scale` base strategy, so our masks are kept exactly.
 */
export interface SwiftEntry {
  messages: (
    | { role: 'system' | 'user'; content: string }
    | { role: 'assistant'; content: string; loss: boolean }
  )[];
  images: string[];
  videos: string[][];
}

export const SWIFT_FILE = 'swift.jsonl';

export interface SwiftWriteOptions {
  fileName?: string;
  /** Media paths absolute (default; ms-swift's docs recommend them) or relative to the folder. */
  paths?: 'relative' | 'absolute';
}

export async function toSwiftEntry(
  trajectory: Trajectory,
  store: MediaStore,
  options: { paths?: 'relative' | 'absolute' } = {},
): Promise<SwiftEntry> {
  const messages = await toPlaceholderMessages(trajectory, store, {
    format: 'swift',
    videoAs: 'video',
    paths: options.paths ?? 'absolute',
  });
  return {
    messages: messages.map((message) =>
      message.role === 'assistant'
        ? { role: 'assistant', content: message.content, loss: message.trainable }
        : { role: message.role, content: message.content },
    ),
    images: messages.flatMap((message) => message.images),
    videos: messages.flatMap((message) => message.videos),
  };
}

/**
 * Writes trajectories as ms-swift `messages` JSONL (`<dir>/swift.jsonl`, media under
 * `<dir>/media/`), atomically once all are converted; train with `--dataset <dir>/swift.jsonl`.
 */
export async function writeSwiftJsonl(
  dir: string,
  trajectories: AsyncIterable<Trajectory> | Iterable<Trajectory>,
  options: SwiftWriteOptions = {},
): Promise<{ file: string; count: number }> {
  const store = new MediaStore(dir);
  const lines: string[] = [];
  for await (const trajectory of trajectories) {
    lines.push(
      JSON.stringify(
        await toSwiftEntry(trajectory, store, options.paths ? { paths: options.paths } : {}),
      ),
    );
  }
  const file = join(dir, options.fileName ?? SWIFT_FILE);
  await writeFileAtomic(file, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return { file, count: lines.length };
}
