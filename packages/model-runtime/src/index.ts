// Kept under their earlier names; the implementations live in visual-ops.
export {
  dumpJsonLikePython as dumpPythonJson,
  type PythonJsonValue,
  toDataUrl as imageToDataUrl,
} from '@pixel-reasoner/visual-ops';
export {
  applyImageHistory,
  describeImageHistory,
  droppedImageError,
  droppedImageText,
  parseImageHistory,
} from './agent/image-history.js';
export {
  type EpisodeEvent,
  type RunEpisodeOptions,
  runEpisode,
} from './agent/run-episode.js';
export {
  type EpisodeItem,
  type EpisodeOutcome,
  type EpisodesEvent,
  type RunEpisodesOptions,
  runEpisodes,
} from './agent/run-episodes.js';
export {
  createMultiEndpointModel,
  type EndpointStats,
  type MultiEndpointModel,
  type MultiEndpointModelOptions,
} from './backends/multi-endpoint.js';
export {
  type CheckServerOptions,
  type CheckServerResult,
  checkOpenAICompatibleServer,
  createOpenAICompatibleModel,
  type OpenAICompatibleModelOptions,
} from './backends/openai-compatible.js';
export {
  type ImageDetail,
  type ToOpenAIMessagesOptions,
  toOpenAIMessages,
} from './backends/openai-messages.js';
export {
  type ConformanceCheck,
  type ConformanceContext,
  type ConformanceTestApi,
  conformanceChecks,
  defaultConformanceContext,
  describeConformance,
  runConformance,
} from './conformance/conformance.js';
export {
  ConformanceError,
  GenerationAbortedError,
  InvalidEpisodeInputError,
  InvalidGenerateOptionsError,
  InvalidImageError,
  InvalidModelResponseError,
  ModelRequestError,
  ModelRuntimeError,
  ModelServerUnreachableError,
  ModelUnavailableError,
  UnknownProfileError,
  UnknownServedModelError,
} from './errors.js';
export { createImageCache } from './image/image-cache.js';
export { imageFromDataUrl, readImageSize } from './image/image-data.js';
export { encodeRgbPng, solidColorPng } from './image/png.js';
export { fallbackToolCallId, openAIToolsProfile } from './prompt/openai-tools.js';
export { deepEyesProfile, MINI_O3_CALL_NAME, miniO3Profile } from './prompt/peer-profiles.js';
export {
  createPromptProfile,
  notoolProfile,
  type ObservationInput,
  type PromptProfile,
  type PromptProfileOptions,
  pixelReasonerV1Profile,
  referenceObservation,
  renderNousSystemPrompt,
} from './prompt/profiles.js';
export type {
  OperationContext,
  OperationReport,
  ResolvedOperation,
  ToolProtocolHooks,
  TurnContext,
  TurnOutput,
  TurnReading,
  TurnToolCall,
} from './prompt/protocol.js';
export {
  type ChatSegment,
  QWEN_SPECIAL_TOKENS,
  QWEN2_5_VL_CHAT_TEMPLATE,
  type RenderChatOptions,
  renderChatSegments,
  renderQwenChat,
  segmentsToText,
} from './prompt/qwen-chat-template.js';
export {
  cropObservationText,
  executionErrorObservationText,
  NOTOOL_TEMPLATE,
  NOUS_FN_CALL_TEMPLATE,
  REFERENCE_EVAL_SAMPLING,
  REFERENCE_LIMITS,
  REFERENCE_STOP_STRINGS,
  REFERENCE_SYSTEM_TEXT,
  REFERENCE_TOOLS,
  REFERENCE_TRAIN_SAMPLING,
  selectedFramesObservationText,
  TOOL_CALL_END,
  TOOL_CALL_START,
  type ToolFunctionSpec,
  VCOT_TEMPLATE,
} from './prompt/reference-strings.js';
export { getPromptProfile, listPromptProfiles, registerPromptProfile } from './prompt/registry.js';
export { REDACTED, redactSecrets } from './redact.js';
export { type RunningServer, type ServeOptions, serve } from './serve/serve.js';
export type {
  ChatImage,
  ChatMessage,
  ChatPart,
  ChatRole,
  ImageOrigin,
  ImagePart,
  TextPart,
  ToolCallV1,
  VideoPart,
} from './spec/chat.js';
export type {
  EpisodeLimits,
  EpisodeMedia,
  EpisodeOperation,
  EpisodeResult,
  EpisodeSampling,
  EpisodeStopReason,
  EpisodeTurn,
  ImageHistoryPolicy,
} from './spec/episode.js';
export type {
  FinishReasonV1,
  FunctionToolV1,
  GenerateOptionsV1,
  GenerateResultV1,
  ImageCacheV1,
  TokenLogprobV1,
  VisionLanguageModelV1,
} from './spec/language-model-v1.js';
export {
  endsWithToolCall,
  lastToolCallPayload,
  type ParsedToolCall,
  parseToolCall,
  parseToolCallPayload,
  REFERENCE_TOOL_NAMES,
  type ToolCallParseResult,
} from './tool-call/parse-tool-call.js';
