import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BenchmarkDataNotFoundError, MalformedRecordError } from '../errors.js';
import { temporaryDir } from '../test-helpers/fixtures.js';
import { tsvText } from '../test-helpers/layout-fixtures.js';
import { readTsvCell, readTsvFile } from './tsv.js';

const cellText = fc.string({
  unit: fc.constantFrom('a', 'Z', '"', '\t', '\n', '\r', ' ', 'é', '1'),
  maxLength: 12,
});

describe('readTsvFile', () => {
  it('reads back whatever pandas-style quoting wrote, at any chunk size', async () => {
    const dir = await temporaryDir('tsv');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cellText, cellText, cellText), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 2, max: 64 }),
        async (table, chunkSize) => {
          const header = ['index', 'image', 'text'];
          const rows = table.map(([image, text, extra], index) => ({
            index: `row${index}`,
            image: image + extra,
            text,
          }));
          const file = join(dir, `t${run++}.tsv`);
          await writeFile(file, tsvText(header, rows));
          const read = await readTsvFile(file, {
            what: 'test TSV',
            rangeColumns: ['image'],
            chunkSize,
          });
          expect(read.header).toEqual(header);
          expect(read.rows).toHaveLength(rows.length);
          for (const [index, row] of read.rows.entries()) {
            const expected = rows[index]!;
            expect(row.cells.index).toBe(expected.index);
            expect(row.cells.text).toBe(expected.text === '' ? undefined : expected.text);
            if (expected.image === '') expect(row.ranges.image).toBeUndefined();
            else if (!/["\r\n\t]/.test(expected.image)) {
              const raw = await readTsvCell(file, row.ranges.image!);
              expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe(expected.image);
              expect(row.cells.image).toBe(expected.image);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps a long image cell out of memory and gives its byte range', async () => {
    const dir = await temporaryDir('tsv-range');
    const long = 'QUJD'.repeat(5000);
    const file = join(dir, 'x.tsv');
    await writeFile(file, `index\timage\r\n7\t${long}\r\n8\t7\r\n`);
    const { rows } = await readTsvFile(file, {
      what: 'x',
      rangeColumns: ['image'],
      chunkSize: 1000,
    });
    expect(rows[0]!.cells.image).toBeUndefined();
    expect(await readTsvCell(file, rows[0]!.ranges.image!)).toBe(long);
    expect(rows[1]!.cells.image).toBe('7');
    // VLMEvalKit's own dump writes every cell quoted (csv.QUOTE_ALL).
    const quoted = join(dir, 'quoted.tsv');
    await writeFile(quoted, `"index"\t"image"\n"7"\t"${long}"\n"8"\t"7"\n`);
    const all = await readTsvFile(quoted, { what: 'x', rangeColumns: ['image'], chunkSize: 333 });
    expect(await readTsvCell(quoted, all.rows[0]!.ranges.image!)).toBe(long);
    expect(all.rows[1]!.cells).toEqual({ index: '8', image: '7' });
  });

  it('names the file and row of an unterminated quote or a row wider than the header', async () => {
    const dir = await temporaryDir('tsv-bad');
    const open = join(dir, 'open.tsv');
    await writeFile(open, 'a\tb\n1\t"never closed\n');
    await expect(readTsvFile(open, { what: 'x' })).rejects.toThrow(
      new RegExp(`${open.replaceAll('/', '\\/')} \\(record 0\\): unterminated quoted cell`),
    );
    const wide = join(dir, 'wide.tsv');
    await writeFile(wide, 'a\tb\n1\t2\t3\n');
    await expect(readTsvFile(wide, { what: 'x' })).rejects.toBeInstanceOf(MalformedRecordError);
    await expect(readTsvFile(join(dir, 'absent.tsv'), { what: 'HR-Bench TSV' })).rejects.toThrow(
      BenchmarkDataNotFoundError,
    );
  });
});
