export type {
  AnalysisRequest,
  AnalysisStep,
  Analyst,
  PlannedOperation,
} from './analysts/analyst.js';
export {
  createOpenAiAnalyst,
  normalizeAnalystText,
  type OpenAiAnalyst,
  type OpenAiAnalystOptions,
} from './analysts/openai-analyst.js';
export { createTemplateAnalyst } from './analysts/template-analyst.js';
export {
  DEFAULT_TEXT_ONLY_SHARE,
  type PlannerOptions,
  type SynthesizeDatasetOptions,
  synthesizeDataset,
  TrajectoryPlanner,
} from './dataset.js';
export { describeFrames, describeRegion, describeSize } from './describe.js';
export {
  AnalystError,
  ExportFormatError,
  InvalidOptionError,
  InvalidRecordError,
  MalformedJsonError,
  MissingMediaError,
  OperationCheckError,
  OutputFolderError,
  PathEscapeError,
  type RecordLocation,
  TrajectorySynthError,
  UnsatisfiableTrajectoryError,
} from './errors.js';
export {
  JsonlTrajectoryWriter,
  parseTrajectoryRecord,
  readTrajectoriesJsonl,
  TRAJECTORIES_FILE,
  TRAJECTORY_FORMAT,
  writeTrajectoriesJsonl,
} from './formats/jsonl.js';
export {
  LLAMAFACTORY_DATASET_NAME,
  LLAMAFACTORY_FILE,
  type LlamaFactoryEntry,
  type LlamaFactoryMaskMode,
  type LlamaFactoryWriteOptions,
  type LlamaFactoryWriteResult,
  llamaFactoryDatasetInfo,
  toLlamaFactoryEntries,
  writeLlamaFactoryDataset,
} from './formats/llamafactory.js';
export { MediaStore } from './formats/media-store.js';
export {
  IMAGE_PLACEHOLDER,
  type PlaceholderMessage,
  type PlaceholderOptions,
  toPlaceholderMessages,
  VIDEO_PLACEHOLDER,
} from './formats/placeholders.js';
export {
  parseReferenceEntry,
  REFERENCE_SFT_FILE,
  type ReferenceContentItem,
  type ReferenceMessage,
  type ReferenceSftEntry,
  type ReferenceWriteOptions,
  readReferenceSft,
  toReferenceEntry,
  writeReferenceSft,
} from './formats/reference.js';
export {
  SWIFT_FILE,
  type SwiftEntry,
  type SwiftWriteOptions,
  toSwiftEntry,
  writeSwiftJsonl,
} from './formats/swift.js';
export {
  toVerlRow,
  VERL_PARQUET_FILE,
  type VerlParquetWriteOptions,
  type VerlRow,
  writeVerlParquet,
} from './formats/verl-parquet.js';
export {
  type Box,
  boxArea,
  boxContains,
  boxFromRegion,
  boxIntoRegion,
  CROP_PADDING,
  coverage,
  intersectionOverUnion,
  normalizePixelBox,
  paddedCropRegion,
} from './geometry.js';
export {
  type BoxQaAnnotation,
  type BoxQaLoaderOptions,
  boxQaSeed,
  loadBoxQaSeeds,
  parseBoxQaAnnotation,
  unionBox,
} from './loaders/box-qa.js';
export { type SceneSeedOptions, sceneSeeds, seedFromScene } from './loaders/scenes.js';
export {
  framesInWindow,
  loadVideoQaSeeds,
  sampleIndices,
  type VideoQaLoaderOptions,
} from './loaders/video-qa.js';
export { loadWebpageQaSeeds, type WebpageQaLoaderOptions } from './loaders/webpage-qa.js';
export { readImageFile, resolveDataPath, sniffImage } from './media.js';
export {
  DEFAULT_OPERATION_RULES,
  isCorrectCrop,
  isCorrectFrameSelection,
  isOversizedCrop,
  isWrongCrop,
  isWrongFrameSelection,
  type OperationRules,
} from './operations.js';
export { createRandom, hashString, type Random } from './random.js';
export {
  prepareOutputFolder,
  runSynthCli,
  SYNTH_CLI_USAGE,
  SYNTH_FORMATS,
  type SynthCliIo,
  type SynthCliResult,
  type SynthFormat,
  synthVersion,
} from './run-synth-cli.js';
export {
  type AnswerType,
  answerText,
  CHOICE_INSTRUCTION,
  formatChoiceQuestion,
  OPTION_LETTERS,
  parseSeedRecord,
  readSeedFile,
  type SeedItem,
  type SeedMedia,
  type VisualCue,
  validateSeed,
} from './seed.js';
export { kindsForSeed, type SynthesizeOptions, synthesizeTrajectory } from './synthesize.js';
export {
  applyMaskRule,
  IMAGE_TRAJECTORY_KINDS,
  type ImageTrajectoryKind,
  lossMask,
  type MaskRule,
  type OperationRecord,
  type OperationVerdict,
  PAPER_PROPORTIONS,
  semanticTrainable,
  type Trajectory,
  type TrajectoryKind,
  type TrajectoryProfile,
  type TrajectoryProportions,
  type TrajectoryTurn,
  type TurnSegment,
  trajectoryMessages,
  VIDEO_TRAJECTORY_KINDS,
  type VideoTrajectoryKind,
} from './trajectory.js';
export { formatToolCall } from './wire.js';
