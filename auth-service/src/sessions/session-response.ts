import { z } from '@hono/zod-openapi';
import { SESSION_STATUSES, type UserSession } from '@attune/db';

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const sessionResponseSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    room_name: z.string(),
    status: z.enum(SESSION_STATUSES),
    issued_at: z.string().describe('When the LiveKit token was minted (ISO-8601, UTC)'),
    session_start: z.string().nullable().describe('When LiveKit says the participant joined'),
    session_end: z
      .string()
      .nullable()
      .describe('When it left (or the room finished, or the session timed out)'),
    duration_seconds: z.number().int().nullable(),
    end_reason: z.string().nullable(),
  })
  .openapi('Session');

export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export function toSessionResponse(s: UserSession): SessionResponse {
  return {
    id: s.id,
    user_id: s.userId,
    room_name: s.roomName,
    status: s.status,
    issued_at: new Date(s.issuedAt).toISOString(),
    session_start: isoOrNull(s.sessionStart),
    session_end: isoOrNull(s.sessionEnd),
    duration_seconds: s.durationSeconds,
    end_reason: s.endReason,
  };
}

export const SESSION_CSV_COLUMNS = [
  'id',
  'user_id',
  'room_name',
  'status',
  'issued_at',
  'session_start',
  'session_end',
  'duration_seconds',
  'end_reason',
] as const;

export const sessionCsvRow = (s: SessionResponse) => SESSION_CSV_COLUMNS.map((column) => s[column]);
