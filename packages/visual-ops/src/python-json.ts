/**
 * JSON as CPython 3.11's `json` module reads and writes it. The reference feeds the model
 * `str(JSONDecodeError)` when a tool call does not parse (e.g. `Expecting ',' delimiter: line 1
 * column 42 (char 41)`), so reproducing those texts needs Python's parser rules and its positions,
 * which count code points rather than UTF-16 units. Python also accepts `NaN`, `Infinity` and
 * `-Infinity`. Tool schemas reach the prompt through `json.dumps`, whose separators differ from
 * `JSON.stringify`'s.
 */

/** A value `json.loads` can return. */
export type PythonJsonValue =
  | null
  | boolean
  | number
  | string
  | PythonJsonValue[]
  | { [key: string]: PythonJsonValue };

export type PythonJsonResult = { ok: true; value: PythonJsonValue } | { ok: false; error: string };

class DecodeError {
  constructor(
    readonly message: string,
    readonly position: number,
  ) {}
}

/** `StopIteration(idx)` of the scanner: no value starts at `position`. */
class NoValue {
  constructor(readonly position: number) {}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/**
 * Nesting depth at which `json.loads` gives up. CPython's C scanner checks the interpreter's
 * recursion limit (1000 by default) on every array and object, and the reference calls it a few
 * dozen frames deep; the exact cut-off there depends on its call stack, so this is close to, not
 * exactly, where it stops. Far below where a JavaScript stack overflows.
 */
export const MAX_JSON_NESTING = 960;

/** CPython's `RecursionError` text for too deeply nested JSON. */
export function formatJsonRecursionError(kind: 'array' | 'object'): string {
  return `maximum recursion depth exceeded while decoding a JSON ${kind} from a unicode string`;
}

class RecursionLimit {
  constructor(readonly kind: 'array' | 'object') {}
}

class Scanner {
  private depth = 0;
  constructor(private readonly chars: string[]) {}

  skipWhitespace(index: number): number {
    let position = index;
    while (position < this.chars.length && WHITESPACE.has(this.chars[position]!)) position++;
    return position;
  }

  private startsWith(index: number, word: string): boolean {
    return this.chars.slice(index, index + word.length).join('') === word;
  }

  scanOnce(index: number): [PythonJsonValue, number] {
    const char = this.chars[index];
    if (char === undefined) throw new NoValue(index);
    if (char === '"') return this.scanString(index + 1);
    if (char === '{' || char === '[') {
      const kind = char === '{' ? 'object' : 'array';
      if (this.depth >= MAX_JSON_NESTING) throw new RecursionLimit(kind);
      this.depth++;
      try {
        return kind === 'object' ? this.scanObject(index + 1) : this.scanArray(index + 1);
      } finally {
        this.depth--;
      }
    }
    if (char === 'n' && this.startsWith(index, 'null')) return [null, index + 4];
    if (char === 't' && this.startsWith(index, 'true')) return [true, index + 4];
    if (char === 'f' && this.startsWith(index, 'false')) return [false, index + 5];
    if (char === 'N' && this.startsWith(index, 'NaN')) return [Number.NaN, index + 3];
    if (char === 'I' && this.startsWith(index, 'Infinity'))
      return [Number.POSITIVE_INFINITY, index + 8];
    if (char === '-' && this.startsWith(index, '-Infinity')) {
      return [Number.NEGATIVE_INFINITY, index + 9];
    }
    return this.scanNumber(index);
  }

  private scanNumber(start: number): [number, number] {
    const chars = this.chars;
    let index = start;
    if (chars[index] === '-') {
      index++;
      if (index >= chars.length) throw new NoValue(start);
    }
    if (chars[index]! >= '1' && chars[index]! <= '9') {
      index++;
      while (isDigit(chars[index])) index++;
    } else if (chars[index] === '0') {
      index++;
    } else {
      throw new NoValue(start);
    }
    let isFloat = false;
    if (chars[index] === '.' && isDigit(chars[index + 1])) {
      isFloat = true;
      index += 2;
      while (isDigit(chars[index])) index++;
    }
    if (chars[index] === 'e' || chars[index] === 'E') {
      const exponentStart = index;
      index++;
      if (chars[index] === '-' || chars[index] === '+') index++;
      const digitsStart = index;
      while (isDigit(chars[index])) index++;
      if (index > digitsStart) isFloat = true;
      else index = exponentStart;
    }
    const text = chars.slice(start, index).join('');
    return [isFloat ? Number.parseFloat(text) : Number(text), index];
  }

  /** `index` is just past the opening quote. */
  private scanString(index: number): [string, number] {
    const chars = this.chars;
    const begin = index - 1;
    let out = '';
    let position = index;
    while (true) {
      const char = chars[position];
      if (char === undefined) throw new DecodeError('Unterminated string starting at', begin);
      if (char === '"') return [out, position + 1];
      if (char !== '\\') {
        if (char.codePointAt(0)! <= 0x1f)
          throw new DecodeError('Invalid control character at', position);
        out += char;
        position++;
        continue;
      }
      const escapeChar = chars[position + 1];
      if (escapeChar === undefined) throw new DecodeError('Unterminated string starting at', begin);
      if (escapeChar !== 'u') {
        const replacement = SIMPLE_ESCAPES[escapeChar];
        if (replacement === undefined) throw new DecodeError('Invalid \\escape', position);
        out += replacement;
        position += 2;
        continue;
      }
      // After `\u`: four hex digits, and a following `\uXXXX` low surrogate is joined to a high one.
      const digitsStart = position + 2;
      const end = digitsStart + 4;
      if (end >= chars.length) throw new DecodeError('Invalid \\uXXXX escape', digitsStart - 1);
      const code = this.hex(digitsStart, end);
      position = end;
      if (
        code >= 0xd800 &&
        code <= 0xdbff &&
        end + 6 < chars.length &&
        chars[end] === '\\' &&
        chars[end + 1] === 'u'
      ) {
        const low = this.hex(end + 2, end + 6);
        if (low >= 0xdc00 && low <= 0xdfff) {
          out += String.fromCodePoint(0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00));
          position = end + 6;
          continue;
        }
      }
      out += String.fromCharCode(code);
    }
  }

  private hex(start: number, end: number): number {
    let value = 0;
    for (let index = start; index < end; index++) {
      const digit = Number.parseInt(this.chars[index]!, 16);
      if (!/^[0-9a-fA-F]$/.test(this.chars[index]!)) {
        throw new DecodeError('Invalid \\uXXXX escape', end - 5);
      }
      value = value * 16 + digit;
    }
    return value;
  }

  /** `index` is just past `{`. */
  private scanObject(index: number): [{ [key: string]: PythonJsonValue }, number] {
    const chars = this.chars;
    const result: { [key: string]: PythonJsonValue } = {};
    let position = this.skipWhitespace(index);
    if (chars[position] === '}') return [result, position + 1];
    while (true) {
      if (chars[position] !== '"') {
        throw new DecodeError('Expecting property name enclosed in double quotes', position);
      }
      const [key, afterKey] = this.scanString(position + 1);
      position = this.skipWhitespace(afterKey);
      if (chars[position] !== ':') throw new DecodeError("Expecting ':' delimiter", position);
      position = this.skipWhitespace(position + 1);
      const [value, afterValue] = this.scanOnce(position);
      Object.defineProperty(result, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      position = this.skipWhitespace(afterValue);
      if (chars[position] === '}') return [result, position + 1];
      if (chars[position] !== ',') throw new DecodeError("Expecting ',' delimiter", position);
      position = this.skipWhitespace(position + 1);
    }
  }

  /** `index` is just past `[`. */
  private scanArray(index: number): [PythonJsonValue[], number] {
    const chars = this.chars;
    const result: PythonJsonValue[] = [];
    let position = this.skipWhitespace(index);
    if (chars[position] === ']') return [result, position + 1];
    while (true) {
      const [value, afterValue] = this.scanOnce(position);
      result.push(value);
      position = this.skipWhitespace(afterValue);
      if (chars[position] === ']') return [result, position + 1];
      if (chars[position] !== ',') throw new DecodeError("Expecting ',' delimiter", position);
      position = this.skipWhitespace(position + 1);
    }
  }
}

function formatDecodeError(chars: string[], message: string, position: number): string {
  let line = 1;
  let lastNewline = -1;
  for (let index = 0; index < position; index++) {
    if (chars[index] === '\n') {
      line++;
      lastNewline = index;
    }
  }
  return `${message}: line ${line} column ${position - lastNewline} (char ${position})`;
}

/**
 * Parses `text` the way Python's `json.loads` does and, on failure, returns `str(JSONDecodeError)`
 * exactly. Object keys keep their order; a repeated key keeps its last value, as in Python.
 */
export function parseJsonLikePython(text: string): PythonJsonResult {
  const chars = Array.from(text);
  const scanner = new Scanner(chars);
  try {
    const start = scanner.skipWhitespace(0);
    let value: PythonJsonValue;
    let end: number;
    try {
      [value, end] = scanner.scanOnce(start);
    } catch (error) {
      if (error instanceof NoValue) throw new DecodeError('Expecting value', error.position);
      throw error;
    }
    end = scanner.skipWhitespace(end);
    if (end !== chars.length) throw new DecodeError('Extra data', end);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof DecodeError) {
      return { ok: false, error: formatDecodeError(chars, error.message, error.position) };
    }
    if (error instanceof RecursionLimit) {
      return { ok: false, error: formatJsonRecursionError(error.kind) };
    }
    // A stack that overflows before the nesting limit (a caller already deep in its own stack)
    // gets the same answer as CPython's recursion check rather than an exception.
    if (error instanceof RangeError) return { ok: false, error: formatJsonRecursionError('array') };
    throw error;
  }
}

function dumpString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function dumpNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return String(value);
}

/**
 * `json.dumps(value, ensure_ascii=False)`: `", "` and `": "` separators, keys in insertion order,
 * `undefined` properties left out. JavaScript numbers carry no int/float distinction, so integral
 * floats print without `.0`.
 */
export function dumpJsonLikePython(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return dumpNumber(value);
  if (typeof value === 'string') return dumpString(value);
  if (Array.isArray(value)) return `[${value.map((item) => dumpJsonLikePython(item)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, item]) => item !== undefined,
    );
    return `{${entries.map(([key, item]) => `${dumpString(key)}: ${dumpJsonLikePython(item)}`).join(', ')}}`;
  }
  throw new TypeError(`dumpJsonLikePython: cannot serialise a ${typeof value}`);
}
