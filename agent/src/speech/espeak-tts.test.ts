import { initializeLogger } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { EspeakTTS } from './espeak-tts.ts';
import { countChildProcesses, durationSeconds, peakAmplitude } from './test-audio.ts';

async function synthesizeFrames(speaker: EspeakTTS, text: string): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const audio of speaker.synthesize(text)) frames.push(audio.frame);
  return frames;
}

describe('EspeakTTS', () => {
  beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));

  it('produces mono frames of audible speech at the declared sample rate', async () => {
    const speaker = new EspeakTTS();
    const frames = await synthesizeFrames(speaker, 'Hello from Attune');

    expect(frames.length).toBeGreaterThan(5);
    for (const frame of frames) {
      expect(frame.sampleRate).toBe(speaker.sampleRate);
      expect(frame.channels).toBe(1);
    }
    const seconds = durationSeconds(frames);
    expect(seconds).toBeGreaterThan(0.5);
    expect(seconds).toBeLessThan(5);
    expect(peakAmplitude(frames)).toBeGreaterThan(1_000);
  });

  it('frames the audio in pieces of 20 to 100 ms and marks only the last one final', async () => {
    const speaker = new EspeakTTS();
    const packets = [];
    for await (const audio of speaker.synthesize('One two three')) packets.push(audio);

    expect(packets.map((packet) => packet.final)).toEqual([
      ...packets.map(() => false).slice(1),
      true,
    ]);
    for (const { frame } of packets.slice(0, -1)) {
      const ms = (frame.samplesPerChannel / frame.sampleRate) * 1000;
      expect(ms).toBeGreaterThanOrEqual(20);
      expect(ms).toBeLessThanOrEqual(100);
    }
  });

  it('resamples to a requested output rate', async () => {
    const speaker = new EspeakTTS({ sampleRate: 48_000 });
    const frames = await synthesizeFrames(speaker, 'Hello from Attune');

    expect(frames.every((frame) => frame.sampleRate === 48_000)).toBe(true);
    expect(durationSeconds(frames)).toBeGreaterThan(0.5);
    expect(peakAmplitude(frames)).toBeGreaterThan(1_000);
  });

  it('speaks text that looks like a command-line option instead of obeying it', async () => {
    const speaker = new EspeakTTS();
    // Taken as an option, "-w" would write to a file named "x" and print no audio.
    const frames = await synthesizeFrames(speaker, '-w x --version');

    expect(durationSeconds(frames)).toBeGreaterThan(0.5);
    expect(peakAmplitude(frames)).toBeGreaterThan(1_000);
  });

  it('speaks more slowly at a lower words-per-minute setting', async () => {
    const text = 'The quick brown fox jumps over the lazy dog';
    const fast = durationSeconds(
      await synthesizeFrames(new EspeakTTS({ wordsPerMinute: 300 }), text),
    );
    const slow = durationSeconds(
      await synthesizeFrames(new EspeakTTS({ wordsPerMinute: 120 }), text),
    );

    expect(slow).toBeGreaterThan(fast * 1.5);
  });

  it('kills espeak-ng when the stream is closed before it finishes', async () => {
    const speaker = new EspeakTTS({ wordsPerMinute: 80 });
    const before = countChildProcesses('espeak-ng');
    const stream = speaker.synthesize(
      'This sentence is long enough to keep espeak busy for a while. '.repeat(200),
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(countChildProcesses('espeak-ng')).toBe(before + 1);

    stream.close();
    await expect.poll(() => countChildProcesses('espeak-ng'), { timeout: 2_000 }).toBe(before);
  });

  it('names the missing program and how to install it', () => {
    expect(() => new EspeakTTS({ binary: 'espeak-ng-not-here' })).toThrow(
      'espeak-ng-not-here is not installed: apt-get install espeak-ng',
    );
  });
});
