import { readFileSync, readdirSync } from 'node:fs';
import { AudioFrame } from '@livekit/rtc-node';

/** Total playing time of `frames`, in seconds. */
export function durationSeconds(frames: readonly AudioFrame[]): number {
  return frames.reduce((sum, frame) => sum + frame.samplesPerChannel / frame.sampleRate, 0);
}

/** Largest absolute sample value in `frames` (0 for silence). */
export function peakAmplitude(frames: readonly AudioFrame[]): number {
  let peak = 0;
  for (const frame of frames) {
    for (const sample of frame.data.subarray(0, frame.samplesPerChannel * frame.channels))
      peak = Math.max(peak, Math.abs(sample));
  }
  return peak;
}

/** `seconds` of digital silence, cut into frames of `frameMs`. */
export function silenceFrames(seconds: number, sampleRate: number, frameMs = 20): AudioFrame[] {
  const samplesPerFrame = Math.round((sampleRate * frameMs) / 1000);
  const count = Math.ceil((seconds * 1000) / frameMs);
  return Array.from(
    { length: count },
    () => new AudioFrame(new Int16Array(samplesPerFrame), sampleRate, 1, samplesPerFrame),
  );
}

/** Live (non-zombie) child processes of this process whose command name is `command` (Linux /proc). */
export function countChildProcesses(command: string): number {
  const name = command.slice(0, 15); // the kernel truncates command names to 15 characters
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process exited while we were looking
    }
    // Format: "pid (comm) state ppid ..."; comm may itself contain spaces or parentheses.
    const commEnd = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, commEnd);
    const [state, ppid] = stat.slice(commEnd + 2).split(' ');
    if (comm === name && state !== 'Z' && Number(ppid) === process.pid) count++;
  }
  return count;
}
