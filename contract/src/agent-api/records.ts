import { z } from 'zod';
import { AGENT_API_LIMITS } from './limits.ts';
import { epochMs, lineOfText, linesOfText } from './text.ts';

export const TURN_ROLES = ['user', 'assistant'] as const;
export type TurnRole = (typeof TURN_ROLES)[number];

/** One thing said in a conversation, as stored. */
export const storedTurnSchema = z.object({
  role: z.enum(TURN_ROLES),
  text: z.string(),
  created_at_ms: epochMs,
});
export type StoredTurn = z.infer<typeof storedTurnSchema>;

/** One preference the user asked the assistant to keep. */
export const preferenceSchema = z.object({
  key: z.string(),
  value: z.string(),
  updated_at_ms: epochMs,
});
export type Preference = z.infer<typeof preferenceSchema>;

/** A preference key as the model or a person writes it; the service normalises its spelling. */
export const preferenceKeyInput = lineOfText(AGENT_API_LIMITS.maxPreferenceKeyChars);
export const preferenceValueInput = lineOfText(AGENT_API_LIMITS.maxPreferenceValueChars);
export const turnTextInput = linesOfText(AGENT_API_LIMITS.maxTurnChars);
