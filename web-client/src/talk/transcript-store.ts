/** Who said a line of the transcript. */
export type Speaker = 'user' | 'assistant';

/**
 * One update of a transcribed segment, as read from an `lk.transcription` text stream: the
 * segment's whole text so far (never a delta) and whether the text is final.
 */
export interface SegmentUpdate {
  /** The participant whose speech this is (the user, or the agent). */
  participantIdentity: string;
  speaker: Speaker;
  /** `lk.segment_id` (or the stream id when the sender gave none). */
  segmentId: string;
  /** The text stream the update came from; a newer stream for a segment replaces an older one. */
  streamId: string;
  text: string;
  final: boolean;
}

export interface TranscriptLine {
  /** Stable key for rendering: participant and segment. */
  key: string;
  speaker: Speaker;
  participantIdentity: string;
  segmentId: string;
  text: string;
  final: boolean;
}

interface SegmentState extends TranscriptLine {
  /** Position in the conversation: when the segment was first heard of. */
  order: number;
  /** Stream ids seen for this segment, oldest first. */
  streams: string[];
}

/**
 * Folds transcription segment updates into the ordered lines of a conversation.
 *
 * - Lines are ordered by when their segment was first heard of, so a late final for an earlier
 *   user utterance stays above the assistant's answer that started meanwhile.
 * - Within a segment, a later update replaces the text (interim text gives way to the final).
 * - An update from an older stream of a segment, arriving after a newer stream took over, is
 *   dropped; so is an interim update once the segment is final.
 * - Segments are kept per participant: two speakers may use the same segment id.
 * - Lines without text are not shown.
 */
export class TranscriptStore {
  readonly #segments = new Map<string, SegmentState>();
  #next = 0;
  #lines: readonly TranscriptLine[] = [];

  /** Applies an update; returns true when the visible lines changed. */
  apply(update: SegmentUpdate): boolean {
    const key = `${update.participantIdentity}\u0000${update.segmentId}`;
    const existing = this.#segments.get(key);
    if (!existing) {
      this.#segments.set(key, {
        key,
        speaker: update.speaker,
        participantIdentity: update.participantIdentity,
        segmentId: update.segmentId,
        text: update.text,
        final: update.final,
        order: this.#next++,
        streams: [update.streamId],
      });
      return this.#rebuild();
    }
    const streamIndex = existing.streams.indexOf(update.streamId);
    const latest = existing.streams.length - 1;
    if (streamIndex !== -1 && streamIndex < latest) return false; // a newer stream took over
    if (existing.final && !update.final) return false; // interim text never replaces the final
    if (streamIndex === -1) existing.streams.push(update.streamId);
    if (existing.text === update.text && existing.final === update.final) return false;
    existing.text = update.text;
    existing.final = update.final;
    return this.#rebuild();
  }

  /** The conversation so far, in order. The same array until something changes. */
  get lines(): readonly TranscriptLine[] {
    return this.#lines;
  }

  clear(): void {
    this.#segments.clear();
    this.#next = 0;
    this.#lines = [];
  }

  #rebuild(): true {
    this.#lines = [...this.#segments.values()]
      .filter((segment) => segment.text.trim() !== '')
      .sort((a, b) => a.order - b.order)
      .map(({ key, speaker, participantIdentity, segmentId, text, final }) => ({
        key,
        speaker,
        participantIdentity,
        segmentId,
        text,
        final,
      }));
    return true;
  }
}
