export { loadAgentConfig, AgentConfigError, type AgentConfig } from './config.ts';
export {
  ATTRIBUTE_SESSION_ID,
  ATTRIBUTE_USER_ID,
  readParticipantClaims,
  type ParticipantClaims,
} from './participant-claims.ts';
export {
  resolveSessionUser,
  refusalMessage,
  type SessionUser,
  type SessionUserResolution,
} from './session-user.ts';
export { UserMemory, type MemoryLimits } from './user-memory.ts';
export { loadUserContext } from './user-context.ts';
export { buildInstructions } from './instructions.ts';
export { createAssistant } from './assistant.ts';
