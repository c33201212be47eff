import { AudioByteStream } from '@livekit/agents';
import { type AudioFrame, AudioResampler } from '@livekit/rtc-node';

/**
 * Cuts a stream of mono 16-bit PCM bytes into equally sized {@link AudioFrame}s at a target
 * sample rate, resampling on the way when the source rate differs.
 */
export class PcmFramer {
  readonly #sourceBytes: AudioByteStream;
  readonly #resampler: AudioResampler | undefined;
  readonly #targetBytes: AudioByteStream | undefined;

  constructor(sourceSampleRate: number, targetSampleRate: number, frameDurationMs: number) {
    const samplesPerFrame = (sampleRate: number) =>
      Math.max(1, Math.round((sampleRate * frameDurationMs) / 1000));
    this.#sourceBytes = new AudioByteStream(sourceSampleRate, 1, samplesPerFrame(sourceSampleRate));
    if (sourceSampleRate !== targetSampleRate) {
      this.#resampler = new AudioResampler(sourceSampleRate, targetSampleRate, 1);
      this.#targetBytes = new AudioByteStream(
        targetSampleRate,
        1,
        samplesPerFrame(targetSampleRate),
      );
    }
  }

  /** Adds PCM bytes; returns the frames that are now complete. */
  write(pcm: Uint8Array): AudioFrame[] {
    return this.#toTargetRate(this.#sourceBytes.write(pcm), false);
  }

  /** Returns whatever audio is still buffered, as a last (possibly shorter) frame. */
  flush(): AudioFrame[] {
    return this.#toTargetRate(this.#sourceBytes.flush(), true);
  }

  /** Releases the native resampler. */
  close(): void {
    this.#resampler?.close();
  }

  #toTargetRate(frames: AudioFrame[], final: boolean): AudioFrame[] {
    const resampler = this.#resampler;
    const targetBytes = this.#targetBytes;
    if (!resampler || !targetBytes) return frames;
    const resampled = frames.flatMap((frame) => resampler.push(frame));
    if (final) resampled.push(...resampler.flush());
    const out = resampled.flatMap((frame) => targetBytes.write(frame.data));
    if (final) out.push(...targetBytes.flush());
    return out;
  }
}
