import { initializeLogger } from '@livekit/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { PcmFramer } from './pcm-framer.ts';

function pcmBytes(sampleCount: number): Buffer {
  const samples = Int16Array.from({ length: sampleCount }, (_, i) => (i % 200) * 100 - 10_000);
  return Buffer.from(samples.buffer);
}

describe('PcmFramer', () => {
  beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));

  it('cuts bytes arriving in odd-sized pieces into whole frames of the requested duration', () => {
    const framer = new PcmFramer(22_050, 22_050, 50);
    const bytes = pcmBytes(22_050);
    const frames = [
      bytes.subarray(0, 1_001),
      bytes.subarray(1_001, 30_001),
      bytes.subarray(30_001),
    ].flatMap((piece) => framer.write(piece));
    frames.push(...framer.flush());

    expect(frames.slice(0, -1).every((frame) => frame.samplesPerChannel === 1_103)).toBe(true);
    expect(frames.reduce((sum, frame) => sum + frame.samplesPerChannel, 0)).toBe(22_050);
    expect(
      Buffer.concat(
        frames.map((frame) =>
          Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength),
        ),
      ),
    ).toEqual(bytes);
  });

  it('resamples to the target rate', () => {
    const framer = new PcmFramer(22_050, 48_000, 20);
    const frames = [...framer.write(pcmBytes(22_050)), ...framer.flush()];
    framer.close();

    expect(frames.every((frame) => frame.sampleRate === 48_000)).toBe(true);
    expect(frames.slice(0, -1).every((frame) => frame.samplesPerChannel === 960)).toBe(true);
    const total = frames.reduce((sum, frame) => sum + frame.samplesPerChannel, 0);
    expect(Math.abs(total - 48_000)).toBeLessThan(100);
  });
});
