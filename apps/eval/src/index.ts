export {
  type EvalCliOptions,
  type ModelFlag,
  nearestFlag,
  PROFILES,
  type ProfileId,
  parseEvalArgs,
  TF_BACKENDS,
  type TfBackend,
  USAGE,
} from './args.js';
export { CliUsageError } from './errors.js';
export { evalAppVersion, main } from './main.js';
export { createModel, type EvalCliIo, failedItems, runEvalCli } from './run.js';
