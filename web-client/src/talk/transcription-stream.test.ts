import { describe, expect, it } from 'vitest';
import type { SegmentUpdate } from './transcript-store.ts';
import { type TextStreamReaderLike, readTranscriptionStream } from './transcription-stream.ts';

/** A text stream as livekit-client hands it over: info (attributes may be updated by a trailer) and chunks. */
function stream(
  id: string,
  attributes: Record<string, string> | undefined,
  chunks: string[],
  options: { trailer?: Record<string, string>; failAfter?: number } = {},
): TextStreamReaderLike {
  const info: { id: string; attributes?: Record<string, string> } = attributes
    ? { id, attributes }
    : { id };
  return {
    info,
    // Each chunk is handed over as a promise, as off the network; the generator awaits it.
    async *[Symbol.asyncIterator]() {
      for (const [index, chunk] of chunks.entries()) {
        if (options.failAfter === index) throw new Error('Data stream closed abnormally');
        yield Promise.resolve(chunk);
      }
      if (options.failAfter === chunks.length) throw new Error('Data stream closed abnormally');
      if (options.trailer) info.attributes = { ...info.attributes, ...options.trailer };
    },
  };
}

async function read(
  reader: TextStreamReaderLike,
  identity: string,
  localMicrophoneSid?: string,
): Promise<SegmentUpdate[]> {
  const updates: SegmentUpdate[] = [];
  await readTranscriptionStream(
    reader,
    { identity },
    { localIdentity: 'usr_me', localMicrophoneSid: () => localMicrophoneSid },
    (u) => updates.push(u),
  );
  return updates;
}

describe('readTranscriptionStream (agents-js 1.9 stream shapes)', () => {
  it("reads the user's interim speech-to-text stream as interim, whole text per stream", async () => {
    const updates = await read(
      stream(
        'ST_1',
        {
          'lk.segment_id': 'SG_1',
          'lk.transcription_final': 'false',
          'lk.transcribed_track_id': 'TR_mic',
        },
        ['what time is it'],
      ),
      'usr_me',
    );
    expect(updates.at(-1)).toEqual({
      participantIdentity: 'usr_me',
      speaker: 'user',
      segmentId: 'SG_1',
      streamId: 'ST_1',
      text: 'what time is it',
      final: false,
    });
  });

  it("reads the user's final stream as final", async () => {
    const updates = await read(
      stream('ST_2', { 'lk.segment_id': 'SG_1', 'lk.transcription_final': 'true' }, [
        'What time is it?',
      ]),
      'usr_me',
    );
    expect(updates.at(-1)).toMatchObject({
      speaker: 'user',
      text: 'What time is it?',
      final: true,
    });
  });

  it("accumulates the assistant's incremental stream and makes it final when the stream closes", async () => {
    const updates = await read(
      stream('ST_3', { 'lk.segment_id': 'SG_9', 'lk.transcription_final': 'false' }, [
        'It is ',
        'half past ',
        'nine.',
      ]),
      'agent-xyz',
    );
    expect(updates.map((u) => [u.text, u.final])).toEqual([
      ['It is ', false],
      ['It is half past ', false],
      ['It is half past nine.', false],
      ['It is half past nine.', true],
    ]);
    expect(updates.every((u) => u.speaker === 'assistant' && u.segmentId === 'SG_9')).toBe(true);
  });

  it('honours finality sent in a stream trailer', async () => {
    const updates = await read(
      stream('ST_4', { 'lk.segment_id': 'SG_2', 'lk.transcription_final': 'false' }, ['ok'], {
        trailer: { 'lk.transcription_final': 'true' },
      }),
      'usr_me',
    );
    expect(updates.at(-1)).toMatchObject({ text: 'ok', final: true });
  });

  it('keeps an interim user stream interim when it closes (the final comes in its own stream)', async () => {
    const updates = await read(
      stream('ST_5', { 'lk.segment_id': 'SG_3', 'lk.transcription_final': 'false' }, ['hel', 'lo']),
      'usr_me',
    );
    expect(updates.at(-1)).toMatchObject({ text: 'hello', final: false });
  });

  it('uses the stream id as segment when none is given, and closing makes it final', async () => {
    const updates = await read(stream('ST_6', undefined, ['plain text']), 'someone');
    expect(updates.at(-1)).toMatchObject({ segmentId: 'ST_6', speaker: 'assistant', final: true });
  });

  it('attributes a stream to the user by the transcribed track when the sender identity differs', async () => {
    const updates = await read(
      stream('ST_7', { 'lk.segment_id': 'SG_4', 'lk.transcribed_track_id': 'TR_mine' }, ['hi']),
      'agent-xyz',
      'TR_mine',
    );
    expect(updates.at(-1)?.speaker).toBe('user');
  });

  it('keeps what arrived as final when the stream ends abnormally', async () => {
    const updates = await read(
      stream(
        'ST_8',
        { 'lk.segment_id': 'SG_5', 'lk.transcription_final': 'false' },
        ['I was', ' saying', ' more'],
        { failAfter: 2 },
      ),
      'agent-xyz',
    );
    expect(updates.at(-1)).toMatchObject({ text: 'I was saying', final: true });
  });
});
