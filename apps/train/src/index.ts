export { COMMANDS, parseTrainArgs, type TrainCliOptions, USAGE } from './args.js';
export { type ChartPanel, type ChartSeries, lineChartsSvg } from './chart.js';
export {
  DEFAULT_CONFIG,
  loadConfig,
  PROCEDURAL_PART_NAMES,
  parseOverride,
  resolveConfig,
  SCENE_FAMILY_NAMES,
  type TrainConfig,
} from './config.js';
export {
  CliUsageError,
  ConfigError,
  OutputConflictError,
  StageInterruptedError,
  TrainAppError,
} from './errors.js';
export { type MainIo, main } from './main.js';
export {
  type PipelineIo,
  type PipelineResult,
  runPipeline,
  type StageRecord,
  stageNames,
  type TrainCommand,
} from './pipeline.js';
export { writeAblationReport, writeCurves, writePipelineReport } from './report.js';
export {
  type BenchmarkNumbers,
  compactSummary,
  GRPO_PROMPT_START_SEED,
  sceneOptions,
} from './stages.js';
