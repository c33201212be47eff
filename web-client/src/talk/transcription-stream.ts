import type { SegmentUpdate, Speaker } from './transcript-store.ts';

/**
 * How LiveKit agents (agents-js 1.x, voice/room_io/_output.ts) publish transcriptions: text
 * streams on this topic, one or more per segment, sent by the agent's participant but with the
 * sender identity set to whoever spoke (the user for speech-to-text, the agent for its replies).
 */
export const TRANSCRIPTION_TOPIC = 'lk.transcription';
export const ATTRIBUTE_SEGMENT_ID = 'lk.segment_id';
export const ATTRIBUTE_TRANSCRIPTION_FINAL = 'lk.transcription_final';
export const ATTRIBUTE_TRANSCRIBED_TRACK_ID = 'lk.transcribed_track_id';

/** The part of livekit-client's TextStreamReader this module reads. */
export interface TextStreamReaderLike extends AsyncIterable<string> {
  readonly info: { readonly id: string; readonly attributes?: Record<string, string> | undefined };
}

export interface TranscriptionContext {
  /** The local participant's identity (the signed-in user's id). */
  localIdentity: string;
  /** The sid of the microphone track we published, once it is known. */
  localMicrophoneSid?: (() => string | undefined) | undefined;
}

/**
 * Reads one `lk.transcription` text stream and reports the segment's text as it grows.
 *
 * Two stream shapes arrive on the topic (agents-js 1.9):
 * - the user's speech-to-text: a fresh stream for every update of a segment, each carrying the
 *   whole text, with `lk.transcription_final` "false" on interim ones and "true" on the last;
 * - the agent's speech: one stream per segment whose chunks are increments, opened with
 *   `lk.transcription_final` "false" and simply closed when the segment ends (rtc-node's writer
 *   sends no trailer attributes).
 * So chunks accumulate within a stream and the store replaces the segment's text per stream; the
 * header's (or trailer's) "true" makes a segment final, and a stream's close does too when the
 * sender declared no finality or when it is the assistant's own (incremental) stream. An
 * abnormal end keeps what arrived as the final text.
 */
export async function readTranscriptionStream(
  reader: TextStreamReaderLike,
  sender: { identity: string },
  context: TranscriptionContext,
  onUpdate: (update: SegmentUpdate) => void,
): Promise<void> {
  const segmentId = reader.info.attributes?.[ATTRIBUTE_SEGMENT_ID] || reader.info.id;
  const speaker = speakerOf(reader, sender, context);
  const base = {
    participantIdentity: sender.identity,
    speaker,
    segmentId,
    streamId: reader.info.id,
  };
  let text = '';
  try {
    for await (const chunk of reader) {
      text += chunk;
      onUpdate({ ...base, text, final: declaredFinal(reader) ?? false });
    }
  } catch {
    onUpdate({ ...base, text, final: true });
    return;
  }
  // Trailer attributes (when a sender sends them) are merged into info by livekit-client.
  const declared = declaredFinal(reader);
  onUpdate({
    ...base,
    text,
    final: declared === true || declared === undefined || speaker === 'assistant',
  });
}

function declaredFinal(reader: TextStreamReaderLike): boolean | undefined {
  const raw = reader.info.attributes?.[ATTRIBUTE_TRANSCRIPTION_FINAL];
  if (raw === undefined) return undefined;
  return raw === 'true' || raw === '1';
}

function speakerOf(
  reader: TextStreamReaderLike,
  sender: { identity: string },
  context: TranscriptionContext,
): Speaker {
  if (sender.identity === context.localIdentity) return 'user';
  const track = reader.info.attributes?.[ATTRIBUTE_TRANSCRIBED_TRACK_ID];
  if (track && track === context.localMicrophoneSid?.()) return 'user';
  return 'assistant';
}
