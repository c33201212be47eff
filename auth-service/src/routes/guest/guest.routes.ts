import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../http/define-route.ts';
import { jsonContent } from '../../http/error-responses.ts';
import { displayNameSchema } from '../../users/display-name.ts';
import { refreshCookieHeadersSchema, signedInSchema } from '../auth/auth.schemas.ts';

export const guestBodySchema = z
  .strictObject({
    full_name: displayNameSchema('full_name')
      .optional()
      .describe('What the assistant calls the guest; default "Guest"'),
  })
  .openapi('GuestRequest');

export const guestRoute = defineRoute({
  method: 'post',
  path: '/auth/guest',
  tags: ['auth'],
  summary:
    'Try the assistant without an account: a short-lived guest user, its credentials and a LiveKit token',
  request: {
    headers: refreshCookieHeadersSchema,
    body: { required: false, content: { 'application/json': { schema: guestBodySchema } } },
  },
  responses: {
    201: jsonContent(
      signedInSchema,
      'Guest created and signed in; it is deleted with everything it owns after GUEST_TTL_MINUTES',
    ),
  },
  policy: { auth: 'public', rateLimit: 'auth', errors: ['guest_access_disabled'] },
});
