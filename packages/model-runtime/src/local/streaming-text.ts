import type { AddedToken, BpeTokenizer } from './tokenizer.js';

const utf8Decoder = new TextDecoder('utf-8');
const noBytes = new Uint8Array(0);

/**
 * Length of the unfinished UTF-8 sequence `bytes` ends with: a valid lead byte and valid
 * continuation bytes, fewer than the lead announces (0 when the bytes end on a whole character
 * or on an invalid sequence, which the decoder has already replaced).
 */
function unfinishedTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back]!;
    if (byte >= 0x80 && byte <= 0xbf) continue;
    const needed =
      byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 ? 4 : 0;
    if (byte > 0xf4 || needed <= back) return 0;
    if (back >= 2) {
      // The WHATWG decoder narrows the second byte after these leads (overlongs, surrogates,
      // code points past U+10FFFF); a tail that breaks the rule is already an error.
      const second = bytes[bytes.length - back + 1]!;
      const [low, high] =
        byte === 0xe0
          ? [0xa0, 0xbf]
          : byte === 0xed
            ? [0x80, 0x9f]
            : byte === 0xf0
              ? [0x90, 0xbf]
              : byte === 0xf4
                ? [0x80, 0x8f]
                : [0x80, 0xbf];
      if (second < low || second > high) return 0;
    }
    return back;
  }
  return 0;
}

/**
 * Token ids to text one id at a time, in time proportional to the id's bytes: after every `push`,
 * `text` plus `unfinished` is exactly what `tokenizer.decode(idsSoFar, options)` returns, without
 * decoding the ids before it again. A character split across tokens is held back until its last
 * byte arrives.
 */
export class StreamingDetokenizer {
  /** Decoded text of every whole character so far. */
  text = '';
  private pendingBytes: Uint8Array = noBytes;
  private readonly added: ReadonlyMap<number, AddedToken>;

  constructor(
    private readonly tokenizer: BpeTokenizer,
    private readonly options: { skipSpecialTokens?: boolean } = {},
  ) {
    this.added = new Map(tokenizer.addedTokens.map((token) => [token.id, token]));
  }

  /** `'\uFFFD'` while a character is unfinished (what a full decode shows for it), else `''`. */
  get unfinished(): string {
    return this.pendingBytes.length > 0 ? '\uFFFD' : '';
  }

  /** Length of `tokenizer.decode(idsSoFar, options)`. */
  get decodedLength(): number {
    return this.text.length + (this.pendingBytes.length > 0 ? 1 : 0);
  }

  push(id: number): void {
    const addedToken = this.added.get(id);
    if (addedToken !== undefined) {
      this.flush();
      if (!(this.options.skipSpecialTokens && addedToken.special)) this.text += addedToken.content;
      return;
    }
    const tokenBytes = this.tokenizer.tokenBytes(id);
    let bytes = tokenBytes;
    if (this.pendingBytes.length > 0) {
      bytes = new Uint8Array(this.pendingBytes.length + tokenBytes.length);
      bytes.set(this.pendingBytes);
      bytes.set(tokenBytes, this.pendingBytes.length);
    }
    const cut = bytes.length - unfinishedTail(bytes);
    // Cutting just before a lead byte decodes the same as one pass over all the bytes.
    if (cut > 0) this.text += utf8Decoder.decode(bytes.subarray(0, cut));
    this.pendingBytes = bytes.slice(cut);
  }

  /** The whole text, an unfinished last character shown as U+FFFD as `decode` does. */
  finish(): string {
    this.flush();
    return this.text;
  }

  private flush(): void {
    if (this.pendingBytes.length === 0) return;
    this.text += utf8Decoder.decode(this.pendingBytes);
    this.pendingBytes = noBytes;
  }
}
