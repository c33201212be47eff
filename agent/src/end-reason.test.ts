import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EndReason } from '@attune/contract';
import { type DisconnectReasons, type EndReasonSources, trackEndReason } from './end-reason.ts';

// LiveKit's DisconnectReason values (rtc-node), as job.ts hands them over.
const CLIENT_INITIATED = 1;
const PARTICIPANT_REMOVED = 4;
const ROOM_DELETED = 5;
const SIGNAL_CLOSE = 9;
const CONNECTION_TIMEOUT = 14;
const REASONS: DisconnectReasons = {
  roomDeleted: ROOM_DELETED,
  closedByFramework: new Set([CLIENT_INITIATED]),
  endNow: new Set([PARTICIPANT_REMOVED]),
};
const WINDOW_MS = 20_000;

/** The room's and the worker's events, as a LiveKit job would emit them. */
function fakeJobEvents() {
  const room = new EventEmitter();
  const sources: EndReasonSources = {
    onRoomDisconnected: (l) => room.on('disconnected', l),
    onParticipantDisconnected: (l) => room.on('participantDisconnected', l),
    onParticipantConnected: (l) => room.on('participantConnected', l),
    onShutdownRequest: (l) => room.on('shutdownRequest', l),
  };
  return { room, sources };
}

function track() {
  const { room, sources } = fakeJobEvents();
  const ended: EndReason[] = [];
  const tracker = trackEndReason({
    identity: 'user-1',
    sources,
    reasons: REASONS,
    reconnectWindowMs: WINDOW_MS,
    endConversation: (reason) => ended.push(reason),
  });
  return { room, tracker, ended };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('why a conversation ended', () => {
  it('is the job shutting down when the worker asked the job to stop, not the user', () => {
    const { room, tracker } = track();
    room.emit('shutdownRequest');
    // The framework then closes the session as "user_initiated".
    expect(tracker.reasonFor('user_initiated')).toBe('job_shutdown');
  });

  it('is the room being deleted, whichever of the two signals comes first', () => {
    const first = track();
    first.room.emit('disconnected', ROOM_DELETED);
    expect(first.tracker.reasonFor('user_initiated')).toBe('room_deleted');
    const second = track();
    second.room.emit('participantDisconnected', 'user-1', ROOM_DELETED);
    expect(second.tracker.reasonFor('participant_disconnected')).toBe('room_deleted');
  });

  it('is what the framework says when nothing else happened', () => {
    const { room, tracker } = track();
    room.emit('participantDisconnected', 'user-1', CLIENT_INITIATED);
    expect(tracker.reasonFor('participant_disconnected')).toBe('participant_disconnected');
    expect(track().tracker.reasonFor('user_initiated')).toBe('user_initiated');
    expect(track().tracker.reasonFor('something new')).toBe('user_initiated');
  });

  it('ends the conversation once a dropped participant has not come back within the window', () => {
    vi.useFakeTimers();
    const { room, tracker, ended } = track();
    room.emit('participantDisconnected', 'user-1', CONNECTION_TIMEOUT);
    vi.advanceTimersByTime(WINDOW_MS - 1);
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ended).toEqual(['participant_gone']);
    expect(tracker.reasonFor('user_initiated')).toBe('participant_gone');
  });

  it('keeps the conversation when the participant comes back in time', () => {
    vi.useFakeTimers();
    const { room, ended } = track();
    room.emit('participantDisconnected', 'user-1', SIGNAL_CLOSE);
    vi.advanceTimersByTime(WINDOW_MS / 2);
    room.emit('participantConnected', 'user-1');
    vi.advanceTimersByTime(WINDOW_MS * 2);
    expect(ended).toEqual([]);
  });

  it('ends it at once when an administrator removed the participant', () => {
    const { room, ended } = track();
    room.emit('participantDisconnected', 'user-1', PARTICIPANT_REMOVED);
    expect(ended).toEqual(['participant_disconnected']);
  });

  it('ignores other participants, and stops its timer once disposed', () => {
    vi.useFakeTimers();
    const { room, tracker, ended } = track();
    room.emit('participantDisconnected', 'someone-else', CONNECTION_TIMEOUT);
    room.emit('participantDisconnected', 'user-1', CONNECTION_TIMEOUT);
    tracker.dispose();
    vi.advanceTimersByTime(WINDOW_MS * 2);
    expect(ended).toEqual([]);
  });
});
