import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRgbPng } from '@pixel-reasoner/model-runtime';
import { startScriptedChatServer } from '@pixel-reasoner/test-utils';
import { describe, expect, test } from 'vitest';
import { parseEvalArgs } from './args.js';
import { runEvalCli } from './run.js';

/** One V* item whose 300×230 image the input budget resizes (so the client writes it again). */
async function vstarFixture(dir: string): Promise<void> {
  const pixels = new Uint8Array(300 * 230 * 3);
  for (let index = 0; index < pixels.length; index++) pixels[index] = (index * 7) % 251;
  await mkdir(join(dir, 'direct_attributes'), { recursive: true });
  await writeFile(
    join(dir, 'direct_attributes/sa_1.png'),
    encodeRgbPng({ width: 300, height: 230, pixels }).data,
  );
  await writeFile(
    join(dir, 'test_questions.jsonl'),
    JSON.stringify({
      image: 'direct_attributes/sa_1.png',
      text: 'What is the color of the cup?\n(A) blue\n(B) red',
      category: 'direct_attributes',
      question_id: 0,
      label: 'B',
    }),
  );
}

const CROP =
  'Zoom.\n<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.2, 0.2, 0.7, 0.7], "target_image": 1}}\n</tool_call>';

function imageUrls(body: { messages: { content?: unknown }[] }): string[] {
  return body.messages.flatMap((message) =>
    Array.isArray(message.content)
      ? message.content.flatMap((part: { type?: string; image_url?: { url: string } }) =>
          part.type === 'image_url' && part.image_url ? [part.image_url.url] : [],
        )
      : [],
  );
}

describe('pixel-reasoner-eval --image-encoding', () => {
  test.each([
    [[], 'data:image/png;'],
    [['--image-encoding', 'jpeg:80'], 'data:image/jpeg;'],
  ])(
    '%j sends the resized input and the crop as %s and records the setting',
    async (flags, prefix) => {
      const data = await mkdtemp(join(tmpdir(), 'eval-encoding-data-'));
      await vstarFixture(data);
      const server = await startScriptedChatServer({
        model: 'scripted',
        reply: ({ turnIndex }) => ({ content: turnIndex === 0 ? CROP : 'Red. \\boxed{B}' }),
      });
      try {
        const out = await mkdtemp(join(tmpdir(), 'eval-encoding-out-'));
        const result = await runEvalCli(
          parseEvalArgs([
            '--bench',
            `vstar:${data}`,
            '--model',
            `openai:${server.url}`,
            '--model-name',
            'scripted',
            ...flags,
            '--out',
            out,
            '--no-progress',
          ]),
          { stdout: () => {}, stderr: () => {} },
        );
        expect(result.summary.vstar!.accuracy).toBe(1);
        const urls = imageUrls(server.requests.at(-1)!);
        expect(urls).toHaveLength(2);
        for (const url of urls) expect(url.startsWith(prefix)).toBe(true);
        const settings = result.summary.vstar!.settings;
        if (flags.length === 0) {
          expect(settings).not.toHaveProperty('inputEncoding');
          expect(settings).not.toHaveProperty(['tools.cropEncoding']);
        } else {
          expect(settings.inputEncoding).toBe('{"format":"jpeg","quality":80}');
          expect(settings['tools.cropEncoding']).toBe('{"format":"jpeg","quality":80}');
        }
      } finally {
        await server.close();
      }
    },
  );
});
