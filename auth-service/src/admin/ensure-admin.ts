import type { AttuneStore, User } from '@attune/db';
import type { AuditRecord } from '../audit/audit.ts';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import { emailSchema, newPasswordSchema } from '../routes/auth/auth.schemas.ts';

export type EnsureAdminOutcome =
  | { outcome: 'created' | 'promoted' | 'already_admin'; user: User }
  | { outcome: 'exists_not_admin'; user: User };

/**
 * Makes sure an admin with `email` exists (the email and password are checked like at sign-up; a
 * bad one throws a ZodError): creates it with `password`, or (only when
 * `promoteExisting`, i.e. from the operator's command line) makes the existing account an admin.
 * At start-up an existing non-admin account is never promoted: whoever registered that email first
 * must not become admin because the operator later chose it.
 */
export async function ensureAdmin(
  deps: {
    store: Pick<AttuneStore, 'admin' | 'users'>;
    passwords: Pick<PasswordHasher, 'hash'>;
    now: () => number;
  },
  input: { email: string; password: string | null; fullName: string; promoteExisting: boolean },
): Promise<EnsureAdminOutcome> {
  const email = emailSchema.parse(input.email);
  if (input.password !== null) newPasswordSchema.parse(input.password);
  const existing = await deps.store.users.findByEmail(email);
  const nowMs = deps.now();
  if (existing) {
    if (existing.role === 'admin') return { outcome: 'already_admin', user: existing };
    if (!input.promoteExisting) return { outcome: 'exists_not_admin', user: existing };
    const promoted = await deps.store.admin.promoteToAdmin(
      existing.id,
      {
        action: 'admin_created',
        actorId: null,
        target: existing.id,
        ip: null,
        detail: { how: 'promoted', from: existing.role },
      } satisfies AuditRecord,
      nowMs,
    );
    if (!promoted)
      throw new Error(
        `the account with the email ${email} was deleted meanwhile; run the command again`,
      );
    return { outcome: 'promoted', user: promoted };
  }
  if (input.password === null)
    throw new Error(`no account has the email ${email}; give a password to create it`);
  const passwordHash = await deps.passwords.hash(input.password);
  const created = await deps.store.admin.createAdmin(
    // The operator chose this address on the command line or in the environment: it needs no
    // mailed proof, and REQUIRE_EMAIL_VERIFICATION must not keep the first admin from working.
    { email, fullName: input.fullName, passwordHash, emailVerifiedAt: nowMs },
    {
      action: 'admin_created',
      actorId: null,
      ip: null,
      detail: { how: 'created' },
    } satisfies Omit<AuditRecord, 'target'>,
    nowMs,
  );
  if (!created)
    throw new Error(
      `an account with the email ${email} was created meanwhile; run the command again`,
    );
  return { outcome: 'created', user: created };
}
