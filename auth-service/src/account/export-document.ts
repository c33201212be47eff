import { z } from '@hono/zod-openapi';
import type { StoredRow, UserDataExport } from '@attune/db';

const rows = z.array(z.record(z.string(), z.unknown()));

export const exportDocumentSchema = z
  .object({
    format: z.literal('attune-export/1'),
    exported_at: z.string().describe('ISO 8601'),
    time_unit: z
      .literal('unix_epoch_ms')
      .describe('Every time inside the rows is as stored: milliseconds since the Unix epoch (UTC)'),
    user: z.record(z.string(), z.unknown()).describe('Your account row, without the password hash'),
    preferences: rows,
    conversation_turns: rows,
    sessions: rows.describe('Your voice sessions (one row per LiveKit token minted)'),
    rooms: rows.describe('Rooms you own'),
    devices: z
      .array(z.object({ id: z.string(), tokens: rows }))
      .describe(
        'Refresh-token families (signed-in devices), every token of each, without token hashes',
      ),
    audit_log: rows.describe('Audit entries where you are the actor or the target'),
  })
  .openapi('AccountExport');

export type ExportDocument = z.infer<typeof exportDocumentSchema>;

/** The one JSON document `GET /me/export` answers with: every stored row, column names as in the database. */
export function toExportDocument(data: UserDataExport, nowMs: number): ExportDocument {
  const families = new Map<string, StoredRow[]>();
  for (const token of data.refreshTokens) {
    const familyId = String(token.family_id);
    families.set(familyId, [...(families.get(familyId) ?? []), token]);
  }
  return {
    format: 'attune-export/1',
    exported_at: new Date(nowMs).toISOString(),
    time_unit: 'unix_epoch_ms',
    user: data.user,
    preferences: data.preferences,
    conversation_turns: data.conversationTurns,
    sessions: data.sessions,
    rooms: data.rooms,
    devices: [...families].map(([id, tokens]) => ({ id, tokens })),
    audit_log: data.auditLog,
  };
}
