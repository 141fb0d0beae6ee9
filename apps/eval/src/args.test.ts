import { describe, expect, test } from 'vitest';
import { parseEvalArgs } from './args.js';
import { CliUsageError } from './errors.js';

describe('parseEvalArgs', () => {
  test('reads every flag', () => {
    expect(
      parseEvalArgs([
        '--bench',
        'vstar:/data/vstar_bench',
        '--bench',
        'procedural',
        '--model',
        'openai:http://127.0.0.1:8000/v1',
        '--model-name',
        'TIGER-Lab/PixelReasoner-RL-v1',
        '--profile',
        'notool',
        '--concurrency',
        '8',
        '--limit',
        '10',
        '--shard',
        '1/4',
        '--out',
        'runs/a',
        '--max-tokens',
        '512',
        '--max-operations',
        '2',
        '--procedural-seed',
        '5000',
        '--procedural-items',
        '200',
        '--options',
        'shuffle:7',
        '--repeats',
        '4',
        '--seed',
        '11',
        '--temperature',
        '0.6',
        '--top-p',
        '0.95',
        '--counterfactual',
        'blank-crops',
        '--no-progress',
      ]),
    ).toEqual({
      benchmarks: ['vstar:/data/vstar_bench', 'procedural'],
      model: {
        kind: 'openai',
        baseURL: 'http://127.0.0.1:8000/v1',
        modelName: 'TIGER-Lab/PixelReasoner-RL-v1',
      },
      profile: 'notool',
      concurrency: 8,
      limit: 10,
      shard: { index: 1, count: 4 },
      outDir: 'runs/a',
      maxTokensPerTurn: 512,
      maxOperations: 2,
      proceduralStartSeed: 5000,
      proceduralItemsPerFamily: 200,
      optionOrder: { kind: 'shuffle', seed: 7 },
      repeats: 4,
      seed: 11,
      temperature: 0.6,
      topP: 0.95,
      counterfactual: 'blank-crops',
      progress: false,
      help: false,
      version: false,
      listBenchmarks: false,
    });
  });

  test.each([
    [['--model', 'ckpt'], /--bench is required/],
    [['--bench', 'procedural'], /--model is required/],
    [['--bench', 'procedural', '--model', 'openai:http://x/v1'], /--model-name is required/],
    [['--bench', 'procedural', '--model', 'openai:localhost'], /http\(s\) base URL/],
    [['--bench', 'procedural', '--model', 'ckpt', '--profile', 'vcot'], /--profile must be one of/],
    [['--bench', 'procedural', '--model', 'ckpt', '--shard', '4/4'], /--shard 4\/4/],
    [['--bench', 'procedural', '--model', 'ckpt', '--shard', '1-4'], /I\/N/],
    [
      ['--bench', 'procedural', '--model', 'ckpt', '--concurrency', '0'],
      /--concurrency must be an integer ≥ 1/,
    ],
    [['--bench', 'procedural', '--model', 'ckpt', '--limit', 'ten'], /--limit must be an integer/],
    [['--bench', 'procedural', '--model', 'ckpt', '--frobnicate'], /frobnicate/],
    [['--bench', 'procedural', '--model', 'ckpt', 'extra'], /unexpected argument "extra"/],
    [['--bench', 'procedural', '--model', 'ckpt', '--options', 'random'], /--options must be/],
    [
      ['--bench', 'procedural', '--model', 'ckpt', '--repeats', '0'],
      /--repeats must be an integer ≥ 1/,
    ],
    [['--bench', 'procedural', '--model', 'ckpt', '--temperature', 'hot'], /--temperature must be/],
    [['--bench', 'procedural', '--model', 'ckpt', '--counterfactual', 'noise'], /blank-crops/],
    [['--bench', 'list', '--model', 'ckpt'], /--bench list takes no other/],
    [
      ['--bench', 'procedural', '--model', 'ckpt', '--image-encoding', 'webp'],
      /--image-encoding must be png, jpeg or jpeg:Q/,
    ],
    [
      ['--bench', 'procedural', '--model', 'ckpt', '--image-encoding', 'jpeg:0'],
      /quality must be in \[1, 100\]/,
    ],
  ])('%j is a usage error', (argv, message) => {
    let caught: unknown;
    try {
      parseEvalArgs(argv);
    } catch (error) {
      caught = error;
    }
    expect(CliUsageError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  test('--image-encoding: png, jpeg, or jpeg at a quality', () => {
    const base = ['--bench', 'procedural', '--model', 'ckpt'];
    expect(parseEvalArgs(base).imageEncoding).toBeUndefined();
    expect(parseEvalArgs([...base, '--image-encoding', 'png']).imageEncoding).toEqual({
      format: 'png',
    });
    expect(parseEvalArgs([...base, '--image-encoding', 'jpeg:85']).imageEncoding).toEqual({
      format: 'jpeg',
      quality: 85,
    });
  });
});
