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

/** One native function call of an assistant turn. */
export interface ToolCallV1 {
  /** The id the server gave the call; the `tool` message answering it repeats it. */
  id: string;
  name: string;
  /** The arguments exactly as the model wrote them (JSON text, possibly malformed). */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string | ChatPart[];
  /** An assistant turn's native function calls. */
  toolCalls?: ToolCallV1[];
  /**
   * Set on a user-role message that is the result of the native call with this id. OpenAI-compatible
   * backends send it as a `tool` message (text only: Chat Completions tool messages carry no
   * images); chat templates without tool roles render it as the user turn it is (Qwen's templates
   * put tool responses in user turns too).
   */
  toolCallId?: string;
}
