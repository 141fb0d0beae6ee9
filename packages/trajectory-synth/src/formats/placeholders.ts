import { resolve } from 'node:path';
import type { ChatMessage, ChatRole } from '@pixel-reasoner/model-runtime';
import { ExportFormatError } from '../errors.js';
import type { Trajectory, TurnSegment } from '../trajectory.js';
import type { MediaStore } from './media-store.js';

export const IMAGE_PLACEHOLDER = '<image>';
export const VIDEO_PLACEHOLDER = '<video>';

/** A message with its media replaced by `<image>` / `<video>` placeholders, in order. */
export interface PlaceholderMessage {
  role: ChatRole;
  content: string;
  segment: TurnSegment;
  trainable: boolean;
  /** Media paths this message's placeholders stand for. */
  images: string[];
  videos: string[][];
}

export interface PlaceholderOptions {
  /** Format name for error messages. */
  format: string;
  /** `video`: one `<video>` holding the frame list; `images`: one `<image>` per frame. */
  videoAs: 'video' | 'images';
  /** Paths relative to the store root (default) or absolute. */
  paths?: 'relative' | 'absolute';
}

function assertNoPlaceholder(text: string, trajectory: Trajectory, turn: number, format: string) {
  for (const placeholder of [IMAGE_PLACEHOLDER, VIDEO_PLACEHOLDER]) {
    if (text.includes(placeholder)) {
      throw new ExportFormatError({
        trajectoryId: trajectory.id,
        format,
        problem: `turn ${turn} contains the literal text ${placeholder}, which the format reads as a media slot`,
      });
    }
  }
}

/**
 * The turns of a trajectory as text with media placeholders, the shape LLaMA-Factory, ms-swift
 * and verl all read (`<image>` where the chat template puts an image), media written to `store`.
 */
export async function toPlaceholderMessages(
  trajectory: Trajectory,
  store: MediaStore,
  options: PlaceholderOptions,
): Promise<PlaceholderMessage[]> {
  const pathOf = (path: string) =>
    options.paths === 'absolute' ? resolve(store.root, path) : path;
  return Promise.all(
    trajectory.turns.map(async (turn, index): Promise<PlaceholderMessage> => {
      const content: ChatMessage['content'] = turn.message.content;
      const message: PlaceholderMessage = {
        role: turn.message.role,
        content: '',
        segment: turn.segment,
        trainable: turn.trainable,
        images: [],
        videos: [],
      };
      if (typeof content === 'string') {
        assertNoPlaceholder(content, trajectory, index, options.format);
        message.content = content;
        return message;
      }
      const pieces: string[] = [];
      for (const part of content) {
        if (part.type === 'text') {
          assertNoPlaceholder(part.text, trajectory, index, options.format);
          pieces.push(part.text);
        } else if (part.type === 'image') {
          pieces.push(IMAGE_PLACEHOLDER);
          message.images.push(pathOf(await store.put(part.image)));
        } else {
          const frames = await Promise.all(
            part.frames.map(async (frame) => pathOf(await store.put(frame))),
          );
          if (options.videoAs === 'video') {
            pieces.push(VIDEO_PLACEHOLDER);
            message.videos.push(frames);
          } else {
            pieces.push(IMAGE_PLACEHOLDER.repeat(frames.length));
            message.images.push(...frames);
          }
        }
      }
      message.content = pieces.join('');
      return message;
    }),
  );
}
