import { z } from 'zod';
import { AGENT_API_LIMITS } from './limits.ts';
import { storedTurnSchema } from './records.ts';
import { lineOfText } from './text.ts';

/** Words to look for in the user's own earlier turns; none: how the last conversation ended. */
export const recallRequestSchema = z.strictObject({
  words: z
    .array(lineOfText(AGENT_API_LIMITS.maxRecallWordChars))
    .max(AGENT_API_LIMITS.maxRecallWords),
});
export type RecallRequest = z.infer<typeof recallRequestSchema>;

/**
 * `search`: turns holding every word, newest first, from conversations other than this one.
 * `previous_conversation`: the last turns of the conversation before this one, oldest first.
 */
export const recallResponseSchema = z.object({
  scope: z.enum(['search', 'previous_conversation']),
  turns: z.array(storedTurnSchema),
});
export type RecallResponse = z.infer<typeof recallResponseSchema>;
