import { describe, expect, it } from 'vitest';
import { levelFromVolume, smoothLevel } from './audio-level.ts';

describe('audio level', () => {
  it('maps livekit-client volumes onto the meter, silence to 0 and loud to 1', () => {
    expect(levelFromVolume(0)).toBe(0);
    expect(levelFromVolume(Number.NaN)).toBe(0);
    expect(levelFromVolume(-1)).toBe(0);
    expect(levelFromVolume(0.05)).toBeGreaterThan(0.25); // quiet speech still moves the meter
    expect(levelFromVolume(0.2)).toBeGreaterThan(levelFromVolume(0.05));
    expect(levelFromVolume(0.9)).toBe(1);
  });

  it('rises fast and falls slowly', () => {
    const up = smoothLevel(0, 1);
    const down = smoothLevel(1, 0);
    expect(up).toBeGreaterThan(0.5);
    expect(down).toBeGreaterThan(0.8);
  });
});
