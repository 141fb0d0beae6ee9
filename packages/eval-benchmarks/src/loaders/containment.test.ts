import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MediaOutsideRootError } from '../errors.js';
import { imageBytes, temporaryDir } from '../test-helpers/fixtures.js';
import { loadInfovqa } from './infovqa.js';
import { loadMvbench } from './mvbench.js';
import { loadTallyqa } from './tallyqa.js';
import { loadVstar } from './vstar.js';

/** A dataset root beside a secret image, and a symlink inside the root that points at it. */
async function rootBesideSecret(prefix: string) {
  const parent = await temporaryDir(prefix);
  const root = join(parent, 'dataset');
  await mkdir(root, { recursive: true });
  await writeFile(join(parent, 'secret.png'), await imageBytes(8, 8, 1, 'png'));
  return { parent, root };
}

const escapes = ['../secret.png', '/etc/passwd', 'link.png'];

async function expectRefused(load: () => Promise<unknown>, path: string, recordPattern: RegExp) {
  const error = await load().catch((caught: unknown) => caught);
  expect(MediaOutsideRootError.isInstance(error)).toBe(true);
  const refused = error as MediaOutsideRootError;
  expect(refused.path).toBe(path);
  expect(refused.message).toMatch(recordPattern);
}

describe('dataset loaders keep media inside the dataset root', () => {
  test.each(escapes)('V* refuses %s', async (image) => {
    const { parent, root } = await rootBesideSecret('contain-vstar');
    await symlink(join(parent, 'secret.png'), join(root, 'link.png'));
    const line = {
      image,
      text: 'What colour?\n(A) red\n(B) blue',
      label: 'A',
      question_id: 7,
    };
    await writeFile(join(root, 'test_questions.jsonl'), `${JSON.stringify(line)}\n`);
    await expectRefused(() => loadVstar({ dataDir: root }), image, /test_questions\.jsonl:1/);
  });

  test.each(escapes)('TallyQA refuses %s', async (image) => {
    const { parent, root } = await rootBesideSecret('contain-tallyqa');
    await symlink(join(parent, 'secret.png'), join(root, 'link.png'));
    const records = [{ image, question: 'How many?', answer: 2, issimple: false, question_id: 1 }];
    await writeFile(join(root, 'test.json'), JSON.stringify(records));
    await expectRefused(() => loadTallyqa({ dataDir: root }), image, /test\.json \(record 0\)/);
  });

  test.each(escapes)('InfoVQA refuses %s', async (image) => {
    const { parent, root } = await rootBesideSecret('contain-infovqa');
    await mkdir(join(root, 'images'));
    await symlink(join(parent, 'secret.png'), join(root, 'images', 'link.png'));
    const document = {
      data: [{ questionId: 3, question: 'Which?', image_local_name: image, answers: ['x'] }],
    };
    await writeFile(join(root, 'infographicsVQA_val_v1.0_withQT.json'), JSON.stringify(document));
    await expectRefused(() => loadInfovqa({ dataDir: root }), image, /withQT\.json \(record 0\)/);
  });

  test.each(['../../../secret.png', '/etc/passwd', 'link.mp4'])(
    'MVBench refuses %s',
    async (video) => {
      const { parent, root } = await rootBesideSecret('contain-mvbench');
      const clips = join(root, 'video/clevrer/video_validation');
      await mkdir(clips, { recursive: true });
      await mkdir(join(root, 'json'));
      await symlink(join(parent, 'secret.png'), join(clips, 'link.mp4'));
      const records = [{ video, question: 'What?', candidates: ['a', 'b'], answer: 'a' }];
      await writeFile(join(root, 'json/object_existence.json'), JSON.stringify(records));
      await expectRefused(
        () => loadMvbench({ dataDir: root, tasks: ['object_existence'] }),
        video,
        /object_existence\.json \(record 0\)/,
      );
    },
  );

  test('a dataset root that is itself a symlink still loads its own files', async () => {
    const { parent, root } = await rootBesideSecret('contain-linked-root');
    await writeFile(join(root, 'a.png'), await imageBytes(8, 8, 2, 'png'));
    const line = { image: 'a.png', text: 'Q\n(A) x\n(B) y', label: 'B', question_id: 1 };
    await writeFile(join(root, 'test_questions.jsonl'), `${JSON.stringify(line)}\n`);
    const linked = join(parent, 'linked');
    await symlink(root, linked);
    const loaded = await loadVstar({ dataDir: linked });
    expect(loaded.items).toHaveLength(1);
    expect(loaded.missingMedia).toEqual([]);
  });
});
