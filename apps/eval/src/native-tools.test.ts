import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRgbPng } from '@pixel-reasoner/model-runtime';
import { type ScriptedChatReply, startScriptedChatServer } from '@pixel-reasoner/test-utils';
import { describe, expect, test } from 'vitest';
import { parseEvalArgs, USAGE } from './args.js';
import { runEvalCli } from './run.js';

async function vstarFixture(dir: string): Promise<void> {
  const gradient = (width: number, height: number) => {
    const pixels = new Uint8Array(width * height * 3);
    for (let index = 0; index < pixels.length; index++) pixels[index] = (index * 7) % 251;
    return encodeRgbPng({ width, height, pixels }).data;
  };
  await mkdir(join(dir, 'direct_attributes'), { recursive: true });
  await mkdir(join(dir, 'relative_position'), { recursive: true });
  await writeFile(join(dir, 'direct_attributes/sa_1.png'), gradient(96, 64));
  await writeFile(join(dir, 'relative_position/sa_2.png'), gradient(64, 64));
  const lines = [
    {
      image: 'direct_attributes/sa_1.png',
      text: 'What is the color of the cup?\n(A) blue\n(B) white\n(C) red\n(D) green',
      category: 'direct_attributes',
      question_id: 0,
      label: 'C',
    },
    {
      image: 'relative_position/sa_2.png',
      text: 'Is the dog on the left or right side of the bench?\n(A) right\n(B) left',
      category: 'relative_position',
      question_id: 1,
      label: 'B',
    },
  ];
  await writeFile(
    join(dir, 'test_questions.jsonl'),
    lines.map((line) => JSON.stringify(line)).join('\n'),
  );
}

const CROP_ARGUMENTS = '{"bbox_2d": [0.2, 0.2, 0.7, 0.7], "target_image": 1}';

/**
 * The same model behind both protocols: on the cup question it crops once and answers right; on
 * the dog question it answers wrong without a tool. With `tools` in the request it calls natively,
 * without them it writes the `<tool_call>` text.
 */
function reply({
  body,
  turnIndex,
}: {
  body: { tools?: unknown; messages: { content?: unknown }[] };
  turnIndex: number;
}): ScriptedChatReply {
  const question = JSON.stringify(body.messages[1]?.content);
  if (!question.includes('cup')) return { content: '\\boxed{A}' };
  if (turnIndex > 0) return { content: 'It is red. \\boxed{C}' };
  return body.tools
    ? {
        content: 'Zoom.',
        toolCalls: [{ id: 'call_cup', name: 'crop_image_normalized', arguments: CROP_ARGUMENTS }],
      }
    : {
        content: `Zoom.\n<tool_call>\n{"name": "crop_image_normalized", "arguments": ${CROP_ARGUMENTS}}\n</tool_call>`,
      };
}

function collect() {
  const lines: string[] = [];
  return {
    lines,
    io: { stdout: (text: string) => lines.push(text), stderr: (text: string) => lines.push(text) },
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('pixel-reasoner-eval --profile openai-tools', () => {
  test('--help names OPENAI_API_KEY and every protocol flag', () => {
    for (const flag of [
      '--api-key',
      'OPENAI_API_KEY',
      '--temperature',
      '--top-p',
      '--seed',
      '--max-tokens',
      '--detail',
      '--request-timeout',
      '--image-history',
      '--min-pixels',
      '--crop-max-pixels',
      'openai-tools',
      'deepeyes',
      'mini-o3',
    ]) {
      expect(USAGE).toContain(flag);
    }
  });

  test('V* scores the same over native tool_calls as over the text protocol; settings recorded, key never', async () => {
    const data = await mkdtemp(join(tmpdir(), 'eval-native-data-'));
    await vstarFixture(data);
    const server = await startScriptedChatServer({ model: 'scripted-tools', reply });
    const key = 'sk-test-do-not-write-0123456789';
    try {
      const run = async (profile: string) => {
        const out = await mkdtemp(join(tmpdir(), `eval-native-${profile}-`));
        const { io } = collect();
        const result = await runEvalCli(
          parseEvalArgs([
            '--bench',
            `vstar:${data}`,
            '--model',
            `openai:${server.url}`,
            '--model-name',
            'scripted-tools',
            '--profile',
            profile,
            '--api-key',
            key,
            '--detail',
            'high',
            '--request-timeout',
            '30000',
            '--seed',
            '7',
            '--temperature',
            '0',
            '--top-p',
            '1',
            '--max-tokens',
            '512',
            '--image-history',
            'last:2',
            '--crop-max-pixels',
            String(2048 * 784),
            '--max-pixels',
            String(4096 * 784),
            '--concurrency',
            '1',
            '--out',
            out,
            '--no-progress',
          ]),
          io,
        );
        return { result, out };
      };
      const before = server.requests.length;
      const native = await run('openai-tools');
      const nativeRequests = server.requests.slice(before);
      const text = await run('pixel-reasoner-v1');

      const nativeEntry = native.result.summary.vstar!;
      const textEntry = text.result.summary.vstar!;
      expect(nativeEntry.accuracy).toBe(0.5);
      expect(nativeEntry.accuracy).toBe(textEntry.accuracy);
      expect(nativeEntry.rapr).toBe(textEntry.rapr);
      const scores = (records: typeof native.result.records) =>
        Object.fromEntries(records.map((record) => [record.id, record.score]));
      expect(scores(native.result.records)).toEqual(scores(text.result.records));

      // The native run really went through tool_calls: tools in the request, the answer by id.
      const cupTurns = nativeRequests.filter((request) =>
        JSON.stringify(request.messages[1]).includes('cup'),
      );
      expect(cupTurns[0]!.tool_choice).toBe('auto');
      expect(cupTurns[1]!.messages.map((message) => message.role)).toEqual([
        'system',
        'user',
        'assistant',
        'tool',
        'user',
      ]);
      expect(cupTurns[1]!.messages[3]!.tool_call_id).toBe('call_cup');
      expect(JSON.stringify(cupTurns[0]!.messages)).toContain('"detail":"high"');
      expect(cupTurns[0]!).toMatchObject({ seed: 7, temperature: 0, top_p: 1, max_tokens: 512 });
      expect(server.authorizations.every((header) => header === `Bearer ${key}`)).toBe(true);

      const summary = JSON.parse(await readFile(join(native.out, 'summary.json'), 'utf8'));
      expect(summary.vstar.settings).toMatchObject({
        profile: 'openai-tools',
        toolProtocol: 'native',
        temperature: 0,
        'sampling.topP': 1,
        'sampling.seed': 7,
        'limits.maxTokensPerTurn': 512,
        'request.imageDetail': 'high',
        'request.timeoutMs': 30000,
        imageHistory: 'last:2',
        inputPixels: `-..${4096 * 784}`,
        'tools.cropMaxPixels': 2048 * 784,
      });
      for (const file of await filesUnder(native.out)) {
        if (file.endsWith('.png') || file.endsWith('.jpg')) continue;
        expect(await readFile(file, 'utf8'), file).not.toContain(key);
      }
    } finally {
      await server.close();
    }
  });

  test('rejects unknown --detail, --image-history and request flags with a checkpoint', () => {
    const base = [
      '--bench',
      'procedural',
      '--model',
      'openai:http://localhost:1/v1',
      '--model-name',
      'm',
    ];
    expect(() => parseEvalArgs([...base, '--detail', 'ultra'])).toThrow(
      /--detail must be one of auto, low, high, got "ultra"/,
    );
    expect(() => parseEvalArgs([...base, '--image-history', 'newest'])).toThrow(
      /--image-history .* got "newest"/,
    );
    expect(() => parseEvalArgs([...base, '--min-pixels', '9', '--max-pixels', '4'])).toThrow(
      /--min-pixels 9 is above --max-pixels 4/,
    );
    expect(() =>
      parseEvalArgs(['--bench', 'procedural', '--model', 'ckpt', '--api-key', 'x']),
    ).toThrow(/--api-key only applies/);
    expect(() => parseEvalArgs([...base, '--profile', 'gpt'])).toThrow(
      /--profile must be one of .*openai-tools/,
    );
  });
});
