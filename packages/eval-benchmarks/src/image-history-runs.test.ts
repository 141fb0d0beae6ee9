import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createScriptedModel } from '@pixel-reasoner/test-utils';
import { describe, expect, it } from 'vitest';
import { vstarBenchmark } from './benchmarks.js';
import { RunSettingsMismatchError } from './errors.js';
import { runBenchmarks } from './runner.js';
import { temporaryDir, writeVstarFixture } from './test-helpers/fixtures.js';

const crop = (target: number) =>
  `<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.9, 0.9], "target_image": ${target}}}\n</tool_call>`;

describe('image history, profile settings and request settings in a run', () => {
  it('records the policy, the profile limits and the request settings, and pins them', async () => {
    const data = await temporaryDir('history-vstar');
    await writeVstarFixture(data);
    const model = createScriptedModel({
      modelId: 'history-scripted',
      script: [crop(1), crop(2), crop(2), '\\boxed{A}'],
    });
    const out = await temporaryDir('history-out');
    const options = {
      model,
      benchmarks: [vstarBenchmark({ dataDir: data })],
      outDir: out,
      progress: false as const,
      profile: 'deepeyes',
      imageHistory: { kind: 'last' as const, count: 1 },
      requestSettings: { imageDetail: 'high', timeoutMs: 60_000 },
    };
    const { summary, records } = await runBenchmarks(options);
    expect(summary.vstar!.settings).toMatchObject({
      profile: 'deepeyes',
      imageHistory: 'last:1',
      toolProtocol: 'text',
      maxOperations: 10,
      'limits.maxTokensPerTurn': 10240,
      'tools.boxMode': 'pixel',
      'tools.padding': 0,
      'request.imageDetail': 'high',
      'request.timeoutMs': 60_000,
    });
    expect(records.length).toBeGreaterThan(0);
    const pinned = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(pinned.run).toMatchObject({
      'protocol.imageHistory': 'last:1',
      'request.imageDetail': 'high',
      'tools.boxMode': 'pixel',
    });
    await expect(
      runBenchmarks({ ...options, imageHistory: { kind: 'keep-all' } }),
    ).rejects.toSatisfy(
      (error: unknown) =>
        RunSettingsMismatchError.isInstance(error) &&
        /protocol\.imageHistory: "last:1" → null/.test((error as Error).message),
    );
  });
});
