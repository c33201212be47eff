/**
 * A meter level (0–1) from livekit-client's `calculateVolume()`: the RMS of the analyser's
 * frequency bins, which sits around 0.05–0.5 for speech. The square root spreads quiet speech
 * over the meter instead of leaving it at the bottom.
 */
export function levelFromVolume(volume: number): number {
  if (!Number.isFinite(volume) || volume <= 0) return 0;
  return Math.min(1, Math.sqrt(volume) * 1.4);
}

/** Follows a level with a fast attack and a slow release, so the meter does not flicker. */
export function smoothLevel(previous: number, next: number): number {
  return next > previous ? previous + (next - previous) * 0.6 : previous + (next - previous) * 0.15;
}
