import { open } from 'node:fs/promises';
import { BenchmarkDataNotFoundError, MalformedRecordError } from '../errors.js';

/** Where a large cell's text sits in its file (byte offsets, end exclusive); read it when needed. */
export interface TsvCellRange {
  start: number;
  end: number;
}

/** One data row: header name → cell text (an empty cell is absent, as pandas reads NaN). */
export interface TsvRow {
  cells: Record<string, string>;
  /** Cells of the `rangeColumns`, as byte ranges of the file (their text only when ≤ 64 bytes). */
  ranges: Record<string, TsvCellRange>;
  /** 0-based data row (the header is not counted), for error locations. */
  row: number;
}

export interface ReadTsvOptions {
  /** What the file is, for the not-found error. */
  what: string;
  /**
   * Columns kept as byte ranges instead of text (base64 `image`), so a multi-gigabyte TSV is never
   * held in memory; short cells of these columns (VLMEvalKit's "same image as row N") are also
   * given as text.
   */
  rangeColumns?: readonly string[];
  /** Bytes read at a time (default 8 MiB). */
  chunkSize?: number;
}

const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;
const QUOTE = 34;
/** VLMEvalKit reads an `image` cell of at most 64 characters as the index of another row. */
export const SHORT_CELL_BYTES = 64;

/**
 * Streams a tab-separated file the way `pandas.read_csv(sep='\t')` reads VLMEvalKit's TSVs: the
 * first line is the header; a cell that starts with `"` is quoted (it may hold tabs and newlines,
 * `""` is a literal quote); `\r\n` ends a line like `\n`; empty cells are left out of the row.
 * Throws `BenchmarkDataNotFoundError` for a missing file and `MalformedRecordError` naming file and
 * row for an unterminated quote or a row with more cells than the header.
 */
export async function readTsvFile(
  path: string,
  options: ReadTsvOptions,
): Promise<{ header: string[]; rows: TsvRow[] }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BenchmarkDataNotFoundError(path, options.what);
    }
    throw error;
  }
  const rangeColumns = new Set(options.rangeColumns ?? []);
  const chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
  let header: string[] | undefined;
  const rows: TsvRow[] = [];
  // Cell state.
  let pieces: Buffer[] = [];
  let cellStart = 0;
  let quoted = false;
  let cellQuoted = false;
  let atCellStart = true;
  let column = 0;
  let sawContent = false;
  let values: (string | TsvCellRange)[] = [];
  let shortTexts: (string | undefined)[] = [];

  const isRangeColumn = () => header !== undefined && rangeColumns.has(header[column] ?? '');
  const endCell = (position: number) => {
    if (isRangeColumn()) {
      const end = cellQuoted ? position - 1 : position;
      const start = cellQuoted ? cellStart + 1 : cellStart;
      values.push({ start, end });
      shortTexts.push(
        end - start <= SHORT_CELL_BYTES ? Buffer.concat(pieces).toString('utf8') : undefined,
      );
    } else {
      values.push(Buffer.concat(pieces).toString('utf8'));
      shortTexts.push(undefined);
    }
    pieces = [];
    cellQuoted = false;
    atCellStart = true;
    column++;
    cellStart = position + 1;
  };
  const endRecord = (position: number) => {
    endCell(position);
    const isBlank = values.length === 1 && !sawContent;
    if (!isBlank) {
      if (header === undefined) {
        header = values.map((value) => (typeof value === 'string' ? value : ''));
      } else {
        const row = rows.length;
        if (values.length > header.length) {
          throw new MalformedRecordError(
            { file: path, row },
            `${values.length} cells but the header names ${header.length} columns`,
          );
        }
        const cells: Record<string, string> = {};
        const ranges: Record<string, TsvCellRange> = {};
        values.forEach((value, index) => {
          const name = header![index]!;
          if (typeof value === 'string') {
            if (value !== '') cells[name] = value;
          } else if (value.end > value.start) {
            ranges[name] = value;
            const text = shortTexts[index];
            if (text !== undefined) cells[name] = text;
          }
        });
        rows.push({ cells, ranges, row });
      }
    }
    values = [];
    shortTexts = [];
    column = 0;
    sawContent = false;
  };

  try {
    let offset = 0;
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, offset);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const last = bytesRead < chunkSize;
      // Keeps a cell's bytes unless it is a long range cell (only its offsets matter).
      const keep = (from: number, to: number) => {
        if (to <= from) return;
        const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
        if (isRangeColumn() && total > SHORT_CELL_BYTES) return;
        pieces.push(Buffer.from(chunk.subarray(from, to)));
      };
      let index = 0;
      if (offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        index = 3;
        cellStart = 3;
      }
      // A byte whose meaning depends on the next one (a quote inside a quoted cell, a \r) is
      // left for the next read when it ends the chunk: reads start at absolute offsets.
      let consumed = chunk.length;
      while (index < chunk.length) {
        const position = offset + index;
        const byte = chunk[index]!;
        const lookahead = index + 1 < chunk.length;
        if (quoted) {
          const close = chunk.indexOf(QUOTE, index);
          if (close < 0) {
            keep(index, chunk.length);
            index = chunk.length;
            continue;
          }
          keep(index, close);
          if (close + 1 >= chunk.length && !last) {
            consumed = close;
            break;
          }
          if (chunk[close + 1] === QUOTE) {
            keep(close, close + 1);
            index = close + 2;
          } else {
            quoted = false;
            index = close + 1;
          }
          continue;
        }
        if (atCellStart && byte === QUOTE) {
          quoted = true;
          cellQuoted = true;
          atCellStart = false;
          sawContent = true;
          index++;
          continue;
        }
        atCellStart = false;
        if (byte === TAB) {
          sawContent = true;
          endCell(position);
          index++;
        } else if (byte === NEWLINE) {
          endRecord(position);
          index++;
        } else if (byte === RETURN && !lookahead && !last) {
          consumed = index;
          break;
        } else if (byte === RETURN && lookahead && chunk[index + 1] === NEWLINE) {
          endRecord(position);
          cellStart = position + 2;
          index += 2;
        } else {
          sawContent = true;
          let next = chunk.length;
          for (const stop of [TAB, NEWLINE, RETURN]) {
            const at = chunk.indexOf(stop, byte === RETURN ? index + 1 : index);
            if (at >= 0 && at < next) next = at;
          }
          keep(index, next);
          index = next;
        }
      }
      offset += consumed;
      if (last && consumed === chunk.length) break;
    }
    if (quoted) {
      throw new MalformedRecordError({ file: path, row: rows.length }, 'unterminated quoted cell');
    }
    if (sawContent || values.length > 0) endRecord(offset);
  } finally {
    await handle.close();
  }
  return { header: header ?? [], rows };
}

/** The text of a range cell, read from its file. */
export async function readTsvCell(path: string, range: TsvCellRange): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(range.end - range.start);
    await handle.read(buffer, 0, buffer.length, range.start);
    return buffer.toString('latin1');
  } finally {
    await handle.close();
  }
}
