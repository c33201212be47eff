import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { voice } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';

/** Microphone stand-in: plays prepared frames into an AgentSession at real-time pace. */
export class ScriptedAudioInput extends voice.AudioInput {
  readonly #controller: ReadableStreamDefaultController<AudioFrame>;

  constructor() {
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
  }

  /** Feeds `frames` one by one, each after the previous one's duration has passed. */
  async play(frames: readonly AudioFrame[]): Promise<void> {
    for (const frame of frames) {
      this.#controller.enqueue(frame);
      await sleep((frame.samplesPerChannel / frame.sampleRate) * 1000);
    }
  }
}

/** Speaker stand-in: records every frame and reports each segment as played out at once. */
export class CapturingAudioOutput extends voice.AudioOutput {
  readonly frames: AudioFrame[] = [];
  #segmentSeconds = 0;
  #segmentOpen = false;

  override async captureFrame(frame: AudioFrame): Promise<void> {
    await super.captureFrame(frame);
    if (!this.#segmentOpen) {
      this.#segmentOpen = true;
      this.#segmentSeconds = 0;
      this.onPlaybackStarted(Date.now());
    }
    this.frames.push(frame);
    this.#segmentSeconds += frame.samplesPerChannel / frame.sampleRate;
  }

  override flush(): void {
    super.flush();
    this.#finishSegment(false);
  }

  clearBuffer(): void {
    this.#finishSegment(true);
  }

  #finishSegment(interrupted: boolean): void {
    if (!this.#segmentOpen) return;
    this.#segmentOpen = false;
    this.onPlaybackFinished({ playbackPosition: this.#segmentSeconds, interrupted });
  }
}
