export {
  parseToolServerArgs,
  runToolServerCli,
  TOOL_SERVER_USAGE,
  toolServerMain,
  toolServerVersion,
} from './cli.js';
export {
  ImagePathOutsideRootError,
  InvalidOptionError,
  InvalidRequestError,
  ToolServerError,
  TrajectoryImageError,
} from './errors.js';
export {
  DEFAULT_TOOL_SERVER_PORT,
  type RunningToolServer,
  startToolServer,
  type ToolServerOptions,
} from './server.js';
export {
  type ActionRequest,
  type AgentResponse,
  type Observation,
  parseActionRequest,
  ToolService,
  type ToolServiceOptions,
  type ToolServiceStats,
} from './tool-service.js';
export {
  DEFAULT_MAX_STATE_BYTES,
  DEFAULT_MAX_TRAJECTORIES,
  DEFAULT_TRAJECTORY_TTL_MS,
  type EvictionReason,
  type TrajectoryState,
  TrajectoryStore,
  type TrajectoryStoreOptions,
  type TrajectoryStoreStats,
  visualBytes,
} from './trajectory-store.js';
