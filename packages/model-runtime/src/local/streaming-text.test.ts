import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamingDetokenizer } from './streaming-text.js';
import { tinyTokenizer } from './test-helpers/fixtures.js';

const tokenizer = tinyTokenizer();
/** The id of each single-byte token, so tests can split characters anywhere. */
const byteIds = new Map<number, number>();
for (let id = 0; id < tokenizer.vocabSize; id += 1) {
  if (tokenizer.addedTokens.some((token) => token.id === id)) continue;
  const bytes = tokenizer.tokenBytes(id);
  if (bytes.length === 1 && !byteIds.has(bytes[0]!)) byteIds.set(bytes[0]!, id);
}
const idsOfBytes = (bytes: readonly number[]) => bytes.map((byte) => byteIds.get(byte)!);

/** After every id, `text + unfinished` and `decodedLength` against a full decode of the prefix. */
function expectMatchesFullDecode(ids: readonly number[], skipSpecialTokens: boolean): void {
  const streaming = new StreamingDetokenizer(tokenizer, { skipSpecialTokens });
  ids.forEach((id, index) => {
    streaming.push(id);
    const full = tokenizer.decode(ids.slice(0, index + 1), { skipSpecialTokens });
    expect(streaming.text + streaming.unfinished).toBe(full);
    expect(streaming.decodedLength).toBe(full.length);
  });
  expect(streaming.finish()).toBe(tokenizer.decode(ids, { skipSpecialTokens }));
}

describe('StreamingDetokenizer', () => {
  it('has a single-byte token for every byte', () => {
    expect(byteIds.size).toBe(256);
  });

  it('holds a character split across tokens back until its last byte', () => {
    const euro = [...new TextEncoder().encode('€')];
    const streaming = new StreamingDetokenizer(tokenizer);
    for (const id of [...tokenizer.encode('a'), ...idsOfBytes(euro.slice(0, 2))]) {
      streaming.push(id);
    }
    expect(streaming.text).toBe('a');
    expect(streaming.unfinished).toBe('\uFFFD');
    expect(streaming.decodedLength).toBe(2);
    streaming.push(idsOfBytes(euro.slice(2))[0]!);
    expect(streaming.text).toBe('a€');
    expect(streaming.unfinished).toBe('');
  });

  it('matches a full decode on split, overlong, surrogate and truncated sequences', () => {
    const cases = [
      [0xf0, 0x9f, 0x98, 0x80, 0x41],
      [0xe0, 0x80, 0x80],
      [0xed, 0xa0, 0x80, 0x42],
      [0xf4, 0x90, 0x80, 0x80],
      [0xc3],
      [0xe2, 0x82, 0x41, 0xe2, 0x82],
      [0xc0, 0xaf, 0xf5, 0x80],
      [0x80, 0x80, 0x80, 0xc3, 0xa9],
    ];
    for (const bytes of cases) expectMatchesFullDecode(idsOfBytes(bytes), true);
    const [special] = tokenizer.addedTokens.filter((token) => token.special);
    expectMatchesFullDecode(
      [...idsOfBytes([0xe2, 0x82]), special!.id, ...idsOfBytes([0x41])],
      true,
    );
    expectMatchesFullDecode(
      [...idsOfBytes([0xe2, 0x82]), special!.id, ...idsOfBytes([0x41])],
      false,
    );
  });

  it('equals tokenizer.decode of every prefix for any ids (fast-check)', () => {
    const anyId = fc.oneof(
      fc.integer({ min: 0, max: tokenizer.vocabSize - 1 }),
      fc.integer({ min: 0x80, max: 0xff }).map((byte) => byteIds.get(byte)!),
    );
    fc.assert(
      fc.property(fc.array(anyId, { maxLength: 24 }), fc.boolean(), (ids, skipSpecialTokens) => {
        expectMatchesFullDecode(ids, skipSpecialTokens);
      }),
      { numRuns: 300 },
    );
  });
});
