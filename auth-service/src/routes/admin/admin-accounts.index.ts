import {
  clearLoginThrottle,
  createUserWithoutPassword,
  findUserByEmail,
  findUserById,
  issueActionToken,
} from '@attune/db';
import { auditIn } from '../../audit/audit.ts';
import { emailDigest } from '../../auth/lockout.ts';
import { checkUserLimit } from '../../auth/registration.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { mailLink } from '../../mail/mail-link.ts';
import { invitationMail, setPasswordMail } from '../../mail/mail-messages.ts';
import type { MailMessage } from '../../mail/mailer.ts';
import {
  createUserRoute,
  getUserRoute,
  inviteRoute,
  unlockUserRoute,
} from './admin-accounts.routes.ts';
import { toAdminUserView } from './admin-user-view.ts';

/** Set-password links and invitations work for a week: long enough to be away, short enough to go stale. */
export const ACCOUNT_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const ACCOUNT_LINK_TTL_MINUTES = ACCOUNT_LINK_TTL_MS / 60_000;

/**
 * Admin accounts work: one user's admin view, accounts made by an admin (no password: a mailed
 * set-password link), invitations, and unlocking the login throttle (admins and moderators).
 */
export function createAdminAccountsRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();
  const { db } = deps.database;

  /**
   * Sends a mail whose failure must not undo what the request did (the account or invitation is
   * committed): the answer says `failed` and the admin can act; the mailer has logged why.
   */
  const sendMail = async (message: MailMessage, what: string): Promise<'sent' | 'failed'> => {
    try {
      await deps.mailer.send(message);
      return 'sent';
    } catch (error) {
      deps.logger.warn({ err: error }, `could not mail the ${what}`);
      return 'failed';
    }
  };

  router.openapi(guard.route(getUserRoute), (c) => {
    const user = findUserById(db, c.req.valid('param').id);
    if (!user) throw apiError('user_not_found');
    return c.json({ user: toAdminUserView(deps, user) }, 200);
  });

  router.openapi(guard.route(createUserRoute), async (c) => {
    const caller = c.get('caller').user;
    const body = c.req.valid('json');
    const nowMs = deps.now();
    const { user, token } = await deps.database.groupCommit.run((tx) => {
      checkUserLimit(tx, deps.config.registration);
      const created = createUserWithoutPassword(
        tx,
        { email: body.email, fullName: body.full_name, role: body.role },
        nowMs,
      );
      if (!created) throw apiError('email_taken', 'An account with this email already exists');
      const issued = issueActionToken(
        tx,
        {
          purpose: 'set_password',
          userId: created.id,
          email: created.email,
          ttlMs: ACCOUNT_LINK_TTL_MS,
        },
        nowMs,
      );
      auditIn(
        tx,
        {
          action: 'user_created',
          actorId: caller.id,
          target: created.id,
          ip: clientMeta(c).ip,
          detail: { role: created.role },
        },
        nowMs,
      );
      return { user: created, token: issued.token };
    });
    const mail = await sendMail(
      setPasswordMail({
        to: user.email,
        name: user.fullName,
        link: mailLink(deps.config.publicUrl, 'set-password', token),
        validMinutes: ACCOUNT_LINK_TTL_MINUTES,
      }),
      'set-password link',
    );
    return c.json({ user: toAdminUserView(deps, user), set_password_mail: mail }, 201);
  });

  router.openapi(guard.route(inviteRoute), async (c) => {
    const caller = c.get('caller').user;
    const { email, role } = c.req.valid('json');
    // A closed server refuses every sign-up, invited or not: the link could never be used.
    if (deps.config.registration.mode === 'closed')
      throw apiError(
        'registration_closed',
        'Registration is closed (REGISTRATION=closed), so an invitation could not be used; create the account with POST /admin/users instead',
      );
    const nowMs = deps.now();
    const invitation = await deps.database.groupCommit.run((tx) => {
      if (findUserByEmail(tx, email))
        throw apiError('email_taken', 'An account with this email already exists');
      checkUserLimit(tx, deps.config.registration);
      const issued = issueActionToken(
        tx,
        { purpose: 'invitation', userId: null, email, role, ttlMs: ACCOUNT_LINK_TTL_MS },
        nowMs,
      );
      auditIn(
        tx,
        {
          action: 'invitation_sent',
          actorId: caller.id,
          target: null,
          ip: clientMeta(c).ip,
          // The digest, as for sign-in attempts: the log links invitations without keeping addresses.
          detail: { role, email_sha256: emailDigest(email) },
        },
        nowMs,
      );
      return issued;
    });
    const mail = await sendMail(
      invitationMail({
        to: email,
        link: mailLink(deps.config.publicUrl, 'sign-up', invitation.token),
        validMinutes: ACCOUNT_LINK_TTL_MINUTES,
        invitedBy: caller.fullName,
      }),
      'invitation',
    );
    return c.json(
      {
        email,
        role,
        expires_at: new Date(invitation.row.expiresAt).toISOString(),
        invitation_mail: mail,
      },
      202,
    );
  });

  router.openapi(guard.route(unlockUserRoute), async (c) => {
    const caller = c.get('caller').user;
    const user = findUserById(db, c.req.valid('param').id);
    if (!user) throw apiError('user_not_found');
    const nowMs = deps.now();
    await deps.database.groupCommit.run((tx) => {
      const cleared = clearLoginThrottle(tx, user.email, { keepKnownSources: true });
      auditIn(
        tx,
        {
          action: 'unlock',
          actorId: caller.id,
          target: user.id,
          ip: clientMeta(c).ip,
          detail: { throttle_rows: cleared },
        },
        nowMs,
      );
    });
    return c.body(null, 204);
  });

  return router;
}
