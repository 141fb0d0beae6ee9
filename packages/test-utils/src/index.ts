export { encodeRgbPng, quadrantPng, solidColorPng, videoFrames } from './images.js';
export {
  type ScriptedChatReply,
  type ScriptedChatRequest,
  type ScriptedChatServer,
  type ScriptedChatServerOptions,
  startScriptedChatServer,
  type WireMessage,
} from './scripted-chat-server.js';
export {
  createScriptedModel,
  type Script,
  type ScriptContext,
  type ScriptedModel,
  type ScriptedModelOptions,
  scriptedTokens,
} from './scripted-model.js';
