import { z } from '@hono/zod-openapi';
import { credentialsSchema } from '../../auth/credentials.ts';
import { roomSessionSchema } from '../../livekit/room-session.ts';
import { MAX_PASSWORD_BYTES } from '../../passwords/password-hasher.ts';
import { displayNameSchema } from '../../users/display-name.ts';
import { userResponseSchema } from '../../users/user-response.ts';

const MIN_PASSWORD_BYTES = 8;
const utf8Bytes = (value: string) => Buffer.byteLength(value, 'utf8');
const LONE_SURROGATE = /\p{Cs}/u;

/** Emails are compared trimmed and lower-cased, so `Ann@X.org ` and `ann@x.org` are one account. */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'email must be at most 254 characters')
  .pipe(z.email('email is not a valid address'))
  .openapi({ example: 'ann@example.org' });

/** bcrypt reads at most 72 bytes, so longer passwords are refused rather than silently cut. */
export const newPasswordSchema = z
  .string()
  .refine((value) => !LONE_SURROGATE.test(value), 'password must be valid Unicode text')
  .refine(
    (value) => utf8Bytes(value) >= MIN_PASSWORD_BYTES && utf8Bytes(value) <= MAX_PASSWORD_BYTES,
    `password must be ${MIN_PASSWORD_BYTES} to ${MAX_PASSWORD_BYTES} bytes long (UTF-8)`,
  )
  .openapi({ example: 'correct horse battery' });

export const registerBodySchema = z
  .strictObject({
    email: emailSchema,
    password: newPasswordSchema,
    full_name: displayNameSchema('full_name'),
    invite_token: z
      .string()
      .min(1, 'invite_token must not be empty')
      .max(256, 'invite_token is too long')
      .optional()
      .describe(
        'from an invitation link (…/sign-up#invite=…); required when REGISTRATION=invite. The account gets the invited role and a confirmed address',
      ),
  })
  .openapi('RegisterRequest');

/** Checked against the stored hash only, like a login. */
const currentPasswordSchema = z
  .string()
  .min(1, 'current_password must not be empty')
  .max(1024, 'current_password is too long');

export const updateMeBodySchema = z
  .strictObject({
    full_name: displayNameSchema('full_name').optional(),
    email: emailSchema
      .optional()
      .describe(
        'a new address: it waits in pending_email until the link mailed to it is opened; your current address cancels a pending change',
      ),
    current_password: currentPasswordSchema.optional().describe('required to change email'),
  })
  .refine((body) => body.full_name !== undefined || body.email !== undefined, {
    message: 'send full_name or email',
  })
  .openapi('ProfileUpdate');

export const loginBodySchema = z
  .strictObject({
    email: emailSchema,
    // Checked against the stored hash only; length rules apply when a password is chosen.
    password: z.string().min(1, 'password must not be empty').max(1024, 'password is too long'),
  })
  .openapi('LoginRequest');

export const refreshBodySchema = z
  .strictObject({
    refresh_token: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe(
        'required unless the request sends X-Refresh-Cookie: 1 and carries the refresh cookie',
      ),
  })
  .openapi('RefreshRequest');

export const logoutBodySchema = z
  .strictObject({
    everywhere: z
      .boolean()
      .optional()
      .describe('true: sign out every device of this account, not just this one'),
  })
  .openapi('LogoutRequest');

/**
 * With REQUIRE_EMAIL_VERIFICATION on, an account that has not confirmed its address signs in
 * without the fresh room: the five room fields are then absent (`user.email_verified` says why).
 * Otherwise they are always there.
 */
export const signedInSchema = credentialsSchema
  .extend({ user: userResponseSchema })
  .extend(roomSessionSchema.partial().shape)
  .describe(
    'livekit_token, livekit_url, room_name, session_id and expires_at are always present, except while REQUIRE_EMAIL_VERIFICATION keeps an account that has not confirmed its address out of rooms',
  )
  .openapi('SignedIn');

export const refreshedSchema = credentialsSchema
  .extend({ user: userResponseSchema })
  .openapi('Refreshed');

/** Browser mode (auth/refresh-cookie.ts): the refresh token travels in an httpOnly cookie instead of the body. */
export const refreshCookieHeadersSchema = z.object({
  'x-refresh-cookie': z
    .literal('1')
    .optional()
    .describe(
      '1: put the refresh token in an httpOnly, SameSite=Strict cookie (__Host-attune_refresh over https, attune_refresh with Path=/auth over http) instead of the body; /auth/refresh then reads it from there',
    ),
});
