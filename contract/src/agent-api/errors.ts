import { z } from 'zod';

/**
 * Every error the internal agent API answers, with its status. The body is the service's one
 * error shape, `{"error":{"code","message"}}`; the agent branches on `code`, never on text.
 */
export const AGENT_API_ERRORS = {
  credential_missing: {
    status: 401,
    message: 'Send the agent secret or a session credential as Authorization: Bearer <token>',
  },
  credential_invalid: { status: 401, message: 'The credential is not valid here' },
  credential_expired: {
    status: 401,
    message: 'The session credential has expired; resolve the participant again',
  },
  agent_secret_required: {
    status: 401,
    message: 'Resolving a participant needs the agent secret (AGENT_API_SECRET)',
  },
  session_credential_required: {
    status: 401,
    message: 'This call acts on one session: send the credential the resolve call answered',
  },
  session_mismatch: { status: 403, message: 'The credential is for another session' },
  session_closed: {
    status: 403,
    message: 'The session has ended, was terminated by an administrator, or no longer exists',
  },
  account_suspended: { status: 403, message: 'The account this session belongs to is suspended' },
  memory_unavailable: { status: 403, message: 'Guests have no memory' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit' },
  batch_too_large: { status: 413, message: 'The batch holds more turns than the limit' },
} as const satisfies Record<string, { status: number; message: string }>;

export type AgentApiErrorCode = keyof typeof AGENT_API_ERRORS;

/** The error body, as the service answers every failure (validation adds `issues`). */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
