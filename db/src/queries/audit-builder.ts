import type { NewAuditEntry } from './audit-log.ts';

/**
 * Builds the audit entry a unit of work writes with its effect, from the unit's outcome (`null`:
 * nothing to record for that outcome). The caller knows what to record, the unit knows what
 * happened; the entry lands in the unit's own transaction. Must be pure: on PostgreSQL a unit
 * that hits a serialization failure runs again from the start.
 */
export type AuditFor<T> = (outcome: T) => NewAuditEntry | null;
