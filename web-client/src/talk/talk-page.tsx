import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiUser } from '../api/auth-api.ts';
import type { BrowserSession } from '../session/browser-session.ts';
import { describeAgentState } from './agent-state.ts';
import { smoothLevel } from './audio-level.ts';
import { browserTalkDependencies } from './livekit-adapter.ts';
import { type ConnectionStatus, TalkController, type TalkSnapshot } from './talk-controller.ts';
import type { TalkProblem } from './talk-errors.ts';
import {
  AlertIcon,
  CloseIcon,
  HangUpIcon,
  MicOffIcon,
  MicOnIcon,
  SpeakerIcon,
} from './talk-icons.tsx';
import './talk.css';
import type { TranscriptLine } from './transcript-store.ts';

/** The Talk page: a voice conversation with the assistant in a fresh LiveKit room. */
export function TalkPage(props: { session: BrowserSession; user: ApiUser }) {
  const audioRef = useRef<HTMLDivElement>(null);
  const controller = useMemo(
    () => new TalkController(browserTalkDependencies(props.session, () => audioRef.current)),
    [props.session],
  );
  const [snapshot, setSnapshot] = useState<TalkSnapshot>(controller.snapshot);

  useEffect(() => {
    setSnapshot(controller.snapshot);
    const unsubscribe = controller.subscribe(setSnapshot);
    return () => {
      unsubscribe();
      controller.dispose();
    };
  }, [controller]);

  const firstName = props.user.full_name.trim().split(/\s+/)[0] || props.user.full_name;
  const { phase } = snapshot;
  const live = phase === 'live';

  // The pressed button disappears when the phase changes (Talk → Cancel → Mute/Hang up → Talk
  // again): keep keyboard focus on the controls instead of dropping it to the page.
  const controlsRef = useRef<HTMLDivElement>(null);
  const shownPhase = useRef(phase);
  useEffect(() => {
    if (shownPhase.current === phase) return;
    shownPhase.current = phase;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    controlsRef.current?.querySelector<HTMLButtonElement>('button')?.focus({ preventScroll: true });
  }, [phase]);

  return (
    <section class={`talk talk--${phase}`} aria-labelledby="talk-title">
      <header class="talk-head">
        <div>
          <h1 id="talk-title" class="talk-head__title">
            Talk
          </h1>
          <p class="talk-head__lede">
            Speak with your assistant, {firstName}. It knows who you are and remembers what you ask
            it to.
          </p>
        </div>
        <ConnectionBadge status={snapshot.connection} />
      </header>

      <div class="talk-layout">
        <div class="talk-stage">
          <Stage snapshot={snapshot} controller={controller} />
          {snapshot.problem ? (
            <ProblemBox problem={snapshot.problem} onDismiss={() => controller.dismiss()} />
          ) : null}
          <div ref={controlsRef} class="talk-controls">
            {phase === 'idle' ? (
              <button
                type="button"
                class="talk-button talk-button--primary talk-button--large"
                onClick={() => void controller.start()}
              >
                <MicOnIcon size={22} />
                <span>
                  {snapshot.problem?.retry
                    ? 'Try again'
                    : snapshot.talkedBefore
                      ? 'Talk again'
                      : 'Talk'}
                </span>
              </button>
            ) : null}
            {phase === 'starting' ? (
              <button
                type="button"
                class="talk-button talk-button--ghost talk-button--wide"
                onClick={() => void controller.hangUp()}
              >
                Cancel
              </button>
            ) : null}
            {live ? (
              <>
                {/* A toggle: its name stays "Mute", aria-pressed says whether it is on. */}
                <button
                  type="button"
                  class={
                    snapshot.muted
                      ? 'talk-button talk-button--round talk-button--muted'
                      : 'talk-button talk-button--round'
                  }
                  aria-pressed={snapshot.muted}
                  title={
                    snapshot.muted ? 'Microphone muted: press to unmute' : 'Mute the microphone'
                  }
                  onClick={() => void controller.toggleMute()}
                >
                  {snapshot.muted ? <MicOffIcon size={22} /> : <MicOnIcon size={22} />}
                  <span class="talk-button__caption">Mute</span>
                </button>
                <button
                  type="button"
                  class="talk-button talk-button--round talk-button--danger"
                  title="Leave the conversation"
                  onClick={() => void controller.hangUp()}
                >
                  <HangUpIcon size={24} />
                  <span class="talk-button__caption">Hang up</span>
                </button>
              </>
            ) : null}
          </div>
          {live && snapshot.audioBlocked ? (
            <button
              type="button"
              class="talk-button talk-button--ghost talk-audio-unblock"
              onClick={() => void controller.startAudio()}
            >
              <SpeakerIcon size={18} />
              <span>Your browser paused the assistant’s voice: play audio</span>
            </button>
          ) : null}
          {snapshot.notice && !snapshot.problem ? (
            <p class="talk-notice" role="status">
              {snapshot.notice}
            </p>
          ) : null}
          {snapshot.room ? (
            <p class="talk-room">
              <span class="talk-room__item">
                Room <code title={snapshot.room.name}>{snapshot.room.name}</code>
              </span>
              <span class="talk-room__item">
                Session{' '}
                <code title={snapshot.room.sessionId}>{snapshot.room.sessionId.slice(0, 8)}</code>
              </span>
            </p>
          ) : null}
        </div>

        <Transcript lines={snapshot.transcript} live={phase !== 'idle'} />
      </div>
      <div ref={audioRef} class="talk-audio" aria-hidden="true" />
    </section>
  );
}

const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  disconnected: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
};

function ConnectionBadge(props: { status: ConnectionStatus }) {
  return (
    <p class={`talk-connection talk-connection--${props.status}`} role="status" aria-live="polite">
      <span class="talk-connection__dot" aria-hidden="true" />
      <span class="talk-sr-only">Connection: </span>
      {CONNECTION_LABELS[props.status]}
    </p>
  );
}

/** What the stage says: the step while starting, the assistant's state while live. */
function stageText(snapshot: TalkSnapshot): { tone: string; label: string; hint: string } {
  if (snapshot.phase === 'starting') {
    if (snapshot.step === 'microphone')
      return {
        tone: 'preparing',
        label: 'Waiting for the microphone…',
        hint: 'Allow the microphone if your browser asks.',
      };
    if (snapshot.step === 'token')
      return {
        tone: 'preparing',
        label: 'Setting up your conversation…',
        hint: 'Getting a room for you.',
      };
    return {
      tone: 'preparing',
      label: 'Connecting…',
      hint: `Joining the room on ${snapshot.room?.livekitUrl ?? 'the LiveKit server'}.`,
    };
  }
  if (snapshot.phase === 'live') {
    if (snapshot.connection === 'reconnecting')
      return {
        tone: 'reconnecting',
        label: 'Reconnecting…',
        hint: 'The network dropped; getting you back into the conversation.',
      };
    return describeAgentState(snapshot.agent.present, snapshot.agent.state);
  }
  if (snapshot.problem)
    return {
      tone: 'problem',
      label: 'Not connected',
      hint: snapshot.problem.retry
        ? 'Fix what the message says, then try again.'
        : 'See the message below.',
    };
  if (snapshot.talkedBefore)
    return {
      tone: 'idle',
      label: 'Conversation ended',
      hint: 'Press Talk again whenever you like.',
    };
  return {
    tone: 'idle',
    label: 'Ready when you are',
    hint: 'Press Talk and allow the microphone when your browser asks.',
  };
}

function Stage(props: {
  snapshot: TalkSnapshot;
  controller: { agentLevel(): number; micLevel(): number };
}) {
  const { snapshot, controller } = props;
  const text = stageText(snapshot);
  const active = snapshot.phase !== 'idle';
  const orbRef = useRef<HTMLDivElement>(null);
  const meterRef = useRef<HTMLDivElement>(null);

  useLevelAnimation(active, () => {
    const orb = orbRef.current;
    const meter = meterRef.current;
    return {
      agent: (level) => orb?.style.setProperty('--agent-level', level.toFixed(3)),
      mic: (level) => meter?.style.setProperty('--mic-level', level.toFixed(3)),
      read: () => ({ agent: controller.agentLevel(), mic: controller.micLevel() }),
    };
  });

  return (
    <div class={`talk-visual talk-visual--${text.tone}`}>
      <div ref={orbRef} class="talk-orb" aria-hidden="true">
        <span class="talk-orb__ring" />
        <span class="talk-orb__core">
          <span class="talk-orb__bar" />
          <span class="talk-orb__bar" />
          <span class="talk-orb__bar" />
        </span>
      </div>
      <div class="talk-state" id="talk-state" role="status" aria-live="polite" aria-atomic="true">
        <p class="talk-state__label">{text.label}</p>
        <p class="talk-state__hint">{text.hint}</p>
      </div>
      <div class="talk-mic" hidden={!active}>
        <span class="talk-mic__label">
          {snapshot.muted ? <MicOffIcon size={16} /> : <MicOnIcon size={16} />}
        </span>
        <div ref={meterRef} class="talk-mic__meter" aria-hidden="true">
          <span class="talk-mic__fill" />
        </div>
        <span class="talk-mic__text">
          {snapshot.muted
            ? 'Muted'
            : snapshot.phase === 'starting' && snapshot.step === 'microphone'
              ? 'Microphone…'
              : 'Your microphone'}
        </span>
      </div>
    </div>
  );
}

/** Animates the level meters every frame while a conversation is starting or live; stops at hang-up. */
function useLevelAnimation(
  active: boolean,
  targets: () => {
    agent: (level: number) => void;
    mic: (level: number) => void;
    read: () => { agent: number; mic: number };
  },
) {
  const targetsRef = useRef(targets);
  targetsRef.current = targets;
  useLayoutEffect(() => {
    const { agent, mic } = targetsRef.current();
    if (!active) {
      agent(0);
      mic(0);
      return;
    }
    let frame = 0;
    let shown = { agent: 0, mic: 0 };
    const tick = () => {
      const t = targetsRef.current();
      const next = t.read();
      shown = {
        agent: smoothLevel(shown.agent, next.agent),
        mic: smoothLevel(shown.mic, next.mic),
      };
      t.agent(shown.agent);
      t.mic(shown.mic);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      const t = targetsRef.current();
      t.agent(0);
      t.mic(0);
    };
  }, [active]);
}

function ProblemBox(props: { problem: TalkProblem; onDismiss: () => void }) {
  const { problem } = props;
  return (
    <div class="talk-problem" role="alert" data-kind={problem.kind}>
      <AlertIcon size={22} />
      <p class="talk-problem__title">{problem.title}</p>
      <button
        type="button"
        class="talk-problem__close"
        aria-label="Dismiss this message"
        title="Dismiss"
        onClick={props.onDismiss}
      >
        <CloseIcon size={18} />
      </button>
      <div class="talk-problem__body">
        <p class="talk-problem__message">{withCode(problem.message)}</p>
        {problem.steps && problem.steps.length > 1 ? (
          <ol class="talk-problem__steps">
            {problem.steps.map((step) => (
              <li key={step}>{withCode(step)}</li>
            ))}
          </ol>
        ) : null}
        {problem.steps?.length === 1 ? (
          <p class="talk-problem__tip">{withCode(problem.steps[0]!)}</p>
        ) : null}
      </div>
    </div>
  );
}

/** Text with `backticked` commands shown as code. */
function withCode(text: string): ComponentChildren {
  return text
    .split('`')
    .map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part));
}

function Transcript(props: { lines: readonly TranscriptLine[]; live: boolean }) {
  const listRef = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

  // Follow the conversation unless the reader scrolled up to read something earlier.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && pinned.current) list.scrollTop = list.scrollHeight;
  }, [props.lines]);

  const onScroll = () => {
    const list = listRef.current;
    if (list) pinned.current = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  };

  return (
    <section class="talk-transcript" aria-labelledby="talk-transcript-title">
      <h2 id="talk-transcript-title" class="talk-transcript__title">
        Transcript
      </h2>
      <ol
        ref={listRef}
        class="talk-transcript__list"
        role="log"
        aria-live="polite"
        aria-relevant="additions text"
        onScroll={onScroll}
        tabIndex={0}
      >
        {props.lines.map((line) => (
          <li
            key={line.key}
            class={`talk-line talk-line--${line.speaker} ${line.final ? '' : 'talk-line--interim'}`}
          >
            <span class="talk-line__who">{line.speaker === 'user' ? 'You' : 'Assistant'}</span>
            <p class="talk-line__text">{line.text}</p>
          </li>
        ))}
      </ol>
      {props.lines.length === 0 ? (
        <p class="talk-transcript__empty">
          {props.live
            ? 'What you and the assistant say appears here as you speak.'
            : 'Your conversation will appear here, as it happens.'}
        </p>
      ) : null}
    </section>
  );
}
