import {
  ConnectionError,
  ConnectionState,
  DisconnectReason,
  ParticipantKind,
  RoomEvent,
} from 'livekit-client';
import { describe, expect, it } from 'vitest';
import { AuthApiError, type RoomAccess } from '../api/auth-api.ts';
import {
  type LevelMeter,
  type ParticipantLike,
  TalkController,
  type TalkDependencies,
} from './talk-controller.ts';
import type { TextStreamReaderLike } from './transcription-stream.ts';

/** The microphone as livekit-client's LocalAudioTrack behaves for the controller. */
class StandInMic {
  sid: string | undefined;
  isMuted = false;
  stopped = 0;
  mute(): Promise<void> {
    this.isMuted = true;
    return Promise.resolve();
  }
  unmute(): Promise<void> {
    this.isMuted = false;
    return Promise.resolve();
  }
  stop() {
    this.stopped += 1;
  }
}

interface StandInTrack {
  kind: string;
  sid: string;
}

/**
 * A stand-in for livekit-client's Room and the LiveKit server behind it: the same event names
 * and methods the controller uses; the test plays the server's part by emitting events.
 */
class StandInRoom {
  name = '';
  canPlaybackAudio = true;
  readonly remoteParticipants = new Map<string, ParticipantLike>();
  readonly published: StandInMic[] = [];
  readonly connectCalls: [string, string][] = [];
  disconnectCalls: (boolean | undefined)[] = [];
  startAudioCalls = 0;
  connectOutcome: Promise<void> = Promise.resolve();
  readonly textHandlers = new Map<
    string,
    (reader: TextStreamReaderLike, participant: { identity: string }) => void
  >();
  readonly #listeners = new Map<string, ((...args: never[]) => void)[]>();
  readonly localParticipant = {
    identity: 'usr_me',
    publishTrack: (track: StandInMic): Promise<void> => {
      track.sid = 'TR_mic';
      this.published.push(track);
      return Promise.resolve();
    },
  };

  on(event: string, listener: (...args: never[]) => void): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return this;
  }

  emit(event: RoomEvent, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(event) ?? [])
      (listener as (...a: unknown[]) => void)(...args);
  }

  async connect(url: string, token: string): Promise<void> {
    this.connectCalls.push([url, token]);
    await this.connectOutcome;
  }

  disconnect(stopTracks?: boolean): Promise<void> {
    this.disconnectCalls.push(stopTracks);
    return Promise.resolve();
  }

  startAudio(): Promise<void> {
    this.startAudioCalls += 1;
    return Promise.resolve();
  }

  registerTextStreamHandler(
    topic: string,
    handler: (reader: TextStreamReaderLike, participant: { identity: string }) => void,
  ): void {
    this.textHandlers.set(topic, handler);
  }

  /** The server tells the client a participant joined. */
  join(participant: ParticipantLike): void {
    this.remoteParticipants.set(participant.identity, participant);
    this.emit(RoomEvent.ParticipantConnected, participant);
  }
}

const ACCESS: RoomAccess = {
  livekit_token: 'jwt-for-room',
  livekit_url: 'ws://127.0.0.1:7880',
  room_name: 'attune-room-1',
  session_id: 'ses_0123456789',
  expires_at: '2030-01-01T00:00:00.000Z',
};

const agent = (state?: string): ParticipantLike => ({
  identity: 'agent-AJ_1',
  kind: ParticipantKind.AGENT,
  attributes: state ? { 'lk.agent.state': state } : {},
});

function setup(
  options: { mic?: () => Promise<StandInMic>; access?: () => Promise<RoomAccess> } = {},
) {
  const mic = new StandInMic();
  const room = new StandInRoom();
  const meters: { track: unknown; stopped: number }[] = [];
  const timers = new Map<number, { at: number; run: () => void }>();
  const attached: { track: StandInTrack; detached: boolean }[] = [];
  let now = 0;
  let nextTimer = 1;
  const calls: string[] = [];
  const deps: TalkDependencies<StandInMic, StandInTrack> = {
    createMicrophone: async () => {
      calls.push('microphone');
      return options.mic ? options.mic() : mic;
    },
    requestRoomAccess: async () => {
      calls.push('token');
      return options.access ? options.access() : ACCESS;
    },
    createRoom: () => {
      calls.push('room');
      return room;
    },
    createLevelMeter: (track) => {
      const meter = { track, stopped: 0 };
      meters.push(meter);
      return { level: () => 0.5, stop: () => (meter.stopped += 1) } satisfies LevelMeter;
    },
    attachAgentAudio: (track) => {
      const entry = { track, detached: false };
      attached.push(entry);
      return () => (entry.detached = true);
    },
    setTimeout: (run, ms) => {
      const id = nextTimer++;
      timers.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout: (id) => timers.delete(id as number),
    agentJoinTimeoutMs: 20_000,
  };
  const controller = new TalkController(deps);
  return {
    controller,
    mic,
    room,
    meters,
    attached,
    calls,
    /** Moves the clock, running the timers that come due. */
    advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(id);
          timer.run();
        }
      }
    },
    pendingTimers: () => timers.size,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('TalkController start', () => {
  it('opens the microphone, gets a token, connects, publishes the microphone and starts audio, in that order', async () => {
    const t = setup();
    await t.controller.start();
    expect(t.calls).toEqual(['microphone', 'token', 'room']);
    expect(t.room.connectCalls).toEqual([['ws://127.0.0.1:7880', 'jwt-for-room']]);
    expect(t.room.published).toEqual([t.mic]);
    expect(t.room.startAudioCalls).toBe(1);
    expect(t.controller.snapshot).toMatchObject({
      phase: 'live',
      connection: 'connected',
      agent: { present: false },
      room: {
        name: 'attune-room-1',
        sessionId: 'ses_0123456789',
        livekitUrl: 'ws://127.0.0.1:7880',
      },
      talkedBefore: true,
    });
    expect(t.controller.micLevel()).toBe(0.5);
  });

  it('never asks for a token when the microphone is refused', async () => {
    const t = setup({
      mic: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')),
    });
    await t.controller.start();
    expect(t.calls).toEqual(['microphone']);
    expect(t.controller.snapshot).toMatchObject({
      phase: 'idle',
      connection: 'disconnected',
      problem: { kind: 'microphone-denied' },
    });
  });

  it('releases the microphone when the service refuses a token', async () => {
    const t = setup({
      access: () => Promise.reject(new AuthApiError(409, 'session_limit', 'End one first')),
    });
    await t.controller.start();
    expect(t.mic.stopped).toBe(1);
    expect(t.meters[0]?.stopped).toBe(1);
    expect(t.controller.snapshot).toMatchObject({
      phase: 'idle',
      problem: { kind: 'session-limit', message: 'End one first' },
    });
  });

  it('reports an unreachable LiveKit server with its URL and releases everything', async () => {
    const t = setup();
    t.room.connectOutcome = Promise.reject(ConnectionError.serverUnreachable('Failed to fetch'));
    await t.controller.start();
    expect(t.controller.snapshot.problem?.message).toBe(
      'Could not reach the LiveKit server at ws://127.0.0.1:7880. Is livekit-server running? (`livekit-server --dev`)',
    );
    expect(t.controller.snapshot.phase).toBe('idle');
    expect(t.mic.stopped).toBe(1);
    expect(t.meters[0]?.stopped).toBe(1);
    expect(t.room.disconnectCalls).toHaveLength(1);
    expect(t.pendingTimers()).toBe(0);
  });

  it('can be cancelled while connecting: nothing stays open', async () => {
    const t = setup();
    let finishConnect!: () => void;
    t.room.connectOutcome = new Promise((resolve) => (finishConnect = resolve));
    const started = t.controller.start();
    await flush();
    expect(t.controller.snapshot).toMatchObject({
      phase: 'starting',
      step: 'connecting',
      connection: 'connecting',
    });
    await t.controller.hangUp();
    finishConnect();
    await started;
    expect(t.controller.snapshot).toMatchObject({ phase: 'idle', connection: 'disconnected' });
    expect(t.controller.snapshot.problem).toBeUndefined();
    expect(t.room.published).toEqual([]);
    expect(t.mic.stopped).toBeGreaterThanOrEqual(1);
    expect(t.room.disconnectCalls.length).toBeGreaterThanOrEqual(1);
    expect(t.pendingTimers()).toBe(0);
  });
});

describe('TalkController waiting for the assistant', () => {
  it('gives up with a clear message when no agent joins within the timeout, and releases the microphone', async () => {
    const t = setup();
    await t.controller.start();
    t.room.join({ identity: 'usr_other', kind: ParticipantKind.STANDARD, attributes: {} }); // not an agent
    t.advance(19_999);
    expect(t.controller.snapshot.phase).toBe('live');
    t.advance(1);
    await flush();
    expect(t.controller.snapshot).toMatchObject({
      phase: 'idle',
      connection: 'disconnected',
      problem: {
        kind: 'agent-timeout',
        message: 'The assistant did not join within 20 s. Is the agent running (`pnpm agent`)?',
        retry: true,
      },
    });
    expect(t.mic.stopped).toBe(1);
    expect(t.room.disconnectCalls).toEqual([true]);
  });

  it('does not fire when the agent joins in time, and follows its state attribute', async () => {
    const t = setup();
    await t.controller.start();
    t.advance(5_000);
    t.room.join(agent('initializing'));
    expect(t.controller.snapshot.agent).toEqual({ present: true, state: 'initializing' });
    expect(t.pendingTimers()).toBe(0);
    const joined = agent('listening');
    t.room.remoteParticipants.set(joined.identity, joined);
    t.room.emit(RoomEvent.ParticipantAttributesChanged, { 'lk.agent.state': 'listening' }, joined);
    expect(t.controller.snapshot.agent).toEqual({ present: true, state: 'listening' });
    t.advance(60_000);
    expect(t.controller.snapshot).toMatchObject({
      phase: 'live',
      agent: { present: true, state: 'listening' },
    });
    expect(t.controller.snapshot.problem).toBeUndefined();
    expect(t.pendingTimers()).toBe(0);
  });

  it('needs no wait when the agent is already in the room', async () => {
    const t = setup();
    t.room.remoteParticipants.set('agent-AJ_1', agent('listening'));
    await t.controller.start();
    expect(t.controller.snapshot.agent).toEqual({ present: true, state: 'listening' });
    expect(t.pendingTimers()).toBe(0);
  });
});

describe('TalkController in a conversation', () => {
  it('waits again when the assistant leaves an open room, and says so if it does not come back', async () => {
    const t = setup();
    await t.controller.start();
    const a = agent('listening');
    t.room.join(a);
    t.room.remoteParticipants.delete(a.identity);
    t.room.emit(RoomEvent.ParticipantDisconnected, a);
    expect(t.controller.snapshot.agent).toEqual({ present: false });
    t.advance(20_000);
    await flush();
    expect(t.controller.snapshot).toMatchObject({
      phase: 'idle',
      problem: {
        kind: 'agent-timeout',
        title: 'The assistant left the conversation',
        message:
          'The assistant left and did not come back within 20 s. Is the agent still running (`pnpm agent`)?',
      },
    });
    expect(t.mic.stopped).toBe(1);
  });

  it('shows reconnecting while livekit-client reconnects, and recovers', async () => {
    const t = setup();
    await t.controller.start();
    t.room.join(agent('listening'));
    t.room.emit(RoomEvent.SignalReconnecting);
    expect(t.controller.snapshot.connection).toBe('reconnecting');
    t.room.emit(RoomEvent.Reconnected);
    expect(t.controller.snapshot.connection).toBe('connected');
    t.room.emit(RoomEvent.Reconnecting);
    t.room.emit(RoomEvent.ConnectionStateChanged, ConnectionState.Reconnecting);
    expect(t.controller.snapshot).toMatchObject({ phase: 'live', connection: 'reconnecting' });
    t.room.emit(RoomEvent.ConnectionStateChanged, ConnectionState.Connected);
    expect(t.controller.snapshot).toMatchObject({ phase: 'live', connection: 'connected' });
    expect(t.mic.stopped).toBe(0);
  });

  it('pauses the agent wait while reconnecting and resumes it after', async () => {
    const t = setup();
    await t.controller.start();
    t.room.emit(RoomEvent.Reconnecting);
    t.advance(30_000);
    expect(t.controller.snapshot.phase).toBe('live');
    t.room.emit(RoomEvent.Reconnected);
    t.advance(20_000);
    await flush();
    expect(t.controller.snapshot.problem?.kind).toBe('agent-timeout');
  });

  it('says why when the connection is lost for good, and releases the microphone', async () => {
    const t = setup();
    await t.controller.start();
    t.room.join(agent('listening'));
    t.room.emit(RoomEvent.Reconnecting);
    t.room.emit(RoomEvent.Disconnected, DisconnectReason.SIGNAL_CLOSE);
    await flush();
    expect(t.controller.snapshot).toMatchObject({
      phase: 'idle',
      connection: 'disconnected',
      problem: { title: 'The connection was lost', retry: true },
    });
    expect(t.mic.stopped).toBe(1);
  });

  it('ends calmly when the assistant closes the room', async () => {
    const t = setup();
    await t.controller.start();
    t.room.join(agent('listening'));
    t.room.emit(RoomEvent.Disconnected, DisconnectReason.ROOM_DELETED);
    await flush();
    expect(t.controller.snapshot).toMatchObject({
      phase: 'idle',
      notice: 'The conversation ended.',
      talkedBefore: true,
    });
    expect(t.controller.snapshot.problem).toBeUndefined();
  });

  it("plays and meters the assistant's audio track", async () => {
    const t = setup();
    await t.controller.start();
    const a = agent('speaking');
    t.room.join(a);
    const track = { kind: 'audio', sid: 'TR_agent' };
    t.room.emit(RoomEvent.TrackSubscribed, track, {}, a);
    expect(t.attached).toEqual([{ track, detached: false }]);
    expect(t.meters.map((m) => m.track)).toEqual([t.mic, track]);
    expect(t.controller.agentLevel()).toBe(0.5);
    t.room.emit(RoomEvent.TrackUnsubscribed, track, {}, a);
    expect(t.attached[0]?.detached).toBe(true);
    expect(t.meters[1]?.stopped).toBe(1);
    expect(t.controller.agentLevel()).toBe(0);
  });

  it('hang-up leaves the room and releases the microphone and both analysers', async () => {
    const t = setup();
    await t.controller.start();
    const a = agent('listening');
    t.room.join(a);
    t.room.emit(RoomEvent.TrackSubscribed, { kind: 'audio', sid: 'TR_agent' }, {}, a);
    await t.controller.hangUp();
    expect(t.room.disconnectCalls).toEqual([true]);
    expect(t.mic.stopped).toBe(1);
    expect(t.meters.map((m) => m.stopped)).toEqual([1, 1]);
    expect(t.attached[0]?.detached).toBe(true);
    expect(t.controller.snapshot).toMatchObject({
      phase: 'idle',
      connection: 'disconnected',
      agent: { present: false },
      talkedBefore: true,
    });
    expect(t.controller.snapshot.problem).toBeUndefined();
    expect(t.controller.micLevel()).toBe(0);
    // Our own disconnect's event changes nothing.
    t.room.emit(RoomEvent.Disconnected, DisconnectReason.CLIENT_INITIATED);
    expect(t.controller.snapshot.problem).toBeUndefined();
    expect(t.pendingTimers()).toBe(0);
  });

  it('mutes and unmutes the microphone', async () => {
    const t = setup();
    await t.controller.start();
    await t.controller.toggleMute();
    expect(t.mic.isMuted).toBe(true);
    expect(t.controller.snapshot.muted).toBe(true);
    expect(t.controller.micLevel()).toBe(0);
    await t.controller.toggleMute();
    expect(t.mic.isMuted).toBe(false);
    expect(t.controller.snapshot.muted).toBe(false);
  });

  it('folds lk.transcription streams of both sides into the transcript', async () => {
    const t = setup();
    await t.controller.start();
    const handler = t.room.textHandlers.get('lk.transcription');
    expect(handler).toBeDefined();
    const reader = (
      id: string,
      attributes: Record<string, string>,
      chunks: string[],
    ): TextStreamReaderLike => ({
      info: { id, attributes },
      // Each chunk is handed over as a promise, as off the network; the generator awaits it.
      async *[Symbol.asyncIterator]() {
        for (const chunk of chunks) yield Promise.resolve(chunk);
      },
    });
    handler!(
      reader('ST_1', { 'lk.segment_id': 'SG_u', 'lk.transcription_final': 'false' }, ['hello']),
      { identity: 'usr_me' },
    );
    await flush();
    handler!(
      reader('ST_2', { 'lk.segment_id': 'SG_a', 'lk.transcription_final': 'false' }, [
        'Hi ',
        'Ada!',
      ]),
      { identity: 'agent-AJ_1' },
    );
    handler!(
      reader('ST_3', { 'lk.segment_id': 'SG_u', 'lk.transcription_final': 'true' }, ['Hello.']),
      { identity: 'usr_me' },
    );
    await flush();
    expect(t.controller.snapshot.transcript.map((l) => [l.speaker, l.text, l.final])).toEqual([
      ['user', 'Hello.', true],
      ['assistant', 'Hi Ada!', true],
    ]);
    // The last conversation stays readable after hang-up; the next one starts empty.
    await t.controller.hangUp();
    expect(t.controller.snapshot.transcript).toHaveLength(2);
    await t.controller.start();
    expect(t.controller.snapshot.transcript).toEqual([]);
  });
});
