import { z } from '@hono/zod-openapi';
import { USER_ROLES } from '@attune/db';
import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
import { displayNameSchema } from '../../users/display-name.ts';
import { userResponseSchema } from '../../users/user-response.ts';
import { emailSchema } from '../auth/auth.schemas.ts';

const tags = ['admin'];
const idParam = z.object({ id: z.string().min(1).max(64) });
const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** Roles an admin may give a new account or an invitation: every role but `guest` (guests are made by POST /auth/guest). */
export const ASSIGNABLE_ROLES = USER_ROLES.filter((role) => role !== 'guest') as [
  Exclude<(typeof USER_ROLES)[number], 'guest'>,
  ...Exclude<(typeof USER_ROLES)[number], 'guest'>[],
];

export const adminUserViewSchema = userResponseSchema
  .extend({
    email_verified: z.boolean(),
    pending_email: z
      .string()
      .nullable()
      .describe('A new address waiting for its verification link'),
    password_set: z
      .boolean()
      .describe('false: made by an admin, the set-password link not used yet (cannot sign in)'),
    locked_until: z
      .string()
      .nullable()
      .describe(
        'ISO 8601: until when some sign-in of this account is refused by the login throttle (one client IP blocked, or the account-wide delay); null when none is',
      ),
    active_sessions: z.number().int().describe('Sessions joined and not ended'),
  })
  .openapi('AdminUserView');

export const getUserRoute = defineRoute({
  method: 'get',
  path: '/admin/users/{id}',
  tags,
  summary: 'One user as admins and moderators see them, with the login throttle’s state',
  request: { params: idParam },
  responses: { 200: jsonContent(z.object({ user: adminUserViewSchema }), 'The user') },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'moderator'],
    rateLimit: 'general',
    errors: ['user_not_found'],
  },
});

export const createUserRoute = defineRoute({
  method: 'post',
  path: '/admin/users',
  tags,
  summary:
    'Create an account without a password and mail its owner a set-password link (valid 7 days)',
  request: {
    body: jsonBody(
      z
        .strictObject({
          email: emailSchema,
          full_name: displayNameSchema('full_name'),
          role: z.enum(ASSIGNABLE_ROLES),
        })
        .openapi('AdminCreateUserRequest'),
    ),
  },
  responses: {
    201: jsonContent(
      z.object({
        user: adminUserViewSchema,
        set_password_mail: z
          .enum(['sent', 'failed'])
          .describe(
            '`failed`: the account exists but the mail did not go out; the owner can use "Forgot password"',
          ),
      }),
      'Created',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin'],
    rateLimit: 'general',
    errors: ['email_taken', 'user_limit'],
  },
});

export const inviteRoute = defineRoute({
  method: 'post',
  path: '/admin/invitations',
  tags,
  summary: 'Mail a sign-up link (valid 7 days) to an address that has no account yet',
  request: {
    body: jsonBody(
      z
        .strictObject({
          email: emailSchema,
          role: z
            .enum(ASSIGNABLE_ROLES)
            .default('user')
            .describe('The role the account gets when it signs up with the link'),
        })
        .openapi('AdminInvitationRequest'),
    ),
  },
  responses: {
    202: jsonContent(
      z.object({
        email: z.string(),
        role: z.enum(ASSIGNABLE_ROLES),
        expires_at: z.string().describe('ISO 8601'),
        invitation_mail: z.enum(['sent', 'failed']),
      }),
      'Invitation issued; an earlier invitation of the same address no longer works',
    ),
  },
  policy: {
    auth: 'signed_in',
    roles: ['admin'],
    rateLimit: 'general',
    errors: ['email_taken', 'user_limit', 'registration_closed'],
  },
});

export const unlockUserRoute = defineRoute({
  method: 'post',
  path: '/admin/users/{id}/unlock',
  tags,
  summary: 'Forget every failed sign-in of the user’s email, from every client IP and account-wide',
  request: { params: idParam },
  responses: { 204: { description: 'Unlocked (also when nothing was blocked)' } },
  policy: {
    auth: 'signed_in',
    roles: ['admin', 'moderator'],
    rateLimit: 'general',
    errors: ['user_not_found'],
  },
});
