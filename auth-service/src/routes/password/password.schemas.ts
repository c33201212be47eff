import { z } from '@hono/zod-openapi';
import { emailSchema, newPasswordSchema } from '../auth/auth.schemas.ts';

/** A token from a mailed link: 43 base64url characters today; bounded, never parsed further. */
export const mailedTokenSchema = z
  .string()
  .min(1, 'token must not be empty')
  .max(256, 'token is too long')
  .openapi({ example: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c' });

export const forgotPasswordBodySchema = z
  .strictObject({ email: emailSchema })
  .openapi('ForgotPasswordRequest');

export const acceptedSchema = z
  .object({ message: z.string() })
  .openapi('Accepted', { example: { message: 'Accepted' } });

export const resetPasswordBodySchema = z
  .strictObject({
    token: mailedTokenSchema.describe(
      'from the link in the mail: the part after #token= of …/reset-password#token=…',
    ),
    new_password: newPasswordSchema,
  })
  .openapi('ResetPasswordRequest');
