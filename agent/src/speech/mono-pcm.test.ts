import { AudioFrame } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { toMonoPcm } from './mono-pcm.ts';

function sine(frequency: number, sampleRate: number, seconds: number): Int16Array {
  return Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) =>
    Math.round(10_000 * Math.sin((2 * Math.PI * frequency * i) / sampleRate)),
  );
}

function upwardZeroCrossings(samples: Int16Array): number {
  let count = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) count++;
  return count;
}

describe('toMonoPcm', () => {
  it('merges frames and averages the channels', () => {
    const first = new AudioFrame(Int16Array.from([100, 300, -50, 50]), 16_000, 2, 2);
    const second = new AudioFrame(Int16Array.from([1_000, 0]), 16_000, 2, 1);

    expect(Array.from(toMonoPcm([first, second], 16_000))).toEqual([200, 0, 500]);
  });

  it('resamples to the requested rate, keeping duration and pitch', () => {
    const tone = new AudioFrame(sine(440, 22_050, 1), 22_050, 1, 22_050);
    const resampled = toMonoPcm(tone, 16_000);

    expect(resampled.length).toBeGreaterThan(15_800);
    expect(resampled.length).toBeLessThanOrEqual(16_000);
    expect(Math.abs(upwardZeroCrossings(resampled) - 440)).toBeLessThanOrEqual(3);
  });

  it('returns no samples for no frames', () => {
    expect(toMonoPcm([], 16_000)).toHaveLength(0);
  });
});
