export {
  BACKEND_ENV_VAR,
  BACKEND_PRIORITY,
  type BackendName,
  type LocalLogger,
  type SelectBackendOptions,
  type SelectedBackend,
  selectBackend,
} from './local/backend.js';
export {
  type EncodeChatOptions,
  type EncodedChat,
  encodeChat,
  type PixelBudgets,
} from './local/chat-encoding.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  loadCheckpoint,
  saveCheckpoint,
} from './local/checkpoint.js';
export { endTurnOnFullContext } from './local/context-guard.js';
export {
  BackendUnavailableError,
  ContextLengthExceededError,
  InvalidBatchError,
  InvalidCheckpointError,
  InvalidImageError,
  InvalidModelConfigError,
  InvalidOptimizerOptionError,
  LocalModelError,
  UnsupportedTokenizerError,
  WorkerFailedError,
} from './local/errors.js';
export {
  type AttentionOptions,
  attendHeads,
  attention,
  causalMask,
  gatherRows,
  gelu,
  layerNorm,
  linear,
  matMul2d,
  patchify,
  splitHeads,
  tokenLogProbs,
} from './local/fast-ops.js';
export { type PreparedImage, type PrepareImageOptions, prepareImage } from './local/image-input.js';
export {
  type AdamMoments,
  type AdamOptions,
  type AdamState,
  clipByGlobalNorm,
  NamedAdam,
} from './local/optimizer.js';
export {
  GradientWorkerPool,
  LocalModelPool,
  resolveWorkerCount,
  shardByTokens,
} from './local/parallel.js';
export { decodeSafetensors, encodeSafetensors, type NamedTensor } from './local/safetensors.js';
export { logSoftmax, type SamplingOptions, sampleToken, seededRandom } from './local/sampling.js';
export {
  type CosineScheduleOptions,
  cosineLearningRate,
  validateCosineSchedule,
} from './local/schedule.js';
export {
  DEFAULT_TINY_VLM_CONFIG,
  type GeneratedTokens,
  type GenerateTokensOptions,
  type LossNormalizers,
  MASKED_LOGIT,
  rendererOnlyTokenIds,
  TinyVLM,
  type TinyVLMConfig,
  type TinyVLMOptions,
  type TrainingSequence,
} from './local/tiny-vlm.js';
export {
  type AddedToken,
  BpeTokenizer,
  CHAT_ADDED_TOKENS,
  CHAT_SPECIAL_TOKENS,
  type DecodeOptions,
  DIGIT_SPLIT_PATTERN,
  type EncodeOptions,
  type HfTokenizerJson,
  QWEN_SPLIT_PATTERN,
  type TrainTokenizerOptions,
} from './local/tokenizer.js';
