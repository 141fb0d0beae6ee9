import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BodyParser, messageTextBytes } from './body-parser.js';

const inline = new BodyParser({ offThreadBytes: Number.POSITIVE_INFINITY, maxTextBytes: 1000 });
const offThread = new BodyParser({ offThreadBytes: 0, maxTextBytes: 1000 });
afterAll(() => Promise.all([inline.close(), offThread.close()]));

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('BodyParser', () => {
  it('gives the same answer on the calling thread and in the worker', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string().map((text) => new TextEncoder().encode(text)),
          fc
            .array(
              fc.record({
                role: fc.constantFrom('user', 'system'),
                content: fc.oneof(
                  fc.string({ unit: 'grapheme', maxLength: 400 }),
                  fc.array(fc.record({ type: fc.constant('text'), text: fc.string() })),
                ),
              }),
              { maxLength: 4 },
            )
            .map((messages) => encode({ model: 'm', messages })),
        ),
        async (body) => {
          expect(await offThread.parse(body)).toEqual(await inline.parse(body));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports invalid JSON and over-long texts (counted in UTF-8 bytes)', async () => {
    expect(await offThread.parse(new TextEncoder().encode('{"model": '))).toEqual({
      kind: 'invalid-json',
    });
    const messages = [
      { role: 'user', content: 'é'.repeat(300) },
      { role: 'user', content: [{ type: 'text', text: 'x'.repeat(401) }] },
    ];
    expect(messageTextBytes({ messages })).toBe(1001);
    expect(await offThread.parse(encode({ messages }))).toEqual({
      kind: 'too-long',
      textBytes: 1001,
    });
    expect(await inline.parse(encode({ messages }))).toEqual({ kind: 'too-long', textBytes: 1001 });
  });

  it('lets the event loop run while a large body is parsed', async () => {
    const parser = new BodyParser({ offThreadBytes: 1024, maxTextBytes: Number.POSITIVE_INFINITY });
    try {
      const body = encode({ messages: [{ role: 'user', content: 'red '.repeat(4_000_000) }] });
      let turns = 0;
      let spinning = true;
      const spin = () => {
        turns += 1;
        if (spinning) setImmediate(spin);
      };
      setImmediate(spin);
      const parsed = await parser.parse(body);
      spinning = false;
      expect(parsed.kind).toBe('json');
      // Parsed synchronously, the loop could not turn once before the result came back.
      expect(turns).toBeGreaterThan(1);
    } finally {
      await parser.close();
    }
  });
});
