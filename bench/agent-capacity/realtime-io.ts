import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AudioBuffer, AudioByteStream, voice } from '@livekit/agents';

/** rtc-node's AudioFrame, named through @livekit/agents (this workspace does not depend on rtc-node). */
export type AudioFrame = Exclude<AudioBuffer, unknown[]>;

/** Cuts 16-bit mono PCM into frames of `frameMs` (the last partial frame is dropped). */
export function pcmToFrames(pcm: Int16Array, sampleRate: number, frameMs: number): AudioFrame[] {
  const samplesPerFrame = Math.round((sampleRate * frameMs) / 1000);
  const bytes = new AudioByteStream(sampleRate, 1, samplesPerFrame);
  const frames: AudioFrame[] = [];
  // One frame's worth per write: AudioByteStream copies its whole buffer on every write.
  for (let offset = 0; offset + samplesPerFrame <= pcm.length; offset += samplesPerFrame) {
    frames.push(...bytes.write(pcm.slice(offset, offset + samplesPerFrame)));
  }
  return frames;
}

const frameSeconds = (frame: AudioFrame) => frame.samplesPerChannel / frame.sampleRate;

/**
 * Microphone stand-in that behaves like a live track: it never stops sending (silence between
 * utterances), and each frame is delivered when its audio has been "captured", i.e. once the audio
 * time up to its end has passed since the first frame. The schedule is absolute, so timer
 * overshoot under load shows up as lag (and a burst to catch up, like a backed-up track) instead
 * of silently slowing the audio down, which would make an overloaded host look idle.
 */
export class RealtimeMicrophone extends voice.AudioInput {
  readonly #controller: ReadableStreamDefaultController<AudioFrame>;
  readonly #silence: AudioFrame;
  #startedAt: number | undefined;
  #sentSeconds = 0;
  #maxLagMs = 0;
  #scheduledAt = 0;
  #speechEndedAt = 0;

  constructor(sampleRate: number, frameMs = 10) {
    super();
    let controller: ReadableStreamDefaultController<AudioFrame> | undefined;
    this.multiStream.addInputStream(
      new ReadableStream<AudioFrame>({
        start(streamController) {
          controller = streamController;
        },
      }),
    );
    if (!controller) throw new Error('ReadableStream did not call start() synchronously');
    this.#controller = controller;
    const silence = pcmToFrames(new Int16Array(sampleRate), sampleRate, frameMs)[0];
    if (!silence) throw new Error('could not build a silence frame');
    this.#silence = silence;
  }

  /** Worst lateness of a frame against the real-time schedule so far, in ms. */
  get maxLagMs(): number {
    return this.#maxLagMs;
  }

  /**
   * When the last `play` ended by the real-time schedule, as a Date.now() time: the moment the
   * user stopped speaking, however late this process got round to delivering that audio.
   */
  get speechEndedAt(): number {
    return this.#speechEndedAt;
  }

  /** Plays `frames` (the user's speech) in real time. */
  async play(frames: readonly AudioFrame[]): Promise<void> {
    for (const frame of frames) await this.#send(frame);
    this.#speechEndedAt = this.#scheduledAt;
  }

  /** Sends silence until `stop()` is true or `untilMs` (performance.now time) has come. */
  async silence(untilMs: number, stop: () => boolean = () => false): Promise<void> {
    while (!stop() && performance.now() < untilMs) await this.#send(this.#silence);
  }

  async #send(frame: AudioFrame): Promise<void> {
    this.#startedAt ??= performance.now();
    this.#sentSeconds += frameSeconds(frame);
    const dueAt = this.#startedAt + this.#sentSeconds * 1000;
    const wait = dueAt - performance.now();
    if (wait > 0) await sleep(wait);
    else this.#maxLagMs = Math.max(this.#maxLagMs, -wait);
    this.#controller.enqueue(frame);
    this.#scheduledAt = performance.timeOrigin + dueAt;
  }
}

/** Audio the real room output keeps queued before it makes the producer wait (rtc-node's default). */
const OUTPUT_QUEUE_MS = 1_000;

/**
 * Speaker stand-in with the room output's timing: a segment starts playing when its first frame
 * arrives, the producer is held back once a second of audio is queued, and playback is reported
 * finished only when the audio's real duration has passed (or at once when interrupted, with the
 * position actually reached). Turns therefore take as long as they would for a listener.
 */
export class RealtimeSpeaker extends voice.AudioOutput {
  /** Date.now() at which everything queued so far will have played. */
  #playheadMs = 0;
  #pushedSeconds = 0;
  #firstFrameEmitted = false;
  #generation = 0;
  #finishing: { finish: (interrupted: boolean) => void; done: Promise<void> } | undefined;
  readonly #finishedListeners = new Set<(interrupted: boolean) => void>();
  interruptedPlaybacks = 0;

  constructor(sampleRate: number) {
    // A sample rate makes the framework resample the TTS output to it, as for a room.
    super(sampleRate);
  }

  /** Resolves when the next playback finishes (true if it was interrupted), undefined on abort. */
  nextPlaybackFinished(signal: AbortSignal): Promise<boolean | undefined> {
    return new Promise((resolve) => {
      const listener = (interrupted: boolean) => {
        this.#finishedListeners.delete(listener);
        resolve(interrupted);
      };
      this.#finishedListeners.add(listener);
      signal.addEventListener('abort', () => {
        this.#finishedListeners.delete(listener);
        resolve(undefined);
      });
    });
  }

  override async captureFrame(frame: AudioFrame): Promise<void> {
    const generation = this.#generation;
    // A new segment waits for the previous one to drain, as the room output does.
    if (this.#finishing) await this.#finishing.done;
    if (generation !== this.#generation) return;
    await super.captureFrame(frame);
    const now = Date.now();
    if (!this.#firstFrameEmitted) {
      this.#firstFrameEmitted = true;
      this.onPlaybackStarted(now);
    }
    this.#playheadMs = Math.max(this.#playheadMs, now) + frameSeconds(frame) * 1000;
    this.#pushedSeconds += frameSeconds(frame);
    const queuedMs = this.#playheadMs - now;
    if (queuedMs > OUTPUT_QUEUE_MS) await sleep(queuedMs - OUTPUT_QUEUE_MS);
  }

  override flush(): void {
    super.flush();
    if (this.#pushedSeconds === 0 || this.#finishing) return;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const finish = (interrupted: boolean) => {
      clearTimeout(timer);
      this.#finishing = undefined;
      const now = Date.now();
      const unplayedSeconds = interrupted ? Math.max(this.#playheadMs - now, 0) / 1000 : 0;
      const playbackPosition = Math.max(this.#pushedSeconds - unplayedSeconds, 0);
      if (interrupted) {
        this.#playheadMs = now;
        this.interruptedPlaybacks += 1;
      }
      this.#pushedSeconds = 0;
      this.#firstFrameEmitted = false;
      this.onPlaybackFinished({ playbackPosition, interrupted });
      for (const listener of [...this.#finishedListeners]) listener(interrupted);
      resolveDone();
    };
    const timer = setTimeout(() => finish(false), Math.max(this.#playheadMs - Date.now(), 0));
    this.#finishing = { finish, done };
  }

  clearBuffer(): void {
    this.#generation += 1;
    if (!this.#finishing && this.#pushedSeconds > 0) this.flush();
    if (this.#finishing) this.#finishing.finish(true);
    else if (this.pendingPlayoutSegments > 0)
      // A segment was opened but nothing of it queued: it still needs its one finished event.
      this.onPlaybackFinished({ playbackPosition: 0, interrupted: true });
  }
}
