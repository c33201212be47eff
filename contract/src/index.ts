export { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from './participant-attributes.ts';
export { AGENT_API_BASE_PATH, agentApiPaths } from './agent-api/paths.ts';
export { AGENT_API_LIMITS } from './agent-api/limits.ts';
export {
  AGENT_API_ERRORS,
  type AgentApiErrorCode,
  type ErrorBody,
  errorBodySchema,
} from './agent-api/errors.ts';
export {
  NO_BIDI_CONTROLS,
  epochMs,
  hasBidiControl,
  lineOfText,
  linesOfText,
  toStorableText,
} from './agent-api/text.ts';
export {
  type Preference,
  type StoredTurn,
  TURN_ROLES,
  type TurnRole,
  preferenceSchema,
  storedTurnSchema,
} from './agent-api/records.ts';
export {
  REFUSAL_REASONS,
  type RefusalReason,
  type ResolveParticipantRequest,
  type ResolveParticipantResponse,
  type ResolvedParticipant,
  resolveParticipantRequestSchema,
  resolveParticipantResponseSchema,
} from './agent-api/resolve-participant.ts';
export {
  END_REASONS,
  type EndReason,
  type EndSessionRequest,
  type JoinSessionRequest,
  type RecordedResponse,
  endSessionRequestSchema,
  joinSessionRequestSchema,
  recordedResponseSchema,
} from './agent-api/session-lifecycle.ts';
export {
  type ForgetPreferenceRequest,
  type ForgetPreferenceResponse,
  type ListPreferencesResponse,
  type RememberPreferenceRequest,
  type RememberPreferenceResponse,
  forgetPreferenceRequestSchema,
  forgetPreferenceResponseSchema,
  listPreferencesResponseSchema,
  rememberPreferenceRequestSchema,
  rememberPreferenceResponseSchema,
} from './agent-api/preferences.ts';
export {
  type RecallRequest,
  type RecallResponse,
  recallRequestSchema,
  recallResponseSchema,
} from './agent-api/recall.ts';
export {
  type AppendTurnsRequest,
  type AppendTurnsResponse,
  type NewTurn,
  appendTurnsRequestSchema,
  appendTurnsResponseSchema,
  newTurnSchema,
} from './agent-api/turns.ts';
