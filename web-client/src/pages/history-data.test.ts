import { describe, expect, it } from 'vitest';
import {
  type HistoryPage,
  type SessionItem,
  TranscriptIndex,
  sessionTime,
  statusLabel,
  wasJoined,
} from './history-data.ts';

const session = (over: Partial<SessionItem>): SessionItem => ({
  id: 's1',
  user_id: 'u1',
  room_name: 'attune-1',
  status: 'ended',
  issued_at: '2025-11-03T10:00:00.000Z',
  session_start: '2025-11-03T10:00:02.000Z',
  session_end: '2025-11-03T10:04:14.000Z',
  duration_seconds: 252,
  end_reason: 'participant_left',
  ...over,
});

describe('sessions', () => {
  it('tells joined sessions from tokens nobody used', () => {
    expect(wasJoined(session({ status: 'ended' }))).toBe(true);
    expect(wasJoined(session({ status: 'active' }))).toBe(true);
    expect(wasJoined(session({ status: 'issued' }))).toBe(false);
    expect(wasJoined(session({ status: 'expired' }))).toBe(false);
  });

  it('labels statuses and dates a session by its start, else its token', () => {
    expect(statusLabel('active')).toBe('In progress');
    expect(statusLabel('expired')).toBe('Never joined');
    expect(statusLabel('issued')).toBe('Not joined yet');
    expect(sessionTime(session({}))).toBe('2025-11-03T10:00:02.000Z');
    expect(sessionTime(session({ session_start: null }))).toBe('2025-11-03T10:00:00.000Z');
  });
});

describe('TranscriptIndex', () => {
  const turn = (text: string) => ({
    role: 'user' as const,
    text,
    created_at: '2025-11-03T10:00:05.000Z',
  });
  const pages: Record<string, HistoryPage> = {
    first: {
      history: [
        { session_id: 'a', started_at: '', turns: [turn('a1'), turn('a2')] },
        { session_id: null, started_at: '', turns: [turn('loose')] },
      ],
      next_cursor: 'c2',
    },
    c2: { history: [{ session_id: 'b', started_at: '', turns: [turn('b1')] }], next_cursor: null },
  };

  function index() {
    const calls: (string | undefined)[] = [];
    const transcripts = new TranscriptIndex((cursor) => {
      calls.push(cursor);
      return Promise.resolve(pages[cursor ?? 'first']!);
    });
    return { transcripts, calls };
  }

  it('loads pages only until the session turns up', async () => {
    const { transcripts, calls } = index();
    expect(transcripts.peek('a')).toBeUndefined();
    expect((await transcripts.find('a')).map((t) => t.text)).toEqual(['a1', 'a2']);
    expect(calls).toEqual([undefined]);
    expect((await transcripts.find('b')).map((t) => t.text)).toEqual(['b1']);
    expect(calls).toEqual([undefined, 'c2']);
    expect(transcripts.peek('a')).toHaveLength(2);
  });

  it('answers empty for a session without turns once every page is read', async () => {
    const { transcripts, calls } = index();
    expect(await transcripts.find('never')).toEqual([]);
    expect(calls).toEqual([undefined, 'c2']);
    expect(transcripts.complete).toBe(true);
    expect(transcripts.peek('never')).toEqual([]);
    expect(await transcripts.find('other')).toEqual([]);
    expect(calls).toHaveLength(2);
  });

  it('shares one request between two lookups at once, and starts over after reset', async () => {
    const { transcripts, calls } = index();
    await Promise.all([transcripts.find('a'), transcripts.find('a')]);
    expect(calls).toEqual([undefined]);
    transcripts.reset();
    expect(transcripts.peek('a')).toBeUndefined();
    await transcripts.find('a');
    expect(calls).toEqual([undefined, undefined]);
  });
});
