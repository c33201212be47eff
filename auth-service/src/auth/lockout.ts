import {
  type LoginAttemptClaim,
  type LoginAttemptSource,
  type User,
  emailSha256,
} from '@attune/db';
import type { AuditRecord } from '../audit/audit.ts';
import type { AppDeps } from '../deps.ts';
import type { ApiError } from '../http/api-error.ts';
import { apiError } from '../http/error-catalog.ts';
import { ipRateLimitKey } from '../http/rate-limit.ts';
import { knownDeviceKey } from './known-device-cookie.ts';

/**
 * Why a password check was refused, for the audit log only. `throttled`: refused before the
 * check (the pair is blocked or the account-wide delay runs); `no_password`: the account has no
 * password yet; `superseded`: the password was right but the account was suspended or given a
 * new password while bcrypt ran.
 */
export type LoginFailureReason =
  | 'unknown_email'
  | 'wrong_password'
  | 'no_password'
  | 'throttled'
  | 'superseded'
  | 'wrong_password_on_account_route';

/** The audit log keeps this instead of the email a login named: it links attempts without storing the address. */
export const emailDigest = emailSha256;

/** The answer to a refused attempt, with the wait in the message and in `Retry-After`. */
export function loginThrottled(retryAfterMs: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  // The same words for every kind of refusal and for unknown emails. Resetting the password
  // clears the throttle, which matters to people behind one address with someone who mistypes.
  return apiError(
    'login_throttled',
    `Too many failed sign-ins; try again in ${seconds} s, or reset your password`,
    { headers: { 'Retry-After': String(seconds) } },
  );
}

/** Who checks a password: the email typed (or the signed-in user's), the client IP, and the audit's actor. */
export interface PasswordCheckAttempt {
  email: string;
  ip: string | null;
  /** The account the email names, if any. */
  user: User | undefined;
  /** The signed-in user on account routes; null for a sign-in. */
  actorId?: string | null;
  /** The browser's known-device id (sign-in only; see known-device-cookie.ts). */
  deviceId?: string;
}

/** An attempt the throttle let through, to settle once the password is checked. */
export interface ClaimedPasswordCheck {
  source: LoginAttemptSource;
  claim: Extract<LoginAttemptClaim, { status: 'claimed' }>;
}

/**
 * The gate before bcrypt: counts the attempt as a failure of its (email, client IP) pair and of
 * the account (see `claimLoginAttempt`), or throws 429 `login_throttled` without checking the
 * password while the pair is blocked or the account-wide delay runs (audited as `login_failure`,
 * reason `throttled`). The same for an email with no account, so the answers tell nothing.
 */
export async function claimPasswordCheck(
  deps: Pick<AppDeps, 'config' | 'store' | 'now'>,
  attempt: PasswordCheckAttempt,
): Promise<ClaimedPasswordCheck> {
  const source: LoginAttemptSource = { email: attempt.email, ipKey: ipRateLimitKey(attempt.ip) };
  if (attempt.deviceId !== undefined) source.deviceKey = knownDeviceKey(attempt.deviceId);
  const throttledAudit = (answer: LoginAttemptClaim): AuditRecord | null =>
    answer.status === 'throttled'
      ? {
          action: 'login_failure',
          actorId: attempt.actorId ?? null,
          target: attempt.user?.id ?? null,
          ip: attempt.ip,
          detail: {
            reason: 'throttled',
            scope: answer.scope,
            retry_after_ms: answer.retryAfterMs,
            email_sha256: emailDigest(attempt.email),
          },
        }
      : null;
  const claim = await deps.store.loginThrottle.claim(
    source,
    deps.config.lockout,
    deps.now(),
    throttledAudit,
  );
  if (claim.status === 'throttled') throw loginThrottled(claim.retryAfterMs);
  return { source, claim };
}

/**
 * The password was right: clears the attempt's pair, takes its claimed failure back from the
 * account count and remembers its IP (and device) as a place the account signs in from, and
 * records `audit` with it (one unit of the store).
 */
export function settlePasswordCheck(
  deps: Pick<AppDeps, 'store' | 'now'>,
  check: ClaimedPasswordCheck,
  audit?: AuditRecord,
): Promise<void> {
  return deps.store.loginThrottle.settle(check.source, deps.now(), audit);
}

/**
 * Audits a refused password check as `login_failure` (its failure was already counted by the
 * claim); the failure that blocked its pair is also audited as `lockout` and logged.
 */
export async function recordLoginFailure(
  deps: Pick<AppDeps, 'config' | 'store' | 'logger' | 'now'>,
  failure: PasswordCheckAttempt & { reason: LoginFailureReason; check: ClaimedPasswordCheck },
): Promise<void> {
  const nowMs = deps.now();
  const { user, ip, reason } = failure;
  const { claim } = failure.check;
  const target = user?.id ?? null;
  const entries: AuditRecord[] = [
    {
      action: 'login_failure',
      actorId: failure.actorId ?? null,
      target,
      ip,
      detail: {
        reason,
        email_sha256: emailDigest(failure.email),
        failed_logins: claim.pairFailures,
        account_failures: claim.accountFailures,
        ...(claim.knownSource ? { known_source: claim.knownSource } : {}),
      },
    },
  ];
  if (claim.pairBlockedUntil !== null)
    entries.push({
      action: 'lockout',
      actorId: null,
      target,
      ip,
      detail: {
        email_sha256: emailDigest(failure.email),
        failed_logins: claim.pairFailures,
        locked_until: claim.pairBlockedUntil,
      },
    });
  await deps.store.audit.appendAll(entries, nowMs);
  if (claim.pairBlockedUntil !== null)
    deps.logger.warn(
      { userId: target, ip, failedLogins: claim.pairFailures, lockedUntil: claim.pairBlockedUntil },
      'sign-ins of an account from one client IP blocked after failed attempts',
    );
  if (claim.accountFailures === deps.config.lockout.accountFailures)
    deps.logger.warn(
      { userId: target, accountFailures: claim.accountFailures },
      'account-wide sign-in throttle engaged: failed attempts from many addresses',
    );
}

/**
 * Forgets every failed sign-in of the email, from every client IP and account-wide, but keeps the
 * places it is known to sign in from (admin unlock; a password reset clears everything inside its
 * own unit of work). Returns how many throttle rows there were.
 */
export function clearLoginThrottle(
  deps: Pick<AppDeps, 'store' | 'now'>,
  email: string,
): Promise<number> {
  return deps.store.loginThrottle.clear(email, { keepKnownSources: true }, deps.now());
}
