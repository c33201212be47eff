export { loadAgentConfig, AgentConfigError, type AgentConfig } from './config.ts';
export {
  AgentApiClient,
  AgentApiError,
  AgentApiUnavailable,
  type AgentApiClientOptions,
  SessionApi,
} from './attune-api/agent-api-client.ts';
export { TurnOutbox, storableTurnText, type TurnOutboxOptions } from './attune-api/turn-outbox.ts';
export {
  resolveSessionUser,
  refusalMessage,
  type JobRefusal,
  type ParticipantLike,
  type SessionUser,
  type SessionUserResolution,
} from './session-user.ts';
export { UserMemory } from './user-memory.ts';
export { buildInstructions, type UserContext } from './instructions.ts';
export { createAssistant } from './assistant.ts';
export { recordConversationTurns } from './turn-recorder.ts';
export {
  runAssistantJob,
  type AssistantJobContext,
  type AssistantJobDeps,
  type SessionModels,
} from './assistant-job.ts';
export { trackEndReason, type DisconnectReasons, type EndReasonSources } from './end-reason.ts';
export { EspeakTTS, PocketsphinxSTT } from './speech/index.ts';
export { sessionModels } from './session-models.ts';
export { jobProcessNodeFlags } from './job-process-flags.ts';
