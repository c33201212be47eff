/**
 * Sizes both sides hold to. The service refuses anything larger; the agent shapes its requests
 * to fit, so a refusal only ever means a bug or a forged request.
 */
export const AGENT_API_LIMITS = {
  /** Turns in one append request; the agent splits longer backlogs into several. */
  maxTurnsPerBatch: 50,
  /** Characters of one stored turn; the agent cuts longer ones (marking the cut) before storing. */
  maxTurnChars: 8_000,
  /** Bytes of one request body; a full batch of the longest turns fits. */
  maxBodyBytes: 1024 * 1024,
  /** Characters of a preference key and value, as the voice tools and the web client accept them. */
  maxPreferenceKeyChars: 64,
  maxPreferenceValueChars: 500,
  /** Words one recall may search for, and their length. */
  maxRecallWords: 8,
  maxRecallWordChars: 64,
  /** Characters of a turn id the agent chooses. */
  maxTurnIdChars: 64,
} as const;
