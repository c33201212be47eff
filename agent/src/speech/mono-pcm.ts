import { type AudioBuffer, mergeFrames } from '@livekit/agents';
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';

/** Merges `buffer`, mixes it down to one channel and resamples it: 16-bit samples at `sampleRate`. */
export function toMonoPcm(buffer: AudioBuffer, sampleRate: number): Int16Array {
  if (Array.isArray(buffer) && buffer.length === 0) return new Int16Array(0);
  const merged = mergeFrames(buffer);
  const mono = mixDownToMono(merged);
  if (merged.sampleRate === sampleRate) return mono;

  const resampler = new AudioResampler(merged.sampleRate, sampleRate, 1);
  try {
    const input = new AudioFrame(mono, merged.sampleRate, 1, mono.length);
    const frames = [...resampler.push(input), ...resampler.flush()];
    return concatSamples(frames);
  } finally {
    resampler.close();
  }
}

function mixDownToMono(frame: AudioFrame): Int16Array {
  const { channels, samplesPerChannel } = frame;
  const interleaved = frame.data.subarray(0, samplesPerChannel * channels);
  if (channels === 1) return interleaved;
  const mono = new Int16Array(samplesPerChannel);
  for (let i = 0; i < samplesPerChannel; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[i * channels + c]!;
    mono[i] = Math.round(sum / channels);
  }
  return mono;
}

function concatSamples(frames: AudioFrame[]): Int16Array {
  const total = frames.reduce((sum, frame) => sum + frame.samplesPerChannel * frame.channels, 0);
  const out = new Int16Array(total);
  let offset = 0;
  for (const frame of frames) {
    const samples = frame.data.subarray(0, frame.samplesPerChannel * frame.channels);
    out.set(samples, offset);
    offset += samples.length;
  }
  return out;
}
