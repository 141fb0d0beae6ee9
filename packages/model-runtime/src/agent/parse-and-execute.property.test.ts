import { writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FUZZ_TOOL_OPTIONS,
  type FuzzMedia,
  fuzzMedia,
  modelOutputArbitrary,
  oneCallModel,
} from '../test-helpers/model-outputs.js';
import { parseToolCall } from '../tool-call/parse-tool-call.js';
import { runEpisode } from './run-episode.js';

// `bench/tool-call-fuzz.mjs` runs this file with PIXEL_REASONER_FUZZ_RUNS=100000 and a report path.
const runs = Number(process.env.PIXEL_REASONER_FUZZ_RUNS ?? 300);
const reportPath = process.env.PIXEL_REASONER_FUZZ_REPORT;

describe('a model output through parse and execute', () => {
  it('always becomes a final answer or an observation, never an exception', async () => {
    const media: FuzzMedia[] = await fuzzMedia();
    const started = performance.now();
    const exceptions: { output: string; error: string }[] = [];
    const outcomes = { finalAnswer: 0, validOperation: 0, errorObservation: 0 };
    const errorTexts = new Map<string, number>();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        modelOutputArbitrary,
        fc.nat({ max: media.length - 1 }),
        fc.nat({ max: FUZZ_TOOL_OPTIONS.length - 1 }),
        async (output, mediaIndex, optionsIndex) => {
          cases++;
          try {
            const parsed = parseToolCall(output);
            const episode = await runEpisode({
              model: oneCallModel(output),
              question: 'What is shown?',
              media: media[mediaIndex]!.media,
              toolOptions: FUZZ_TOOL_OPTIONS[optionsIndex],
            });
            const first = episode.turns[0]!;
            if (parsed.kind === 'none') {
              if (first.operation !== undefined) return false;
              outcomes.finalAnswer++;
              return true;
            }
            // A tool call always gets an observation turn back (no limit is near in one turn).
            if (!first.operation?.executed || first.observation === undefined) return false;
            if (first.operation.valid) outcomes.validOperation++;
            else {
              if (typeof first.operation.error !== 'string') return false;
              outcomes.errorObservation++;
              const kind = first.operation.error.replace(/\d+/g, 'N').slice(0, 60);
              errorTexts.set(kind, (errorTexts.get(kind) ?? 0) + 1);
            }
            return true;
          } catch (error) {
            exceptions.push({
              output: output.slice(0, 300),
              error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            });
            // In report mode count every exception; otherwise fail (and shrink) at the first.
            return reportPath !== undefined;
          }
        },
      ),
      { numRuns: runs, seed: Number(process.env.PIXEL_REASONER_FUZZ_SEED ?? 20250515) },
    );
    if (reportPath) {
      const seconds = (performance.now() - started) / 1000;
      const report = {
        cases,
        exceptions: exceptions.length,
        firstExceptions: exceptions.slice(0, 10),
        outcomes,
        commonErrors: Object.fromEntries([...errorTexts].sort((a, b) => b[1] - a[1]).slice(0, 15)),
        seconds: Math.round(seconds * 10) / 10,
        casesPerSecond: Math.round(cases / seconds),
        node: process.version,
      };
      await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    }
    expect(exceptions).toEqual([]);
  }, 3_600_000);

  it('answers 3 KB of nested [ and { with the reference recursion error', () => {
    // 3,000 arrays deep, and 1,000 levels of alternating arrays and objects (3.5 KB).
    for (const nested of [
      '['.repeat(3000),
      '[{"k": '.repeat(500),
      `${'['.repeat(3000)}1${']'.repeat(3000)}`,
    ]) {
      const parsed = parseToolCall(`<tool_call>${nested}</tool_call>`);
      expect(parsed).toMatchObject({
        kind: 'invalid',
        error: expect.stringMatching(
          /^maximum recursion depth exceeded while decoding a JSON (array|object) from a unicode string$/,
        ),
      });
    }
    // Shallower than CPython's limit: an ordinary decode error, as json.loads gives.
    expect(parseToolCall(`<tool_call>${'{"a": '.repeat(600)}</tool_call>`)).toMatchObject({
      kind: 'invalid',
      error: 'Expecting value: line 1 column 3601 (char 3600)',
    });
  });

  it('answers a NaN coordinate with an error observation', async () => {
    const [image] = await fuzzMedia();
    const episode = await runEpisode({
      model: oneCallModel(
        '<tool_call>{"name": "crop_image_normalized", "arguments": {"bbox_2d": [NaN, 0.1, 0.5, 0.5], "target_image": 1}}</tool_call>',
      ),
      question: 'q',
      media: image!.media,
    });
    expect(episode.turns[0]!.operation).toMatchObject({
      valid: false,
      error: 'cannot convert float NaN to integer',
    });
  });
});
