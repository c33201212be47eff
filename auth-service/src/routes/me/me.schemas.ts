import { z } from '@hono/zod-openapi';
import { NO_BIDI_CONTROLS, hasBidiControl } from '@attune/contract';
import { TURN_ROLES } from '@attune/db';
import { normalizePreferenceKey } from '@attune/db';
import { newPasswordSchema } from '../auth/auth.schemas.ts';

const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\p{Cs}]/u;
export const MAX_PREFERENCE_KEY_CHARS = 64;
export const MAX_PREFERENCE_VALUE_CHARS = 500;

/** A preference key as the agent stores it: normalised, then 1–64 characters. */
export const preferenceKeySchema = z
  .string()
  .max(256, 'key is too long')
  .refine(
    (key) => !CONTROL_OR_LONE_SURROGATE.test(key),
    'key must not contain control characters or broken Unicode',
  )
  .refine((key) => !hasBidiControl(key), `key ${NO_BIDI_CONTROLS}`)
  .transform(normalizePreferenceKey)
  .pipe(
    z
      .string()
      .refine((key) => key.trim() !== '', 'key must contain more than spaces, underscores and dots')
      .max(
        MAX_PREFERENCE_KEY_CHARS,
        `key must be at most ${MAX_PREFERENCE_KEY_CHARS} characters once normalised`,
      ),
  );

export const preferenceKeyParams = z.object({
  key: preferenceKeySchema.openapi({
    param: { name: 'key', in: 'path' },
    description:
      'Trimmed, lower-cased, runs of spaces and underscores made one space ("Answer_Length" is "answer length")',
    example: 'answer length',
  }),
});

export const preferenceBodySchema = z
  .strictObject({
    value: z
      .string()
      .trim()
      .min(1, 'value must not be empty')
      .max(
        MAX_PREFERENCE_VALUE_CHARS,
        `value must be at most ${MAX_PREFERENCE_VALUE_CHARS} characters`,
      )
      .refine(
        (value) => !CONTROL_OR_LONE_SURROGATE.test(value),
        'value must not contain control characters or broken Unicode',
      )
      .refine((value) => !hasBidiControl(value), `value ${NO_BIDI_CONTROLS}`)
      .openapi({ example: 'short answers' }),
  })
  .openapi('PreferenceUpdate');

export const preferenceSchema = z
  .object({ key: z.string(), value: z.string(), updated_at: z.string().describe('ISO 8601') })
  .openapi('Preference');

export const preferencesSchema = z
  .object({ preferences: z.array(preferenceSchema) })
  .openapi('Preferences');

export const historyQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe('Conversations (sessions) per page (1–100)'),
  cursor: z.string().max(512).optional().describe('next_cursor from the previous page'),
});

export const historySchema = z
  .object({
    history: z.array(
      z.object({
        session_id: z
          .string()
          .nullable()
          .describe('null for turns recorded without a session (they form one group)'),
        started_at: z.string().describe('When the first turn of the group was said (ISO 8601)'),
        turns: z.array(
          z.object({
            role: z.enum(TURN_ROLES),
            text: z.string(),
            created_at: z.string().describe('ISO 8601'),
          }),
        ),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .openapi('History');

export const deviceSchema = z
  .object({
    id: z.string().describe('The device’s refresh-token family id'),
    created_at: z.string().describe('When the device signed in (ISO 8601)'),
    last_used_at: z.string().describe('When it last refreshed its tokens (ISO 8601)'),
    user_agent: z.string().nullable(),
    ip: z.string().nullable(),
    current: z.boolean().describe('True for the device this request comes from'),
  })
  .openapi('Device');

export const devicesSchema = z.object({ devices: z.array(deviceSchema) }).openapi('Devices');

export const deviceIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'A device id from GET /me/devices',
    }),
});

/** Checked against the stored hash only, like a login. */
const currentPasswordSchema = z
  .string()
  .min(1, 'password must not be empty')
  .max(1024, 'password is too long');

export const passwordChangeBodySchema = z
  .strictObject({ current_password: currentPasswordSchema, new_password: newPasswordSchema })
  .openapi('PasswordChange');

export const deleteAccountBodySchema = z
  .strictObject({ password: currentPasswordSchema })
  .openapi('AccountDeletion');
