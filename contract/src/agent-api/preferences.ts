import { z } from 'zod';
import { preferenceKeyInput, preferenceSchema, preferenceValueInput } from './records.ts';

export const listPreferencesResponseSchema = z.object({ preferences: z.array(preferenceSchema) });
export type ListPreferencesResponse = z.infer<typeof listPreferencesResponseSchema>;

export const rememberPreferenceRequestSchema = z.strictObject({
  key: preferenceKeyInput,
  value: preferenceValueInput,
});
export type RememberPreferenceRequest = z.infer<typeof rememberPreferenceRequestSchema>;

/**
 * `key` comes back in its one stored spelling ("Answer_Length" is "answer length").
 * `invalid_key`: nothing is left of the key once normalised (only spaces, underscores or dots).
 */
export const rememberPreferenceResponseSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('saved'), key: z.string(), value: z.string() }),
  z.object({ outcome: z.literal('limit_reached'), key: z.string(), max_preferences: z.number() }),
  z.object({ outcome: z.literal('invalid_key') }),
]);
export type RememberPreferenceResponse = z.infer<typeof rememberPreferenceResponseSchema>;

export const forgetPreferenceRequestSchema = z.strictObject({ key: preferenceKeyInput });
export type ForgetPreferenceRequest = z.infer<typeof forgetPreferenceRequestSchema>;

export const forgetPreferenceResponseSchema = z.object({ forgotten: z.boolean(), key: z.string() });
export type ForgetPreferenceResponse = z.infer<typeof forgetPreferenceResponseSchema>;
