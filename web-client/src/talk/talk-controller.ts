import { ConnectionState, type DisconnectReason, ParticipantKind, RoomEvent } from 'livekit-client';
import type { RoomAccess } from '../api/auth-api.ts';
import { type AgentState, agentStateOf } from './agent-state.ts';
import {
  type TalkProblem,
  type TalkStage,
  agentTimeoutProblem,
  describeDisconnect,
  describeTalkError,
} from './talk-errors.ts';
import { type TranscriptLine, TranscriptStore } from './transcript-store.ts';
import {
  TRANSCRIPTION_TOPIC,
  type TextStreamReaderLike,
  readTranscriptionStream,
} from './transcription-stream.ts';

/** How long the page waits for the assistant to join a room before it says so. */
export const DEFAULT_AGENT_JOIN_TIMEOUT_MS = 20_000;

/** The microphone as the controller uses it (livekit-client's LocalAudioTrack). */
export interface MicrophoneTrack {
  /** Set once the track is published. */
  readonly sid?: string | undefined;
  readonly isMuted: boolean;
  mute(): Promise<unknown>;
  unmute(): Promise<unknown>;
  stop(): void;
}

/** A subscribed remote track (livekit-client's RemoteTrack). */
export interface RemoteTrackLike {
  readonly kind: string;
}

/** A participant of the room (livekit-client's Participant). */
export interface ParticipantLike {
  readonly identity: string;
  readonly kind: ParticipantKind;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * The part of livekit-client's Room the controller drives. The page passes a real `Room`; the
 * tests pass a stand-in for the SFU side of it.
 */
export interface TalkRoom<Mic extends MicrophoneTrack, Remote extends RemoteTrackLike> {
  readonly name: string;
  readonly canPlaybackAudio: boolean;
  readonly remoteParticipants: ReadonlyMap<string, ParticipantLike>;
  readonly localParticipant: {
    readonly identity: string;
    publishTrack(track: Mic): Promise<unknown>;
  };
  connect(url: string, token: string): Promise<void>;
  disconnect(stopTracks?: boolean): Promise<void>;
  startAudio(): Promise<void>;
  registerTextStreamHandler(
    topic: string,
    handler: (reader: TextStreamReaderLike, participant: { identity: string }) => void,
  ): void;
  on(event: RoomEvent.ConnectionStateChanged, listener: (state: ConnectionState) => void): unknown;
  on(
    event: RoomEvent.Reconnecting | RoomEvent.SignalReconnecting | RoomEvent.Reconnected,
    listener: () => void,
  ): unknown;
  on(event: RoomEvent.Disconnected, listener: (reason?: DisconnectReason) => void): unknown;
  on(
    event: RoomEvent.ParticipantConnected | RoomEvent.ParticipantDisconnected,
    listener: (participant: ParticipantLike) => void,
  ): unknown;
  on(
    event: RoomEvent.ParticipantAttributesChanged,
    listener: (changed: Record<string, string>, participant: ParticipantLike) => void,
  ): unknown;
  on(
    event: RoomEvent.TrackSubscribed | RoomEvent.TrackUnsubscribed,
    listener: (track: Remote, publication: unknown, participant: ParticipantLike) => void,
  ): unknown;
  on(event: RoomEvent.AudioPlaybackStatusChanged, listener: (playing: boolean) => void): unknown;
}

/** A running audio level measurement (livekit-client's createAudioAnalyser). */
export interface LevelMeter {
  /** The current level, 0 (silence) to 1 (loud). */
  level(): number;
  stop(): unknown;
}

export interface TalkDependencies<Mic extends MicrophoneTrack, Remote extends RemoteTrackLike> {
  /** Opens the microphone (asks for permission). */
  createMicrophone(): Promise<Mic>;
  /** `POST /auth/token` as the signed-in user. */
  requestRoomAccess(): Promise<RoomAccess>;
  createRoom(): TalkRoom<Mic, Remote>;
  createLevelMeter(track: Mic | Remote): LevelMeter;
  /** Plays the assistant's audio; returns how to stop. */
  attachAgentAudio(track: Remote): () => void;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  agentJoinTimeoutMs?: number;
}

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

export interface TalkSnapshot {
  /** idle: no conversation; starting: microphone, token and connection; live: in the room. */
  phase: 'idle' | 'starting' | 'live';
  /** What `starting` is doing right now. */
  step?: 'microphone' | 'token' | 'connecting' | undefined;
  connection: ConnectionStatus;
  agent: { present: boolean; state?: AgentState | undefined };
  muted: boolean;
  /** The browser blocked playback until the user interacts (press "Start audio"). */
  audioBlocked: boolean;
  room?: { name: string; sessionId: string; livekitUrl: string } | undefined;
  problem?: TalkProblem | undefined;
  /** A calm message when the conversation ended normally. */
  notice?: string | undefined;
  transcript: readonly TranscriptLine[];
  /** Whether a conversation has happened on this page (the button then says "Talk again"). */
  talkedBefore: boolean;
}

const IDLE: TalkSnapshot = {
  phase: 'idle',
  connection: 'disconnected',
  agent: { present: false },
  muted: false,
  audioBlocked: false,
  transcript: [],
  talkedBefore: false,
};

/** One press of Talk: everything it acquired, so all of it can be released. */
interface Attempt<Mic extends MicrophoneTrack, Remote extends RemoteTrackLike> {
  ended: boolean;
  mic?: Mic;
  micMeter?: LevelMeter;
  room?: TalkRoom<Mic, Remote>;
  agentTimer?: unknown;
  /** An agent was here and left (the wait that follows says so). */
  agentLeft?: boolean;
  agentAudio?: { track: Remote; detach: () => void; meter: LevelMeter };
}

/**
 * The Talk flow as a state machine over a LiveKit room: microphone first (a refused microphone
 * never mints a session), then a room token from the auth service, then the connection, the
 * published microphone and the assistant's audio. It follows the connection through reconnects,
 * the assistant's state and the live transcript, gives up with a clear message when the
 * assistant does not join in time, and releases everything on hang-up.
 */
export class TalkController<Mic extends MicrophoneTrack, Remote extends RemoteTrackLike> {
  #snapshot: TalkSnapshot = IDLE;
  #attempt: Attempt<Mic, Remote> | undefined;
  readonly #transcript = new TranscriptStore();
  readonly #listeners = new Set<(snapshot: TalkSnapshot) => void>();
  readonly #agentJoinTimeoutMs: number;

  constructor(private readonly deps: TalkDependencies<Mic, Remote>) {
    this.#agentJoinTimeoutMs = deps.agentJoinTimeoutMs ?? DEFAULT_AGENT_JOIN_TIMEOUT_MS;
  }

  get snapshot(): TalkSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: (snapshot: TalkSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The microphone's level right now (0–1); 0 when muted or not talking. */
  micLevel(): number {
    return this.#snapshot.muted ? 0 : (this.#attempt?.micMeter?.level() ?? 0);
  }

  /** The assistant's audio level right now (0–1). */
  agentLevel(): number {
    return this.#attempt?.agentAudio?.meter.level() ?? 0;
  }

  /** Presses Talk. Resolves when the conversation is live or has failed (the snapshot tells which). */
  async start(): Promise<void> {
    if (this.#attempt) return;
    const attempt: Attempt<Mic, Remote> = { ended: false };
    this.#attempt = attempt;
    this.#transcript.clear();
    this.#set({
      ...IDLE,
      phase: 'starting',
      step: 'microphone',
      talkedBefore: this.#snapshot.talkedBefore,
    });

    let stage: TalkStage = 'microphone';
    let livekitUrl: string | undefined;
    try {
      const mic = await this.deps.createMicrophone();
      attempt.mic = mic;
      if (attempt.ended) return this.#release(attempt);
      attempt.micMeter = this.deps.createLevelMeter(mic);

      stage = 'token';
      this.#set({ step: 'token' });
      const access = await this.deps.requestRoomAccess();
      if (attempt.ended) return this.#release(attempt);
      livekitUrl = access.livekit_url;

      stage = 'connect';
      const room = this.deps.createRoom();
      attempt.room = room;
      this.#set({
        step: 'connecting',
        connection: 'connecting',
        room: {
          name: access.room_name,
          sessionId: access.session_id,
          livekitUrl: access.livekit_url,
        },
      });
      this.#listen(attempt, room);
      await room.connect(access.livekit_url, access.livekit_token);
      if (attempt.ended) return this.#release(attempt);

      stage = 'publish';
      await room.localParticipant.publishTrack(mic);
      if (attempt.ended) return this.#release(attempt);
      // The press of Talk is the user gesture that lets the page play the assistant's voice.
      await room.startAudio().catch(() => undefined);
      if (attempt.ended) return this.#release(attempt);

      this.#set({
        phase: 'live',
        step: undefined,
        connection: 'connected',
        talkedBefore: true,
        audioBlocked: !room.canPlaybackAudio,
      });
      for (const participant of room.remoteParticipants.values())
        this.#onParticipant(attempt, participant);
      if (!this.#snapshot.agent.present) this.#armAgentTimer(attempt);
    } catch (error) {
      if (attempt.ended) return;
      await this.#end(attempt, { problem: describeTalkError(error, { stage, livekitUrl }) });
    }
  }

  /** Hangs up (or cancels a start in progress): leaves the room and releases the microphone. */
  async hangUp(): Promise<void> {
    const attempt = this.#attempt;
    if (!attempt) return;
    await this.#end(attempt, {});
  }

  async toggleMute(): Promise<void> {
    const mic = this.#attempt?.mic;
    if (!mic || this.#snapshot.phase !== 'live') return;
    if (mic.isMuted) await mic.unmute();
    else await mic.mute();
    this.#set({ muted: mic.isMuted });
  }

  /** For browsers that still blocked playback: a second user gesture. */
  async startAudio(): Promise<void> {
    const room = this.#attempt?.room;
    if (!room) return;
    await room.startAudio().catch(() => undefined);
    this.#set({ audioBlocked: !room.canPlaybackAudio });
  }

  /** Clears a shown problem or notice. */
  dismiss(): void {
    this.#set({ problem: undefined, notice: undefined });
  }

  /** The page is going away: hang up without further updates. */
  dispose(): void {
    const attempt = this.#attempt;
    this.#listeners.clear();
    if (attempt) void this.#end(attempt, {});
  }

  #listen(attempt: Attempt<Mic, Remote>, room: TalkRoom<Mic, Remote>): void {
    const live = () => this.#attempt === attempt && !attempt.ended;
    room.on(RoomEvent.ConnectionStateChanged, (state) => {
      if (!live() || this.#snapshot.phase !== 'live') return;
      if (state === ConnectionState.Connected) this.#set({ connection: 'connected' });
      if (state === ConnectionState.Reconnecting || state === ConnectionState.SignalReconnecting)
        this.#onReconnecting(attempt);
    });
    room.on(RoomEvent.Reconnecting, () => {
      if (live() && this.#snapshot.phase === 'live') this.#onReconnecting(attempt);
    });
    room.on(RoomEvent.SignalReconnecting, () => {
      if (live() && this.#snapshot.phase === 'live') this.#onReconnecting(attempt);
    });
    room.on(RoomEvent.Reconnected, () => {
      if (!live() || this.#snapshot.phase !== 'live') return;
      this.#set({ connection: 'connected' });
      if (!this.#snapshot.agent.present) this.#armAgentTimer(attempt);
    });
    room.on(RoomEvent.Disconnected, (reason) => {
      // During start-up, the failed connect() reports the problem itself.
      if (!live() || this.#snapshot.phase !== 'live') return;
      void this.#end(attempt, describeDisconnect(reason));
    });
    room.on(RoomEvent.ParticipantConnected, (participant) => {
      if (live() && this.#snapshot.phase === 'live') this.#onParticipant(attempt, participant);
    });
    room.on(RoomEvent.ParticipantAttributesChanged, (_changed, participant) => {
      if (live() && this.#snapshot.phase === 'live' && isAgent(participant))
        this.#onParticipant(attempt, participant);
    });
    room.on(RoomEvent.ParticipantDisconnected, (participant) => {
      if (!live() || !isAgent(participant)) return;
      const stillThere = [...room.remoteParticipants.values()].some(
        (other) => other !== participant && isAgent(other),
      );
      if (stillThere) return;
      // An agent that crashed leaves the room open: wait for it (or another) as for the first one.
      this.#set({ agent: { present: false } });
      if (this.#snapshot.phase === 'live' && this.#snapshot.connection === 'connected')
        this.#armAgentTimer(attempt, { left: true });
    });
    room.on(RoomEvent.TrackSubscribed, (track, _publication, participant) => {
      if (!live() || track.kind !== 'audio' || !isAgent(participant)) return;
      this.#stopAgentAudio(attempt);
      attempt.agentAudio = {
        track,
        detach: this.deps.attachAgentAudio(track),
        meter: this.deps.createLevelMeter(track),
      };
    });
    room.on(RoomEvent.TrackUnsubscribed, (track) => {
      if (attempt.agentAudio?.track === track) this.#stopAgentAudio(attempt);
    });
    room.on(RoomEvent.AudioPlaybackStatusChanged, (playing) => {
      if (live()) this.#set({ audioBlocked: !playing });
    });
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, sender) => {
      const context = {
        localIdentity: room.localParticipant.identity,
        localMicrophoneSid: () => attempt.mic?.sid,
      };
      void readTranscriptionStream(reader, sender, context, (update) => {
        if (live() && this.#transcript.apply(update))
          this.#set({ transcript: this.#transcript.lines });
      });
    });
  }

  #onReconnecting(attempt: Attempt<Mic, Remote>): void {
    this.#clearAgentTimer(attempt);
    if (this.#snapshot.connection !== 'reconnecting') this.#set({ connection: 'reconnecting' });
  }

  #onParticipant(attempt: Attempt<Mic, Remote>, participant: ParticipantLike): void {
    if (!isAgent(participant)) return;
    this.#clearAgentTimer(attempt);
    this.#set({ agent: { present: true, state: agentStateOf(participant.attributes) } });
  }

  #armAgentTimer(attempt: Attempt<Mic, Remote>, options: { left?: boolean } = {}): void {
    this.#clearAgentTimer(attempt);
    if (options.left) attempt.agentLeft = true;
    attempt.agentTimer = this.deps.setTimeout(() => {
      attempt.agentTimer = undefined;
      if (this.#attempt !== attempt || attempt.ended || this.#snapshot.agent.present) return;
      void this.#end(attempt, {
        problem: agentTimeoutProblem(this.#agentJoinTimeoutMs, {
          left: attempt.agentLeft === true,
        }),
      });
    }, this.#agentJoinTimeoutMs);
  }

  #clearAgentTimer(attempt: Attempt<Mic, Remote>): void {
    if (attempt.agentTimer === undefined) return;
    this.deps.clearTimeout(attempt.agentTimer);
    attempt.agentTimer = undefined;
  }

  #stopAgentAudio(attempt: Attempt<Mic, Remote>): void {
    const audio = attempt.agentAudio;
    if (!audio) return;
    attempt.agentAudio = undefined;
    audio.detach();
    void Promise.resolve(audio.meter.stop()).catch(() => undefined);
  }

  /** Ends an attempt: the page goes back to idle (with what to show) at once, the release follows. */
  async #end(
    attempt: Attempt<Mic, Remote>,
    outcome: { problem?: TalkProblem | undefined; notice?: string | undefined },
  ): Promise<void> {
    if (attempt.ended) return;
    attempt.ended = true;
    if (this.#attempt === attempt) this.#attempt = undefined;
    this.#set({
      phase: 'idle',
      step: undefined,
      connection: 'disconnected',
      agent: { present: false },
      muted: false,
      audioBlocked: false,
      problem: outcome.problem,
      notice: outcome.notice,
    });
    await this.#release(attempt);
  }

  /** Releases whatever the attempt holds; safe to call more than once. */
  async #release(attempt: Attempt<Mic, Remote>): Promise<void> {
    attempt.ended = true;
    this.#clearAgentTimer(attempt);
    this.#stopAgentAudio(attempt);
    const { micMeter, mic, room } = attempt;
    attempt.micMeter = undefined;
    if (micMeter) await Promise.resolve(micMeter.stop()).catch(() => undefined);
    if (room) {
      attempt.room = undefined;
      await room.disconnect(true).catch(() => undefined);
    }
    if (mic) mic.stop();
  }

  #set(patch: Partial<TalkSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}

function isAgent(participant: ParticipantLike): boolean {
  return participant.kind === ParticipantKind.AGENT;
}
