import { z } from 'zod';
import { epochMs } from './text.ts';

export const joinSessionRequestSchema = z.strictObject({
  /** When the agent saw the participant join; used until LiveKit's own webhook reports it. */
  joined_at_ms: epochMs,
});
export type JoinSessionRequest = z.infer<typeof joinSessionRequestSchema>;

/** Why a conversation ended, as the agent saw it. */
export const END_REASONS = [
  /** The framework closed the session: the participant left, or the room closed around them. */
  'user_initiated',
  /** The participant disconnected cleanly (left, or was removed). */
  'participant_disconnected',
  /** The participant's connection dropped and they did not come back within the reconnect window. */
  'participant_gone',
  /** The worker stopped, or LiveKit told it to end the job. */
  'job_shutdown',
  /** The room was deleted on the server. */
  'room_deleted',
  /** An unrecoverable error in the voice pipeline. */
  'error',
] as const;
export type EndReason = (typeof END_REASONS)[number];

export const endSessionRequestSchema = z.strictObject({
  reason: z.enum(END_REASONS),
  ended_at_ms: epochMs,
  /** When the participant joined, should the join itself never have been recorded. */
  joined_at_ms: epochMs,
});
export type EndSessionRequest = z.infer<typeof endSessionRequestSchema>;

/** `recorded: false`: the change was already recorded (a retry), or LiveKit's webhook came first. */
export const recordedResponseSchema = z.object({ recorded: z.boolean() });
export type RecordedResponse = z.infer<typeof recordedResponseSchema>;
