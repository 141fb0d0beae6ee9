import type { ChatImage } from '../spec/chat.js';
import type { ImageCacheV1 } from '../spec/language-model-v1.js';

/**
 * An `ImageCacheV1` backed by a map from image bytes to entries by kind. It keeps what it caches
 * (a data URL is 4/3 of the image's bytes) until it is dropped, so make one per episode, as
 * `runEpisode` does, or per group of episodes that share their inputs; never one per process.
 */
export function createImageCache(): ImageCacheV1 {
  const entries = new Map<Uint8Array, Map<string, unknown>>();
  return {
    get<T>(image: ChatImage, kind: string, create: () => T): T {
      let byKind = entries.get(image.data);
      if (byKind === undefined) {
        byKind = new Map();
        entries.set(image.data, byKind);
      }
      if (byKind.has(kind)) return byKind.get(kind) as T;
      const value = create();
      byKind.set(kind, value);
      return value;
    },
  };
}
