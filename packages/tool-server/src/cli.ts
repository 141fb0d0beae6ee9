// `pixel-reasoner-tool-server`: the verl-tool tool-server protocol in front of our visual operations.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type BoxMode,
  type ExecuteToolOptions,
  REFERENCE_EVAL_OPTIONS,
  REFERENCE_TRAIN_OPTIONS,
} from '@pixel-reasoner/visual-ops';
import { InvalidOptionError } from './errors.js';
import {
  DEFAULT_TOOL_SERVER_PORT,
  type RunningToolServer,
  startToolServer,
  type ToolServerOptions,
} from './server.js';

export const TOOL_SERVER_USAGE = `Usage: pixel-reasoner-tool-server [--image-root DIR] [--port N] [--host H]
       [--preset train|eval] [--box-mode normalized|pixel|reference-heuristic]
       [--alias NAME=crop_image_normalized|select_frames]... [--max-trajectories N]
       [--ttl-seconds S] [--max-state-mb M] [--max-images N]

Serves POST /get_observation (verl-tool's tool-server protocol, tool type pixel_reasoner).
  --image-root DIR     image paths in extra_fields.images must lie inside DIR (default: paths refused, data URLs only)
  --port N             port (default ${DEFAULT_TOOL_SERVER_PORT}; 0 picks a free one)
  --host H             interface (default 127.0.0.1; 0.0.0.0 to serve other machines)
  --preset             crop/frame resize budgets: train (default, the reference RL settings) or eval
  --box-mode           how bbox_2d is read (default normalized)
  --alias              run another tool name as one of ours, e.g. crop_image=crop_image_normalized
  --max-trajectories   trajectories kept at once, least recently used evicted first (default 4096)
  --ttl-seconds        evict a trajectory idle this long (default 900)
  --max-state-mb       image memory kept over all trajectories (default 4096)
  --max-images         visual list length per trajectory (default 16, the reference's)
  --version            print the version
  -h, --help           this text
`;

/** The version of @pixel-reasoner/tool-server, from its package.json (src and dist alike). */
export function toolServerVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidOptionError(name, `must be a positive number, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Reads the command line into server options (`'help'` for --help, `'version'` for --version);
 * throws `InvalidOptionError`.
 */
export function parseToolServerArgs(
  argv: readonly string[],
): ToolServerOptions | 'help' | 'version' {
  let values: ReturnType<typeof parse>['values'];
  function parse(args: string[]) {
    return parseArgs({
      args,
      strict: true,
      options: {
        'image-root': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        preset: { type: 'string', default: 'train' },
        'box-mode': { type: 'string' },
        alias: { type: 'string', multiple: true },
        'max-trajectories': { type: 'string' },
        'ttl-seconds': { type: 'string' },
        'max-state-mb': { type: 'string' },
        'max-images': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  }
  try {
    values = parse([...argv]).values;
  } catch (error) {
    throw new InvalidOptionError('argv', (error as Error).message);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  const port = Number(values.port ?? DEFAULT_TOOL_SERVER_PORT);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new InvalidOptionError(
      '--port',
      `must be an integer in [0, 65535], got ${JSON.stringify(values.port)}`,
    );
  }
  if (values.preset !== 'train' && values.preset !== 'eval') {
    throw new InvalidOptionError(
      '--preset',
      `must be train or eval, got ${JSON.stringify(values.preset)}`,
    );
  }
  const toolOptions: ExecuteToolOptions = {
    ...(values.preset === 'train' ? REFERENCE_TRAIN_OPTIONS : REFERENCE_EVAL_OPTIONS),
  };
  const boxMode = values['box-mode'];
  if (boxMode !== undefined) {
    if (!['normalized', 'pixel', 'reference-heuristic'].includes(boxMode)) {
      throw new InvalidOptionError(
        '--box-mode',
        `must be normalized, pixel or reference-heuristic, got ${JSON.stringify(boxMode)}`,
      );
    }
    toolOptions.boxMode = boxMode as BoxMode;
  }
  const toolAliases: Record<string, string> = {};
  for (const entry of values.alias ?? []) {
    const [alias, target, ...rest] = entry.split('=');
    if (!alias || !target || rest.length > 0) {
      throw new InvalidOptionError('--alias', `must be NAME=TOOL, got ${JSON.stringify(entry)}`);
    }
    toolAliases[alias] = target;
  }
  const ttlSeconds = positive('--ttl-seconds', values['ttl-seconds']);
  const maxStateMb = positive('--max-state-mb', values['max-state-mb']);
  const maxTrajectories = positive('--max-trajectories', values['max-trajectories']);
  const maxImages = positive('--max-images', values['max-images']);
  return {
    port,
    host: values.host ?? '127.0.0.1',
    toolOptions,
    toolAliases,
    ...(values['image-root'] !== undefined ? { imageRoot: values['image-root'] } : {}),
    ...(ttlSeconds !== undefined ? { ttlMs: ttlSeconds * 1000 } : {}),
    ...(maxStateMb !== undefined ? { maxBytes: maxStateMb * 1024 * 1024 } : {}),
    ...(maxTrajectories !== undefined ? { maxTrajectories } : {}),
    ...(maxImages !== undefined ? { maxImagesPerTrajectory: maxImages } : {}),
  };
}

/**
 * Starts the server from a command line; resolves with it (undefined after --help or --version,
 * whose text goes to `io.log` and `io.out`).
 */
export async function runToolServerCli(
  argv: readonly string[],
  io: { log: (line: string) => void; out?: (line: string) => void } = {
    log: (line) => console.error(line),
  },
): Promise<RunningToolServer | undefined> {
  const options = parseToolServerArgs(argv);
  if (options === 'help') {
    io.log(TOOL_SERVER_USAGE);
    return undefined;
  }
  if (options === 'version') {
    (io.out ?? ((line: string) => console.log(line)))(toolServerVersion());
    return undefined;
  }
  const server = await startToolServer({
    ...options,
    onTrajectoryError: (error) => io.log(`pixel-reasoner-tool-server: ${error.message}`),
  });
  io.log(`pixel-reasoner-tool-server listening on ${server.url}/get_observation`);
  return server;
}

/**
 * The bin entry: exit code 2 for usage errors, 0 after --help or --version; otherwise runs until a
 * signal.
 */
export async function toolServerMain(argv: readonly string[]): Promise<number> {
  let server: RunningToolServer | undefined;
  try {
    server = await runToolServerCli(argv);
  } catch (error) {
    console.error(`pixel-reasoner-tool-server: ${(error as Error).message}`);
    if (error instanceof InvalidOptionError) console.error(TOOL_SERVER_USAGE);
    return 2;
  }
  if (server === undefined) return 0;
  const running = server;
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      void running.close().finally(resolveStop);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
