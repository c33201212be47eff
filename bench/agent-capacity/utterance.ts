import { writeFile } from 'node:fs/promises';
import { initializeLogger } from '@livekit/agents';
import { EspeakTTS } from '@attune/agent';

/** Below this level a sample is espeak-ng's trailing near-silence, not speech. */
const QUIET_LEVEL = 500;
/** Kept after the last loud sample, so the sentence ends on its own decay, not a cut. */
const KEEP_AFTER_SPEECH_SAMPLES_MS = 20;

/**
 * Says `text` once with espeak-ng at `sampleRate` and writes it as raw 16-bit mono PCM to `path`,
 * for every conversation of the benchmark to play. espeak-ng ends its output with ~300 ms of
 * near-silence; it is cut off, so the end of the file is the moment the user stops speaking (the
 * microphone adds its own silence after it). Returns the sentence's length in seconds.
 */
export async function writeUtterancePcm(
  text: string,
  sampleRate: number,
  path: string,
): Promise<number> {
  initializeLogger({ pretty: false, level: 'warn' });
  const voice = new EspeakTTS({ sampleRate });
  const parts: Int16Array[] = [];
  try {
    for await (const audio of voice.synthesize(text)) {
      const { frame } = audio;
      parts.push(frame.data.slice(0, frame.samplesPerChannel * frame.channels));
    }
  } finally {
    await voice.close();
  }
  const pcm = concat(parts);
  let end = pcm.length;
  while (end > 0 && Math.abs(pcm[end - 1]!) < QUIET_LEVEL) end -= 1;
  if (end === 0) throw new Error(`espeak-ng produced no audible speech for "${text}"`);
  const trimmed = pcm.subarray(
    0,
    Math.min(pcm.length, end + (sampleRate * KEEP_AFTER_SPEECH_SAMPLES_MS) / 1000),
  );
  await writeFile(path, new Uint8Array(trimmed.buffer, trimmed.byteOffset, trimmed.byteLength));
  return trimmed.length / sampleRate;
}

function concat(parts: readonly Int16Array[]): Int16Array {
  const all = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}
