/** An encoded image carried in a chat. */
export interface ChatImage {
  /** Encoded bytes (PNG or JPEG). */
  data: Uint8Array;
  mediaType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  /**
   * The decoded pixels of `data`, when whoever made the image already has them (a scene, a crop):
   * local models resize these instead of decoding `data` again. Must be exactly what decoding
   * `data` gives; not sent over the wire.
   */
  raw?: { data: Uint8Array; width: number; height: number; channels: 3 };
}

/**
 * Where an image came from. Local models give operation outputs their own pixel budget
 * (a crop can be seen at a higher resolution than the global view).
 */
export type ImageOrigin = 'input' | 'operation';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image';
  image: ChatImage;
  origin: ImageOrigin;
}

/** A video given as its sampled frames, in order (the reference feeds a frame list). */
export interface VideoPart {
  type: 'video';
  frames: ChatImage[];
}

export type ChatPart = TextPart | ImagePart | VideoPart;

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string | ChatPart[];
}
