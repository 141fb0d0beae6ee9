import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from './args.js';
import { DEFAULT_CONFIG, loadConfig, parseOverride, resolveConfig } from './config.js';
import { CliUsageError, ConfigError } from './errors.js';

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error as ConfigError;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('fills every field from the defaults and applies overrides last', () => {
    const config = resolveConfig(
      { sft: { steps: 7 } },
      { overrides: ['sft.batchSize=2', 'eval.parts=["vstar"]'] },
    );
    expect(config.sft).toEqual({ ...DEFAULT_CONFIG.sft, steps: 7, batchSize: 2 });
    expect(config.eval.parts).toEqual(['vstar']);
    expect(config.grpo).toEqual(DEFAULT_CONFIG.grpo);
  });

  it.each([
    [{ sft: { steps: 0 } }, 'sft.steps', /integer ≥ 1, got 0/],
    [{ sft: { stepz: 3 } }, 'sft.stepz', /not a config field \(known: steps, batchSize/],
    [{ grpo: { curiosity: { alpha: 'high' } } }, 'grpo.curiosity.alpha', /number in \[0, 10\]/],
    [
      { scenes: { families: ['zoom-attribute', 'dogs'] } },
      'scenes.families[1]',
      /one of zoom-attribute/,
    ],
    [{ scenes: { families: [] } }, 'scenes.families', /non-empty list/],
    [{ sft: { data: 'pool' } }, 'sft.data', /one of stream, synth/],
    [{ tokenizer: { pretokenizer: 'bytes' } }, 'tokenizer.pretokenizer', /one of words, digits/],
    [{ model: { dModel: 30, numHeads: 4 } }, 'model.numHeads', /must divide model.dModel \(30\)/],
    [
      { eval: { maxTokensPerTurn: 5000 } },
      'eval.maxTokensPerTurn',
      /below model.maxSequenceLength/,
    ],
    [{ sft: 3 }, 'sft', /JSON object/],
    [[1, 2], 'the config', /JSON object/],
  ])('rejects %j naming %s', (partial, field, message) => {
    const error = errorOf(() => resolveConfig(partial, { source: 'quick.json' }));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith('quick.json: ')).toBe(true);
  });

  it('names the override that is wrong', () => {
    const error = errorOf(() => resolveConfig({}, { overrides: ['grpo.groupSize=1'] }));
    expect(error.message).toBe(
      '--set grpo.groupSize=1: grpo.groupSize must be an integer ≥ 2, got 1',
    );
    expect(() => parseOverride('sft.steps')).toThrow(/field.path=value/);
    expect(parseOverride('tokenizer.vocabSize=512')).toEqual({ tokenizer: { vocabSize: 512 } });
    expect(parseOverride('sft.data=synth')).toEqual({ sft: { data: 'synth' } });
  });
});

describe('loadConfig', () => {
  it('reads a file, and names the file when it is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'train-config-'));
    try {
      const good = join(dir, 'good.json');
      await writeFile(good, JSON.stringify({ description: 'test', seed: 3 }));
      expect((await loadConfig(good)).seed).toBe(3);
      const bad = join(dir, 'bad.json');
      await writeFile(bad, '{ "seed": 3,, }');
      await expect(loadConfig(bad)).rejects.toThrow(/bad\.json: the config is not valid JSON/);
      await expect(loadConfig(join(dir, 'missing.json'))).rejects.toThrow(/--config cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('parses the shipped configs', async () => {
    const root = join(import.meta.dirname, '..', 'configs');
    for (const name of ['quick.json', 'full.json']) {
      await expect(loadConfig(join(root, name))).resolves.toBeDefined();
    }
  });
});

describe('parseTrainArgs', () => {
  it('reads command, config, out and overrides', () => {
    expect(
      parseTrainArgs([
        'pipeline',
        '--config',
        'c.json',
        '--out',
        'o',
        '--set',
        'a.b=1',
        '--set',
        'c=2',
        '--no-progress',
      ]),
    ).toEqual({
      command: 'pipeline',
      configFile: 'c.json',
      outDir: 'o',
      overrides: ['a.b=1', 'c=2'],
      progress: false,
      help: false,
      version: false,
    });
    expect(parseTrainArgs(['ablation']).outDir).toBe('runs/ablation');
  });

  it.each([
    [[], /a command is required/],
    [['train'], /unknown command "train"/],
    [['pipeline', 'extra'], /unexpected argument "extra"/],
    [['pipeline', '--steps', '3'], /--steps/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseTrainArgs(argv)).toThrow(CliUsageError);
    expect(() => parseTrainArgs(argv)).toThrow(message);
  });
});
