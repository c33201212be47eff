import { z } from '@hono/zod-openapi';
import { NO_BIDI_CONTROLS, hasBidiControl } from '@attune/contract';

const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\p{Cs}]/u;

/**
 * A person's name as shown in rooms and tokens: trimmed, 1–100 characters, no control
 * characters (NUL, newlines, escapes), no broken Unicode, and no bidirectional controls (which
 * make a name read differently from what it is).
 */
export function displayNameSchema(field: string) {
  return z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(100, `${field} must be at most 100 characters`)
    .refine(
      (value) => !CONTROL_OR_LONE_SURROGATE.test(value),
      `${field} must not contain control characters or broken Unicode`,
    )
    .refine((value) => !hasBidiControl(value), `${field} ${NO_BIDI_CONTROLS}`);
}
