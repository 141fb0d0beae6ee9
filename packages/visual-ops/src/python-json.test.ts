import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dumpJsonLikePython,
  formatJsonRecursionError,
  MAX_JSON_NESTING,
  parseJsonLikePython,
} from './python-json.js';
import { pythonRepr, pythonStringRepr } from './python-repr.js';

type Case = { input: string; ok: true; repr: string } | { input: string; ok: false; error: string };

// Produced by Python 3.11: `json.loads(input)`, then `repr(value)` or `str(JSONDecodeError)`.
const cases = JSON.parse(
  readFileSync(new URL('./test-helpers/python-json-cases.json', import.meta.url), 'utf8'),
) as Case[];

// More `str(JSONDecodeError)` texts of CPython's json.loads, mostly malformed tool calls.
const PYTHON_ERRORS: [string, string][] = [
  ['', 'Expecting value: line 1 column 1 (char 0)'],
  [
    '{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.2, 0.3 0.4]}}',
    "Expecting ',' delimiter: line 1 column 75 (char 74)",
  ],
  ['{"name": crop}', 'Expecting value: line 1 column 10 (char 9)'],
  ["{'name': 1}", 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
  ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
  ['[1, 2', "Expecting ',' delimiter: line 1 column 6 (char 5)"],
  ['{"a": "b\\x"}', 'Invalid \\escape: line 1 column 9 (char 8)'],
  ['"abc', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['{"a": 1} x', 'Extra data: line 1 column 10 (char 9)'],
  [
    '\n{"name": <function-name>, "arguments": <args-json-object>}\n',
    'Expecting value: line 2 column 10 (char 10)',
  ],
  ['{"a": "\\u12"}', 'Invalid \\uXXXX escape: line 1 column 9 (char 8)'],
  ['{"a": "line\nbreak"}', 'Invalid control character at: line 1 column 12 (char 11)'],
  ['01', 'Extra data: line 1 column 2 (char 1)'],
  ['[1,]', 'Expecting value: line 1 column 4 (char 3)'],
  ['{"a":1,}', 'Expecting property name enclosed in double quotes: line 1 column 8 (char 7)'],
  ['-', 'Expecting value: line 1 column 1 (char 0)'],
  ['  {"é": [1, 2,', 'Expecting value: line 1 column 15 (char 14)'],
  ['nul', 'Expecting value: line 1 column 1 (char 0)'],
  // A surrogate pair that ends the text is not joined; its low half is then a short `\u` escape.
  ['"\\ud83d\\ude00', 'Invalid \\uXXXX escape: line 1 column 9 (char 8)'],
  ['"\\ud83d\\uzzzz"', 'Invalid \\uXXXX escape: line 1 column 9 (char 8)'],
  ['1e+', 'Extra data: line 1 column 2 (char 1)'],
];

describe('parseJsonLikePython', () => {
  for (const testCase of cases) {
    it(`matches Python on ${JSON.stringify(testCase.input).slice(0, 70)}`, () => {
      const result = parseJsonLikePython(testCase.input);
      if (testCase.ok) {
        expect(result.ok).toBe(true);
        if (result.ok) expect(pythonRepr(result.value)).toBe(testCase.repr);
      } else {
        expect(result).toEqual({ ok: false, error: testCase.error });
      }
    });
  }

  it.each(PYTHON_ERRORS)('reports %j like CPython', (text, error) => {
    expect(parseJsonLikePython(text)).toEqual({ ok: false, error });
  });

  it('accepts the constants Python accepts', () => {
    const result = parseJsonLikePython('{"a": NaN, "b": -Infinity, "c": [true, false, null]}');
    expect(result.ok).toBe(true);
    if (result.ok) {
      const value = result.value as Record<string, unknown>;
      expect(value.a).toBeNaN();
      expect(value.b).toBe(Number.NEGATIVE_INFINITY);
      expect(value.c).toEqual([true, false, null]);
    }
  });

  it('decodes escapes and surrogate pairs', () => {
    expect(parseJsonLikePython('"a\\n\\u00e9\\ud83d\\ude00"')).toEqual({
      ok: true,
      value: 'a\né😀',
    });
  });

  it('agrees with JSON.parse on every valid JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const result = parseJsonLikePython(text);
        expect(result).toEqual({ ok: true, value: JSON.parse(text) });
      }),
    );
  });

  it('never throws, whatever the model wrote', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 60 }),
          // Lone surrogates and control characters included.
          fc.string({ unit: 'binary' }),
        ),
        (text) => {
          const result = parseJsonLikePython(text);
          if (!result.ok) expect(result.error).toMatch(/: line \d+ column \d+ \(char \d+\)$/);
        },
      ),
    );
  });

  it('escapes what Python cannot print in reprs', () => {
    expect(pythonStringRepr('\u00a0\u200b\u{e0001}\ue000 x')).toBe(
      "'\\xa0\\u200b\\U000e0001\\ue000 x'",
    );
  });
});

describe('dumpJsonLikePython', () => {
  it('uses Python separators and keeps non-ASCII', () => {
    expect(dumpJsonLikePython({ a: [1, 'é\n"'], b: { c: null, d: true } })).toBe(
      '{"a": [1, "é\\n\\""], "b": {"c": null, "d": true}}',
    );
  });

  it('writes the constants and control characters as Python does', () => {
    // json.dumps([float('nan'), float('-inf'), '\x01\t'], ensure_ascii=False)
    expect(dumpJsonLikePython([Number.NaN, Number.NEGATIVE_INFINITY, '\u0001\t'])).toBe(
      '[NaN, -Infinity, "\\u0001\\t"]',
    );
  });

  it('reads back what it writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseJsonLikePython(dumpJsonLikePython(value))).toEqual({
          ok: true,
          value: JSON.parse(JSON.stringify(value)),
        });
      }),
    );
  });
});

describe('parseJsonLikePython on deep nesting', () => {
  it('gives CPython’s RecursionError text instead of overflowing the stack', () => {
    expect(parseJsonLikePython('['.repeat(5000))).toEqual({
      ok: false,
      error: formatJsonRecursionError('array'),
    });
    const deeper = MAX_JSON_NESTING + 1;
    expect(parseJsonLikePython(`${'{"a": '.repeat(deeper)}1${'}'.repeat(deeper)}`)).toEqual({
      ok: false,
      error: 'maximum recursion depth exceeded while decoding a JSON object from a unicode string',
    });
  });

  it('still parses nesting just below the limit', () => {
    const depth = MAX_JSON_NESTING;
    const parsed = parseJsonLikePython(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(parsed.ok).toBe(true);
  });
});
