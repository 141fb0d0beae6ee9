export {
  type CompareCliOptions,
  type EvalCliOptions,
  type ModelFlag,
  nearestFlag,
  PROFILES,
  type ProfileId,
  parseCompareArgs,
  parseEvalArgs,
  TF_BACKENDS,
  type TfBackend,
  USAGE,
} from './args.js';
export { CliUsageError } from './errors.js';
export { evalAppVersion, main } from './main.js';
export {
  createModel,
  type EvalCliIo,
  failedItems,
  gitCommit,
  listBenchmarks,
  runCompareCli,
  runEvalCli,
} from './run.js';
