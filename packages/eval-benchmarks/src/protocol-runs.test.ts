import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatMessage } from '@pixel-reasoner/model-runtime';
import { createScriptedModel, type ScriptContext } from '@pixel-reasoner/test-utils';
import { ensureDecoded } from '@pixel-reasoner/visual-ops';
import { describe, expect, it } from 'vitest';
import { benchmarksFromSpec, hrbenchBenchmark, vstarBenchmark } from './benchmarks.js';
import { compareResultFolders } from './compare.js';
import { runBenchmarks } from './runner.js';
import { temporaryDir, writeVstarFixture } from './test-helpers/fixtures.js';
import {
  HRBENCH_FIXTURE_ROWS,
  writeHrbenchFixture,
  writeMmeRealworldFixture,
} from './test-helpers/layout-fixtures.js';

function firstUserText(messages: readonly ChatMessage[]): string {
  const first = messages.find((message) => message.role === 'user');
  if (!first) return '';
  return typeof first.content === 'string'
    ? first.content
    : first.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** V* fixture: the cup is red, the dog is left of the bench (see writeVstarFixture). */
const vstarTruth = (text: string) => (text.includes('cup') ? 'red' : 'left');

describe('protocol controls on scripted models', () => {
  it('HR-Bench: per-cycle accuracy averaged over cycles, answers matched by option text', async () => {
    const dir = await temporaryDir('run-hrbench');
    await writeHrbenchFixture(dir);
    // Right on every row except index 2 ("Which car…"): cycle 0 is 2/3, cycle 1 is 1/1.
    const model = createScriptedModel({
      modelId: 'knows-hrbench',
      script: ({ messages }) => {
        const text = firstUserText(messages);
        const row = HRBENCH_FIXTURE_ROWS.find(
          (candidate) =>
            text.includes(candidate.question) && text.includes(`A. ${candidate.options[0]}`),
        )!;
        const right = row.options['ABCD'.indexOf(row.answer)]!;
        return row.index === '2' ? '\\boxed{the van}' : `It is ${right}. \\boxed{${right}}`;
      },
    });
    const out = await temporaryDir('run-hrbench-out');
    const { summary } = await runBenchmarks({
      model,
      benchmarks: [hrbenchBenchmark({ resolution: '4k', path: dir })],
      outDir: out,
      progress: false,
      now: () => new Date('2026-01-02T03:04:05Z'),
      provenance: { gitCommit: 'abc1234', packages: { 'cli-under-test': '9.9.9' } },
    });
    const entry = summary['hrbench-4k']!;
    expect(entry.settings).toMatchObject({
      'provenance.date': '2026-01-02T03:04:05.000Z',
      'provenance.gitCommit': 'abc1234',
      'version.cli-under-test': '9.9.9',
      'version.@pixel-reasoner/eval-benchmarks': expect.stringMatching(/^\d+\.\d+\.\d+/),
      inputPixels: `${256 * 784}..${8000 * 784}`,
      'tools.cropMaxPixels': 5120 * 784,
      imageHistory: 'keep-all',
      optionOrder: 'original',
    });
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('Aggregation: macro:cycle_category');
    expect(markdown).toContain('provenance.gitCommit=abc1234');
    expect(markdown).toMatch(/\| cycle_category \| Acc \| n \|/);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<th>provenance.date</th>');
    expect(entry.accuracy).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(entry.byGroup.cycle_category).toMatchObject({ '0': { n: 3 }, '1': { n: 1, score: 1 } });
    expect(entry.byCategory.single!.score).toBe(1);
    expect(entry.settings).toMatchObject({
      aggregation: 'macro:cycle_category',
      answerMatching: 'letter or option text',
    });
  });

  it('MME-RealWorld: overall, per Task/Subtask and per task', async () => {
    const dir = await temporaryDir('run-mme');
    await writeMmeRealworldFixture(dir);
    // Always "(A)": right only on the Autonomous_Driving question.
    const model = createScriptedModel({ modelId: 'always-a', script: ['\\boxed{A}'] });
    const { summary } = await runBenchmarks({
      model,
      benchmarks: benchmarksFromSpec(`mme-realworld:${dir}`),
      outDir: await temporaryDir('run-mme-out'),
      progress: false,
    });
    const entry = summary['mme-realworld']!;
    expect(entry).toMatchObject({
      accuracy: 0.25,
      n: 4,
      missingMedia: [{ itemId: 'reasoning/diagram_and_table/diagram/0005' }],
    });
    expect(entry.byCategory).toMatchObject({
      'Perception/Monitoring': { score: 0, n: 2 },
      'Perception/Autonomous_Driving': { score: 1, n: 1 },
      'Reasoning/Diagram and Table': { score: 0, n: 1 },
    });
    expect(entry.byGroup.task).toMatchObject({
      Perception: { score: 1 / 3, n: 3 },
      Reasoning: { score: 0, n: 1 },
    });
  });

  it('circular evaluation: a model that knows the answer stays right, a letter-guesser falls to 0', async () => {
    const dir = await temporaryDir('run-circular');
    await writeVstarFixture(dir);
    const knows = createScriptedModel({
      modelId: 'knows',
      script: ({ messages }) => `\\boxed{${vstarTruth(firstUserText(messages))}}`,
    });
    // Answers the letter that is right in the original order (C for the cup, B for the dog).
    const letters = createScriptedModel({
      modelId: 'letters',
      script: ({ messages }) =>
        firstUserText(messages).includes('cup') ? '\\boxed{C}' : '\\boxed{B}',
    });
    const run = async (model: typeof knows, optionOrder: 'original' | 'circular') =>
      (
        await runBenchmarks({
          model,
          benchmarks: [vstarBenchmark({ dataDir: dir })],
          outDir: await temporaryDir(`run-circular-${model.modelId}-${optionOrder}`),
          optionOrder: { kind: optionOrder },
          progress: false,
        })
      ).summary.vstar!;
    expect((await run(letters, 'original')).accuracy).toBe(1);
    const guessed = await run(letters, 'circular');
    expect(guessed).toMatchObject({
      accuracy: 0,
      n: 2,
      circular: { complete: 2, incomplete: 0, rotations: 6 },
    });
    expect(guessed.settings.optionOrder).toBe('circular');
    expect((await run(knows, 'circular')).accuracy).toBe(1);
  });

  it('--repeats: Avg@k over seeded repeats, resumable per repeat', async () => {
    const dir = await temporaryDir('run-repeats');
    await writeVstarFixture(dir);
    // Right on even seeds only.
    const model = createScriptedModel({
      modelId: 'seed-parity',
      script: ({ messages, options }: ScriptContext) =>
        (options.seed ?? 0) % 2 === 0
          ? `\\boxed{${vstarTruth(firstUserText(messages))}}`
          : '\\boxed{none}',
    });
    const out = await temporaryDir('run-repeats-out');
    const options = {
      model,
      benchmarks: [vstarBenchmark({ dataDir: dir })],
      outDir: out,
      repeats: 3,
      sampling: { temperature: 0.7, seed: 4 },
      progress: false as const,
    };
    const { summary, records } = await runBenchmarks(options);
    expect(records).toHaveLength(6);
    const entry = summary.vstar!;
    expect(entry.avgAtK).toMatchObject({
      k: 3,
      perRepeat: [
        { repeat: 0, seed: 4, score: 1, n: 2 },
        { repeat: 1, seed: 5, score: 0, n: 2 },
        { repeat: 2, seed: 6, score: 1, n: 2 },
      ],
    });
    expect(entry.avgAtK!.score).toBeCloseTo(2 / 3, 12);
    expect(entry.accuracy).toBeCloseTo(2 / 3, 12);
    expect(entry.settings).toMatchObject({ repeats: 3, seeds: '4,5,6' });
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(
      /Avg@3: 66\.7 \[[\d.]+, [\d.]+\], spread 57\.7 \(seed 4: 100\.0, seed 5: 0\.0, seed 6: 100\.0\)/,
    );
    const again = await runBenchmarks(options);
    expect(model.calls).toHaveLength(6);
    expect(again.summary.vstar!.avgAtK!.score).toBeCloseTo(2 / 3, 12);
  });

  it('--counterfactual blank-crops: a model that reads its crop loses the answer, and it is recorded', async () => {
    const dir = await temporaryDir('run-blank');
    await writeVstarFixture(dir);
    // Zooms, then answers right only if the crop has any detail in it (uniform crops are noted
    // by the wrapper below, which decodes each image the model is shown).
    const blankCrops = new WeakSet<Uint8Array>();
    const reads = createScriptedModel({
      modelId: 'reads-crops',
      script: (context) => {
        if (context.turnIndex === 0) {
          return '<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.9, 0.9], "target_image": 1}}\n</tool_call>';
        }
        const last = context.messages.at(-1)!;
        const crop =
          typeof last.content === 'string'
            ? undefined
            : last.content.find((part) => part.type === 'image');
        return crop?.type === 'image' && blankCrops.has(crop.image.data)
          ? '\\boxed{none}'
          : `\\boxed{${vstarTruth(firstUserText(context.messages))}}`;
      },
    });
    const markBlank = async (
      images: readonly {
        data: Uint8Array;
        mediaType: 'image/png' | 'image/jpeg';
        width: number;
        height: number;
      }[],
    ) => {
      for (const image of images) {
        const { raw } = await ensureDecoded(image);
        if (raw.data.every((value) => value === raw.data[0])) blankCrops.add(image.data);
      }
    };
    const run = async (counterfactual: 'none' | 'blank-crops') => {
      const out = await temporaryDir(`run-blank-${counterfactual}`);
      const result = await runBenchmarks({
        model: {
          ...reads,
          doGenerate: async (options) => {
            const last = options.messages.at(-1);
            if (last && typeof last.content !== 'string') {
              await markBlank(
                last.content.flatMap((part) => (part.type === 'image' ? [part.image] : [])),
              );
            }
            return reads.doGenerate(options);
          },
        },
        benchmarks: [vstarBenchmark({ dataDir: dir })],
        outDir: out,
        counterfactual,
        progress: false,
      });
      return {
        entry: result.summary.vstar!,
        run: JSON.parse(await readFile(join(out, 'run.json'), 'utf8')),
      };
    };
    const real = await run('none');
    expect(real.entry).toMatchObject({ accuracy: 1, rapr: 1 });
    const blank = await run('blank-crops');
    expect(blank.entry).toMatchObject({ accuracy: 0, rapr: 1 });
    expect(blank.entry.settings.counterfactual).toBe('blank-crops');
    expect(blank.entry.settings['tools.observationImages']).toBe('blank');
    expect(blank.run.run['tools.observationImages']).toBe('blank');
  });

  it('compares two result folders item by item', async () => {
    const dir = await temporaryDir('run-compare');
    await writeVstarFixture(dir);
    const folders: string[] = [];
    for (const script of [
      ['\\boxed{none}'],
      ({ messages }: ScriptContext) => `\\boxed{${vstarTruth(firstUserText(messages))}}`,
    ]) {
      const out = await temporaryDir('run-compare-out');
      await runBenchmarks({
        model: createScriptedModel({ modelId: `m${folders.length}`, script }),
        benchmarks: [vstarBenchmark({ dataDir: dir })],
        outDir: out,
        progress: false,
      });
      folders.push(out);
    }
    const result = await compareResultFolders({
      a: folders[0]!,
      b: folders[1]!,
      bootstrapSamples: 500,
    });
    expect(result.benchmarks).toEqual([
      expect.objectContaining({
        benchmark: 'vstar',
        n: 2,
        scoreA: 0,
        scoreB: 1,
        difference: 1,
        mcnemar: { aOnly: 0, bOnly: 2, pValue: 0.5 },
        interval: { low: 1, high: 1, level: 0.95, method: 'paired-bootstrap' },
      }),
    ]);
    expect(result.settingsDifferences).toEqual([]);
  });
});
