import { z } from 'zod';
import { AGENT_API_LIMITS } from './limits.ts';
import { TURN_ROLES, turnTextInput } from './records.ts';
import { epochMs } from './text.ts';

/**
 * One turn to store. The agent chooses `id` (unique within the session) so that a batch sent
 * again after a lost answer is stored once.
 */
export const newTurnSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(AGENT_API_LIMITS.maxTurnIdChars)
    .regex(/^[A-Za-z0-9_-]+$/, 'is letters, digits, - and _ only'),
  role: z.enum(TURN_ROLES),
  text: turnTextInput,
  created_at_ms: epochMs,
});
export type NewTurn = z.infer<typeof newTurnSchema>;

/** Turns in the order they were said. More than the limit is a 413, and nothing is stored. */
export const appendTurnsRequestSchema = z.strictObject({
  turns: z.array(newTurnSchema).min(1),
});
export type AppendTurnsRequest = z.infer<typeof appendTurnsRequestSchema>;

/** `duplicates`: turns whose id was stored before (a retried batch). */
export const appendTurnsResponseSchema = z.object({
  stored: z.number().int().min(0),
  duplicates: z.number().int().min(0),
});
export type AppendTurnsResponse = z.infer<typeof appendTurnsResponseSchema>;
