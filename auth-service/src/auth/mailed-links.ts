import type { ActionTokenPurpose, User } from '@attune/db';
import type { AuditRecord } from '../audit/audit.ts';
import type { AppDeps } from '../deps.ts';
import { type MailLinkPage, mailLink } from '../mail/mail-link.ts';
import {
  type LinkMailInput,
  emailVerificationMail,
  passwordResetMail,
} from '../mail/mail-messages.ts';
import type { MailMessage } from '../mail/mailer.ts';

/** A password-reset link works this long: long enough to reach one's mail, short if a mailbox leaks later. */
export const PASSWORD_RESET_LINK_TTL_MS = 30 * 60_000;
/** A verification link works a day: people confirm an address when they next read their mail. */
export const EMAIL_VERIFICATION_LINK_TTL_MS = 24 * 60 * 60_000;
/**
 * Links of one kind mailed to one address per hour at most; more requests are dropped silently,
 * so nobody can flood a mailbox (or our mail server's reputation) through the API.
 */
export const LINK_MAILS_PER_ADDRESS_PER_HOUR = 3;
const HOUR_MS = 60 * 60_000;

type MailedLinkDeps = Pick<AppDeps, 'config' | 'store' | 'mailer' | 'now'>;

interface LinkKind {
  purpose: ActionTokenPurpose;
  page: MailLinkPage;
  ttlMs: number;
  message: (input: LinkMailInput) => MailMessage;
}

const PASSWORD_RESET: LinkKind = {
  purpose: 'password_reset',
  page: 'reset-password',
  ttlMs: PASSWORD_RESET_LINK_TTL_MS,
  message: passwordResetMail,
};

const EMAIL_VERIFICATION: LinkKind = {
  purpose: 'email_verification',
  page: 'verify-email',
  ttlMs: EMAIL_VERIFICATION_LINK_TTL_MS,
  message: emailVerificationMail,
};

/** What became of a request for a link: `capped` when the address had its mails for the hour. */
export type LinkOutcome = 'mailed' | 'capped';

/** The audit entry of a request for a link, told its outcome; written with the token. */
export type LinkAudit = (outcome: LinkOutcome) => AuditRecord;

/**
 * Issues a single-use link for `user` mailed to `to`, unless `to` already got
 * LINK_MAILS_PER_ADDRESS_PER_HOUR links of the kind this hour; the count, the new token (which
 * voids the user's earlier ones of the kind) and `record` (the audit entry, told the outcome) are
 * one transaction. Then the mail is sent; a failed send rejects (the token stays unused).
 */
async function mailLinkTo(
  deps: MailedLinkDeps,
  kind: LinkKind,
  user: Pick<User, 'id' | 'fullName'>,
  to: string,
  record: LinkAudit,
): Promise<LinkOutcome> {
  const nowMs = deps.now();
  const issued = await deps.store.actionTokens.issueWithinCap(
    { purpose: kind.purpose, userId: user.id, email: to, ttlMs: kind.ttlMs },
    { max: LINK_MAILS_PER_ADDRESS_PER_HOUR, sinceMs: nowMs - HOUR_MS },
    nowMs,
    (outcome) => record(outcome === 'issued' ? 'mailed' : 'capped'),
  );
  if (issued.outcome === 'capped') return 'capped';
  const { token } = issued;
  await deps.mailer.send(
    kind.message({
      to,
      name: user.fullName,
      link: mailLink(deps.config.publicUrl, kind.page, token),
      validMinutes: kind.ttlMs / 60_000,
    }),
  );
  return 'mailed';
}

/** Mails a password-reset link to the account's address (see `mailLinkTo`). */
export function mailPasswordResetLink(
  deps: MailedLinkDeps,
  user: Pick<User, 'id' | 'fullName' | 'email'>,
  record: LinkAudit,
): Promise<LinkOutcome> {
  return mailLinkTo(deps, PASSWORD_RESET, user, user.email, record);
}

/**
 * Mails a verification link to `to`: the account's address, or the new address it waits for
 * (`pending_email`). Issuing it voids the user's earlier verification links.
 */
export function mailVerificationLink(
  deps: MailedLinkDeps,
  user: Pick<User, 'id' | 'fullName'>,
  to: string,
  record: LinkAudit,
): Promise<LinkOutcome> {
  return mailLinkTo(deps, EMAIL_VERIFICATION, user, to, record);
}
