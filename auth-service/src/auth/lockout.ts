import { createHash } from 'node:crypto';
import { type User, recordFailedLogin } from '@attune/db';
import { auditIn } from '../audit/audit.ts';
import type { AppDeps } from '../deps.ts';

/**
 * Why a login was refused, for the audit log only: the caller always gets the same 401.
 * `locked`: the account is locked (whatever the password); `superseded`: the password was right
 * but the account was locked, suspended or given a new password while bcrypt ran.
 */
export type LoginFailureReason = 'unknown_email' | 'wrong_password' | 'locked' | 'superseded';

/** The audit log keeps this instead of the email a login named: it links attempts without storing the address. */
export function emailDigest(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export interface LoginFailure {
  /** The account the email names, if any. */
  user: User | undefined;
  email: string;
  ip: string | null;
  reason: LoginFailureReason;
}

/**
 * Records a refused login in one write: a wrong password on an existing, unlocked account counts
 * towards the lockout (atomically, see `recordFailedLogin`); every refusal is audited as
 * `login_failure`, and the failure that locks the account also as `lockout`.
 */
export async function recordLoginFailure(
  deps: Pick<AppDeps, 'config' | 'database' | 'logger' | 'now'>,
  failure: LoginFailure,
): Promise<void> {
  const nowMs = deps.now();
  const { user, ip, reason } = failure;
  const locked = await deps.database.groupCommit.run((db) => {
    const counted =
      user && reason === 'wrong_password'
        ? recordFailedLogin(db, user.id, deps.config.lockout, nowMs)
        : undefined;
    auditIn(
      db,
      {
        action: 'login_failure',
        actorId: null,
        target: user?.id ?? null,
        ip,
        detail: {
          reason,
          email_sha256: emailDigest(failure.email),
          ...(counted ? { failed_logins: counted.failedLogins } : {}),
        },
      },
      nowMs,
    );
    if (!user || counted?.lockedUntil == null) return undefined;
    auditIn(
      db,
      {
        action: 'lockout',
        actorId: null,
        target: user.id,
        ip,
        detail: { failed_logins: counted.failedLogins, locked_until: counted.lockedUntil },
      },
      nowMs,
    );
    return counted;
  });
  if (user && locked) {
    deps.logger.warn(
      { userId: user.id, failedLogins: locked.failedLogins, lockedUntil: locked.lockedUntil },
      'account locked after failed logins',
    );
  }
}
