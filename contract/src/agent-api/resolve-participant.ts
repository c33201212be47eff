import { z } from 'zod';
import { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from '../participant-attributes.ts';
import { preferenceSchema, storedTurnSchema } from './records.ts';
import { epochMs, lineOfText } from './text.ts';

/** An id as the service makes them (users, sessions): letters, digits, `-` and `_`. */
const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'is not an id');

/**
 * The participant as LiveKit describes it to the agent: its identity, the two Attune attributes
 * (the agent leaves out any other), and the room. The service trusts none of it: the identity and
 * attributes were signed into the token by the service itself, and it checks them against the
 * session it recorded, in this very room.
 */
export const resolveParticipantRequestSchema = z.strictObject({
  room_name: lineOfText(256),
  identity: lineOfText(256),
  attributes: z.strictObject({
    [ATTRIBUTE_USER_ID]: idSchema.optional(),
    [ATTRIBUTE_SESSION_ID]: idSchema.optional(),
  }),
});
export type ResolveParticipantRequest = z.infer<typeof resolveParticipantRequestSchema>;

/** Why the agent may not serve a participant; it says one sentence for each and leaves. */
export const REFUSAL_REASONS = [
  'missing_attributes',
  'identity_mismatch',
  'unknown_user',
  'unknown_session',
  'room_mismatch',
  'session_ended',
  'session_expired',
  'session_limit',
  'suspended',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

const resolvedSchema = z.object({
  outcome: z.literal('resolved'),
  /** Bearer credential for every later call about this one session; nothing else. */
  credential: z.string(),
  credential_expires_at_ms: epochMs,
  session: z.object({ id: z.string(), room_name: z.string(), issued_at_ms: epochMs }),
  user: z.object({
    display_name: z.string(),
    /** False for guests: nothing is remembered between their conversations. */
    memory: z.boolean(),
  }),
  /** Every preference, by key; empty for guests. */
  preferences: z.array(preferenceSchema),
  /** The newest earlier turns that fit the service's budget, oldest first; empty for guests. */
  history: z.array(storedTurnSchema),
  /** Conversations the user had before this one; null for guests, who have none on record. */
  earlier_sessions: z.number().int().min(0).nullable(),
  limits: z.object({ max_preferences: z.number().int().positive() }),
});

const refusedSchema = z.object({
  outcome: z.literal('refused'),
  reason: z.enum(REFUSAL_REASONS),
});

export const resolveParticipantResponseSchema = z.discriminatedUnion('outcome', [
  resolvedSchema,
  refusedSchema,
]);
export type ResolveParticipantResponse = z.infer<typeof resolveParticipantResponseSchema>;
export type ResolvedParticipant = z.infer<typeof resolvedSchema>;
