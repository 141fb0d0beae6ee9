export {
  BENCHMARK_NAMES,
  type BenchmarkDefinition,
  type BenchmarkPlugin,
  type BenchmarkSpecOptions,
  benchmarkPlugins,
  benchmarksFromSpec,
  createBenchmark,
  formatBenchmarkList,
  HRBENCH_AGGREGATION,
  HRBENCH_FILES,
  hrbenchBenchmark,
  infovqaBenchmark,
  mmeRealworldBenchmark,
  mmeRealworldLayout,
  mvbenchBenchmark,
  type ProceduralBenchmarkOptions,
  parquetBenchmark,
  parseProceduralSelection,
  proceduralBenchmarks,
  registerBenchmarkPlugin,
  tallyqaBenchmark,
  vlmevalkitBenchmark,
  vstarBenchmark,
} from './benchmarks.js';
export {
  type BenchmarkComparison,
  type CompareOptions,
  type CompareResult,
  compareResultFolders,
  mcnemarExactPValue,
  pairedBootstrap,
} from './compare.js';
export {
  BenchmarkDataNotFoundError,
  CorruptResultsError,
  EvalBenchmarksError,
  InvalidRunOptionsError,
  MalformedRecordError,
  MediaOutsideRootError,
  type RecordLocation,
  RunSettingsMismatchError,
  UnknownBenchmarkError,
  UnreadableMediaError,
} from './errors.js';
export {
  type ConfidenceInterval,
  normalMeanInterval,
  scoreInterval,
  stratifiedMeanInterval,
  wilsonInterval,
} from './intervals.js';
export {
  INFOVQA_ANNOTATION_FILES,
  type InfovqaLoadOptions,
  type InfovqaSplit,
  loadInfovqa,
} from './loaders/infovqa.js';
export {
  foldMmeRealworldCategory,
  formatMmeRealworldLmmsEvalQuestion,
  formatMmeRealworldQuestion,
  loadMmeRealworld,
  loadMmeRealworldParquet,
  MME_REALWORLD_ANNOTATION_FILES,
  MME_REALWORLD_INSTRUCTION,
  type MmeRealworldLoadOptions,
  type MmeRealworldParquetLoadOptions,
} from './loaders/mme-realworld.js';
export {
  formatMvbenchQuestion,
  loadMvbench,
  MVBENCH_FRAME_FOLDER_FPS,
  MVBENCH_TASKS,
  type MvbenchLoadOptions,
  type MvbenchTask,
} from './loaders/mvbench.js';
export { loadParquet, type ParquetLoadOptions, parquetMetric } from './loaders/parquet.js';
export {
  DEFAULT_ITEMS_PER_FAMILY,
  type ItemsPerFamily,
  itemsForFamily,
  loadProcedural,
  PROCEDURAL_SUITE,
  type ProceduralLoadOptions,
  type ProceduralPart,
  sceneGroundTruth,
  validateItemsPerFamily,
} from './loaders/procedural.js';
export {
  loadTallyqa,
  TALLYQA_IMAGE_FOLDERS,
  type TallyqaLoadOptions,
  type TallyqaSubset,
} from './loaders/tallyqa.js';
export {
  type ReadTsvOptions,
  readTsvCell,
  readTsvFile,
  type TsvCellRange,
  type TsvRow,
} from './loaders/tsv.js';
export {
  formatVlmevalkitQuestion,
  loadVlmevalkitTsv,
  VLMEVALKIT_GROUP_COLUMNS,
  VLMEVALKIT_MCQ_INSTRUCTION,
  type VlmevalkitTsvLoadOptions,
} from './loaders/vlmevalkit-tsv.js';
export {
  loadVstar,
  parseLetteredOptions,
  VSTAR_CATEGORIES,
  type VstarLoadOptions,
} from './loaders/vstar.js';
export {
  type PromptMedia,
  REFERENCE_EVAL_INPUT_PIXELS,
  type ResolveMediaOptions,
  resolveMedia,
} from './media.js';
export { formatDuration, ProgressLines, type ProgressLinesOptions } from './progress-lines.js';
export {
  applyOptionOrder,
  describeOptionOrder,
  type OptionOrder,
  parseOptionOrder,
  rotationId,
} from './protocol.js';
export { type RunProvenance, SCORING_PACKAGES, scoringPackageVersions } from './provenance.js';
export {
  barChartSvg,
  escapeHtml,
  type HtmlReportOptions,
  normalizedCropBox,
  renderHtmlReport,
} from './report/html.js';
export {
  formatScoreWithInterval,
  type MarkdownReportOptions,
  PAPER_COLUMNS,
  PAPER_ROWS,
  type PaperColumn,
  paperColumnOf,
  renderMarkdownReport,
} from './report/markdown.js';
export type {
  EpisodeRecord,
  OperationRecord,
  ResultRecord,
  StepRecord,
  StoredImage,
} from './results.js';
export {
  finishedKeys,
  MediaStore,
  ResultsWriter,
  readResults,
  writeFileAtomic,
} from './results-store.js';
export { pinRunSettings, RUN_SETTINGS_FILE, type RunSettings } from './run-settings.js';
export {
  type RunBenchmarksOptions,
  type RunBenchmarksResult,
  type RunEvent,
  runBenchmarks,
  type Shard,
  selectItems,
  validateRunOptions,
  type WriteReportsOptions,
  writeReports,
} from './runner.js';
export {
  ANLS_THRESHOLD,
  extractForGroundTruth,
  finalAnswerText,
  isScorable,
  scoreForGroundTruth,
} from './scoring.js';
export {
  type AvgAtKSummary,
  aggregateUnits,
  type BenchmarkSummary,
  type CategorySummary,
  type CircularSummary,
  countWellFormed,
  headlineValue,
  type ItemFailure,
  type RunSummary,
  rateOfPixelReasoning,
  type ScoredUnit,
  type ScoreSplit,
  scoredUnits,
  summarizeBenchmark,
} from './summary.js';
export type {
  Aggregation,
  Benchmark,
  BenchmarkItem,
  BenchmarkPrompt,
  BenchmarkSettings,
  GroundTruth,
  LoadedBenchmark,
  MediaSource,
  MetricName,
  MissingMedia,
  TimeBound,
} from './types.js';
