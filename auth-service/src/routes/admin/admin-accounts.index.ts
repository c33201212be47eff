import type { AuditRecord } from '../../audit/audit.ts';
import { emailDigest } from '../../auth/lockout.ts';
import { userLimitReached } from '../../auth/registration.ts';
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
  const emailTaken = () => apiError('email_taken', 'An account with this email already exists');

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

  router.openapi(guard.route(getUserRoute), async (c) => {
    const user = await deps.store.users.findById(c.req.valid('param').id);
    if (!user) throw apiError('user_not_found');
    return c.json({ user: await toAdminUserView(deps, user) }, 200);
  });

  router.openapi(guard.route(createUserRoute), async (c) => {
    const caller = c.get('caller').user;
    const body = c.req.valid('json');
    const nowMs = deps.now();
    const { ip } = clientMeta(c);
    // One unit (store.admin.createUser): the MAX_USERS place, the row, its set-password link and
    // the audit entry, all or nothing; on PostgreSQL the count holds across replicas.
    const created = await deps.store.admin.createUser(
      {
        email: body.email,
        fullName: body.full_name,
        role: body.role,
        maxUsers: deps.config.registration.maxUsers,
        linkTtlMs: ACCOUNT_LINK_TTL_MS,
      },
      nowMs,
      (user): AuditRecord => ({
        action: 'user_created',
        actorId: caller.id,
        target: user.id,
        ip,
        detail: { role: user.role },
      }),
    );
    if (created.status === 'user_limit') throw userLimitReached(deps.config.registration.maxUsers);
    if (created.status === 'email_taken') throw emailTaken();
    const { user, token } = created;
    const mail = await sendMail(
      setPasswordMail({
        to: user.email,
        name: user.fullName,
        link: mailLink(deps.config.publicUrl, 'set-password', token),
        validMinutes: ACCOUNT_LINK_TTL_MINUTES,
      }),
      'set-password link',
    );
    return c.json({ user: await toAdminUserView(deps, user), set_password_mail: mail }, 201);
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
    const { ip } = clientMeta(c);
    const invitation = await deps.store.admin.invite(
      { email, role, maxUsers: deps.config.registration.maxUsers, ttlMs: ACCOUNT_LINK_TTL_MS },
      nowMs,
      (): AuditRecord => ({
        action: 'invitation_sent',
        actorId: caller.id,
        target: null,
        ip,
        // The digest, as for sign-in attempts: the log links invitations without keeping addresses.
        detail: { role, email_sha256: emailDigest(email) },
      }),
    );
    if (invitation.status === 'email_taken') throw emailTaken();
    if (invitation.status === 'user_limit')
      throw userLimitReached(deps.config.registration.maxUsers);
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
    const user = await deps.store.users.findById(c.req.valid('param').id);
    if (!user) throw apiError('user_not_found');
    const { ip } = clientMeta(c);
    await deps.store.loginThrottle.clear(
      user.email,
      { keepKnownSources: true },
      deps.now(),
      (cleared): AuditRecord => ({
        action: 'unlock',
        actorId: caller.id,
        target: user.id,
        ip,
        detail: { throttle_rows: cleared },
      }),
    );
    return c.body(null, 204);
  });

  return router;
}
