import { type Db, type NewAuditEntry, insertAuditEntry } from '@attune/db';
import type { AppDeps } from '../deps.ts';

/** Every security-relevant action the service records. */
export const AUDIT_ACTIONS = [
  'register',
  'login_success',
  'login_failure',
  'lockout',
  'refresh_reuse_detected',
  'logout',
  'password_change',
  'device_signed_out',
  'role_change',
  'status_change',
  'user_deleted',
  'account_deleted',
  'session_terminated',
  'token_minted',
  'guest_created',
  'admin_created',
  'agent_refused',
  'user_created',
  'invitation_sent',
  'unlock',
  'cleanup',
  'password_reset_requested',
  'password_reset',
  'email_verification_requested',
  'email_verified',
  'email_change_requested',
  'profile_updated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditRecord = Omit<NewAuditEntry, 'action'> & { action: AuditAction };

/** Writes an audit entry inside a transaction the caller already holds. */
export function auditIn(db: Db, record: AuditRecord, nowMs: number): void {
  insertAuditEntry(db, record, nowMs);
}

/** Writes an audit entry on its own, through the store (on SQLite: one group-commit turn). */
export function audit(deps: Pick<AppDeps, 'store' | 'now'>, record: AuditRecord): Promise<void> {
  return deps.store.audit.append(record, deps.now());
}
