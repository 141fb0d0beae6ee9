import { parseArgs } from 'node:util';
import { CliUsageError } from './errors.js';
import type { TrainCommand } from './pipeline.js';

export const COMMANDS = ['pretrain', 'pipeline', 'ablation'] as const;

export interface TrainCliOptions {
  command: TrainCommand;
  configFile?: string;
  outDir: string;
  /** `field.path=value` overrides applied after the config file. */
  overrides: string[];
  progress: boolean;
  help: boolean;
  version: boolean;
}

export const USAGE = `Usage: pixel-reasoner-train <command> [--config FILE] [--out DIR] [--set field=value …]

Commands:
  pretrain   tokenizer → perception pretraining of the base → its held-out evaluation → OUT/base/
  pipeline   SFT warm start (from the config's base) → eval → curiosity GRPO → eval → report.md
  ablation   the pipeline plus GRPO without the curiosity bonus (same budget) → ablation.md

Options:
  --config FILE        JSON config (see apps/train/configs/quick.json); omitted fields take defaults
  --out DIR            output folder (default ./runs/<command>); rerunning resumes it
  --set FIELD=VALUE    override one config field, e.g. --set sft.steps=20 --set eval.parts='["vstar"]'
  --no-progress        no progress bars
  --version            print the version
  -h, --help           this text
`;

/** Parses the command line; every problem is a {@link CliUsageError} naming the flag. */
export function parseTrainArgs(argv: readonly string[]): TrainCliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || values.version) {
    return {
      command: 'pipeline',
      outDir: '',
      overrides: [],
      progress: false,
      help: values.help === true,
      version: values.version === true && values.help !== true,
    };
  }
  const [command, ...rest] = positionals;
  if (command === undefined) {
    throw new CliUsageError(`a command is required: ${COMMANDS.join(' or ')}`);
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new CliUsageError(`unknown command "${command}" (expected ${COMMANDS.join(' or ')})`);
  }
  if (rest.length > 0) throw new CliUsageError(`unexpected argument "${rest[0]}"`);
  return {
    command: command as TrainCommand,
    ...(values.config !== undefined && { configFile: values.config }),
    outDir: values.out ?? `runs/${command}`,
    overrides: values.set ?? [],
    progress: !values['no-progress'],
    help: false,
    version: false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      set: { type: 'string', multiple: true },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}
