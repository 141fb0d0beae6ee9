// The schedule lives in model-runtime (shared with trainer-grpo); re-exported under its old names.
export {
  type CosineScheduleOptions,
  cosineLearningRate,
} from '@pixel-reasoner/model-runtime/local';
export { type AdamOptions, ClippedAdam } from './adam.js';
export {
  LATEST_FILE,
  latestSftCheckpoint,
  restoreSftCheckpoint,
  SFT_STATE_FORMAT,
  SFT_STATE_FORMAT_VERSION,
  type SftCheckpointInfo,
  type SftTrainerState,
  saveSftCheckpoint,
} from './checkpoints.js';
export {
  type SceneTrajectorySourceOptions,
  type SftData,
  type SourceItem,
  sceneTrajectorySource,
  type TrainingChat,
  type TrajectorySource,
  toTrajectorySource,
} from './data.js';
export { type EncodedTrainingChat, encodeTrajectory, imageTokenTargets } from './encode.js';
export {
  CheckpointMismatchError,
  CorruptCheckpointError,
  InvalidSftOptionError,
  NoTrainingDataError,
  TrainerSftError,
} from './errors.js';
export { readSftMetrics, type SftStepMetrics } from './metrics.js';
export {
  evaluateObjectHeads,
  evaluatePerception,
  formatBox,
  type ImageLabels,
  type ObjectHeadScores,
  PERCEPTION_HEADS,
  PERCEPTION_TASKS,
  type PerceptionAccuracy,
  type PerceptionHead,
  type PerceptionResponder,
  type PerceptionScore,
  type PerceptionSourceOptions,
  type PerceptionTask,
  perceptionConclusion,
  perceptionExample,
  perceptionGroundedHeads,
  perceptionHeadSizes,
  perceptionSource,
  scorePerceptionAnswer,
  wilsonInterval,
} from './perception.js';
export { type BuildTokenizerOptions, buildTokenizer } from './tokenizer.js';
export {
  type SftEvent,
  type SftStopReason,
  type TrainSftOptions,
  type TrainSftResult,
  trainSft,
} from './train-sft.js';
