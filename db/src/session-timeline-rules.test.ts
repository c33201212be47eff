import { describe, expect, it } from 'vitest';
import type { SessionTimeline } from './queries/session-timeline.ts';
import { type TimelineEvent, applyTimelineEvent } from './session-timeline-rules.ts';

const ISSUED: SessionTimeline = {
  sessionStart: null,
  lastJoinAt: null,
  sessionEnd: null,
  durationSeconds: null,
  status: 'issued',
  endReason: null,
  endSource: null,
};

const fold = (events: TimelineEvent[], start: SessionTimeline = ISSUED) =>
  events.reduce(applyTimelineEvent, start);

/** Every order of `items` (fine for the handful of events a session has). */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

const joined = (s: number): TimelineEvent => ({ type: 'joined', joinedAtMs: s * 1000 });
const left = (joinedS: number, leftS: number, reason = 'participant_left'): TimelineEvent => ({
  type: 'left',
  joinedAtMs: joinedS * 1000,
  leftAtMs: leftS * 1000,
  reason,
});

describe('applyTimelineEvent', () => {
  it('starts a session at the join and ends it at the leave', () => {
    expect(fold([joined(100)])).toMatchObject({
      status: 'active',
      sessionStart: 100_000,
      sessionEnd: null,
    });
    expect(fold([joined(100), left(100, 163)])).toEqual({
      sessionStart: 100_000,
      lastJoinAt: 100_000,
      sessionEnd: 163_000,
      durationSeconds: 63,
      status: 'ended',
      endReason: 'participant_left',
      endSource: 'livekit',
    });
  });

  it('gives the same result for a leave that arrives before its join', () => {
    expect(fold([left(100, 163), joined(100)])).toEqual(fold([joined(100), left(100, 163)]));
  });

  it('spans a quick reconnect from the first join to the last leave, in any order and with repeats', () => {
    const events = [
      joined(100),
      left(100, 130),
      joined(131),
      left(131, 200, 'participant_connection_aborted'),
    ];
    const inOrder = fold(events);
    expect(inOrder).toMatchObject({
      sessionStart: 100_000,
      sessionEnd: 200_000,
      durationSeconds: 100,
      status: 'ended',
      endReason: 'participant_connection_aborted',
    });
    for (const order of permutations(events)) expect(fold(order)).toEqual(inOrder);
    expect(fold([...events, ...events.slice().reverse()])).toEqual(inOrder);
  });

  it('keeps a reconnected session open when only the earlier connection’s leave is known, in any order', () => {
    // LiveKit often drops the old connection only after the new one joined (duplicate identity).
    const overlapping = [joined(100), joined(131), left(100, 135)];
    for (const order of permutations(overlapping)) {
      expect(fold(order)).toEqual({
        sessionStart: 100_000,
        lastJoinAt: 131_000,
        sessionEnd: null,
        durationSeconds: null,
        status: 'active',
        endReason: null,
        endSource: null,
      });
    }
    const ended = fold([...overlapping, left(131, 200)]);
    for (const order of permutations([...overlapping, left(131, 200)]))
      expect(fold(order)).toEqual(ended);
    expect(ended).toMatchObject({
      status: 'ended',
      sessionStart: 100_000,
      sessionEnd: 200_000,
      durationSeconds: 100,
    });
  });

  it('puts a leave stamped within its join’s second at the join, in either order', () => {
    const join: TimelineEvent = { type: 'joined', joinedAtMs: 100_750 };
    const leave: TimelineEvent = {
      type: 'left',
      joinedAtMs: 100_750,
      leftAtMs: 100_000,
      reason: 'participant_connection_aborted',
    };
    expect(fold([join, leave])).toEqual(fold([leave, join]));
    expect(fold([join, leave])).toMatchObject({
      status: 'ended',
      sessionStart: 100_750,
      sessionEnd: 100_750,
      durationSeconds: 0,
    });
  });

  it('ends what is still open when the room finishes, and lets a later leave correct it', () => {
    const finished: TimelineEvent = { type: 'room_finished', finishedAtMs: 300_000 };
    expect(fold([joined(100), finished])).toMatchObject({
      status: 'ended',
      sessionEnd: 300_000,
      durationSeconds: 200,
      endReason: 'room_finished',
    });
    expect(fold([joined(100), finished, left(100, 250)])).toMatchObject({
      sessionEnd: 250_000,
      durationSeconds: 150,
      endReason: 'participant_left',
    });
    expect(fold([finished])).toEqual(ISSUED);
  });

  it('does not let an earlier instance of the room end a session that joined after it finished', () => {
    const earlierInstanceFinished: TimelineEvent = { type: 'room_finished', finishedAtMs: 90_000 };
    expect(fold([joined(100), earlierInstanceFinished])).toMatchObject({
      status: 'active',
      sessionEnd: null,
    });
  });

  it('replaces an end the agent recorded with LiveKit’s leave', () => {
    const endedByAgent: SessionTimeline = {
      sessionStart: 101_000,
      lastJoinAt: null, // the agent's own sighting is not a LiveKit join
      sessionEnd: 170_000,
      durationSeconds: 69,
      status: 'ended',
      endReason: 'user_initiated',
      endSource: 'agent',
    };
    expect(fold([joined(100), left(100, 163)], endedByAgent)).toMatchObject({
      sessionStart: 100_000,
      sessionEnd: 163_000,
      durationSeconds: 63,
      endSource: 'livekit',
      endReason: 'participant_left',
    });
  });

  it('keeps a session an admin terminated ended, whatever LiveKit reports afterwards', () => {
    const terminated: SessionTimeline = {
      sessionStart: 100_000,
      lastJoinAt: 100_000,
      sessionEnd: 150_000,
      durationSeconds: 50,
      status: 'ended',
      endReason: 'terminated',
      endSource: 'admin',
    };
    for (const events of [[joined(160)], [left(100, 170)], [joined(160), left(160, 200)]]) {
      expect(fold(events, terminated)).toMatchObject({
        status: 'ended',
        sessionEnd: 150_000,
        endReason: 'terminated',
        endSource: 'admin',
      });
    }
  });

  it('revives a token the sweep marked unused when LiveKit says it joined', () => {
    const expired: SessionTimeline = {
      ...ISSUED,
      status: 'expired',
      endReason: 'token_unused',
      endSource: 'sweep',
    };
    expect(fold([joined(100)], expired)).toEqual({
      ...ISSUED,
      status: 'active',
      sessionStart: 100_000,
      lastJoinAt: 100_000,
    });
  });
});
