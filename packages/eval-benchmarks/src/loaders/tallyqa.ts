import { join } from 'node:path';
import { MalformedRecordError, type RecordLocation } from '../errors.js';
import type { BenchmarkItem, LoadedBenchmark, MissingMedia } from '../types.js';
import {
  asObject,
  booleanField,
  containedMediaPath,
  idField,
  integerField,
  pathExists,
  readJsonFile,
  stringField,
} from './records.js';

/** The image folders TallyQA paths start with: Visual Genome and COCO 2014. */
export const TALLYQA_IMAGE_FOLDERS = ['VG_100K', 'VG_100K_2', 'train2014', 'val2014'] as const;

export type TallyqaSubset = 'complex' | 'simple' | 'all';

export interface TallyqaLoadOptions {
  /** Folder holding `test.json` and, by default, the image folders. */
  dataDir: string;
  /** Which questions to keep; `complex` (the paper's TallyQA-Complex) is `issimple == false`. */
  subset?: TallyqaSubset;
  /** Annotation file name inside `dataDir`. */
  annotationFile?: string;
  /** Where an image folder lives when it is not inside `dataDir`, e.g. `{ val2014: '/coco/val2014' }`. */
  imageRoots?: Partial<Record<string, string>>;
}

export async function loadTallyqa(options: TallyqaLoadOptions): Promise<LoadedBenchmark> {
  const subset = options.subset ?? 'complex';
  const file = join(options.dataDir, options.annotationFile ?? 'test.json');
  const records = await readJsonFile(file, 'TallyQA annotation file');
  if (!Array.isArray(records)) {
    throw new MalformedRecordError({ file }, 'expected a JSON list of question records');
  }
  const items: BenchmarkItem[] = [];
  const missingMedia: MissingMedia[] = [];
  for (let row = 0; row < records.length; row++) {
    const location = { file, row };
    const record = asObject(records[row], location);
    const isSimple = booleanField(record, 'issimple', location);
    if ((subset === 'complex' && isSimple) || (subset === 'simple' && !isSimple)) continue;
    const image = stringField(record, 'image', location);
    const answer = integerField(record, 'answer', location);
    if (answer < 0)
      throw new MalformedRecordError(location, `field "answer" is negative: ${answer}`);
    const item: BenchmarkItem = {
      id: idField(record, 'question_id', location),
      category: isSimple ? 'simple' : 'complex',
      question: stringField(record, 'question', location),
      media: [{ kind: 'image-file', path: await resolveTallyqaImage(options, image, location) }],
      groundTruth: { kind: 'count', value: answer },
      location,
    };
    const path = (item.media[0] as { path: string }).path;
    if (await pathExists(path)) items.push(item);
    else missingMedia.push({ itemId: item.id, path });
  }
  return { items, missingMedia };
}

function resolveTallyqaImage(
  options: TallyqaLoadOptions,
  image: string,
  location: RecordLocation,
): Promise<string> {
  const slash = image.indexOf('/');
  const folder = slash > 0 ? image.slice(0, slash) : '';
  const root = options.imageRoots?.[folder];
  return root
    ? containedMediaPath(root, image.slice(slash + 1), location)
    : containedMediaPath(options.dataDir, image, location);
}
