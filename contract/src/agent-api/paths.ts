/** Where the internal agent API lives: its own listener (INTERNAL_PORT), never the public port. */
export const AGENT_API_BASE_PATH = '/agent/v1';

const session = (sessionId: string) =>
  `${AGENT_API_BASE_PATH}/sessions/${encodeURIComponent(sessionId)}`;

/** The path of each call, as the agent's client requests it. */
export const agentApiPaths = {
  resolveParticipant: `${AGENT_API_BASE_PATH}/participants/resolve`,
  join: (sessionId: string) => `${session(sessionId)}/join`,
  end: (sessionId: string) => `${session(sessionId)}/end`,
  preferences: (sessionId: string) => `${session(sessionId)}/preferences`,
  remember: (sessionId: string) => `${session(sessionId)}/preferences/remember`,
  forget: (sessionId: string) => `${session(sessionId)}/preferences/forget`,
  recall: (sessionId: string) => `${session(sessionId)}/recall`,
  turns: (sessionId: string) => `${session(sessionId)}/turns`,
} as const;
