import { setTimeout as sleep } from 'node:timers/promises';
import { type APIConnectOptions, shortuuid, stt, tts, voice } from '@livekit/agents';
import { type AudioFrame, pcmToFrames } from './realtime-io.ts';

/**
 * FakeLLM answers only inputs it was given verbatim; a benchmark's transcripts (pocketsphinx's
 * especially) are not predictable, so this one gives the same short reply to anything, after a
 * first-token delay like a hosted model's (it costs no CPU; it only makes turns take real time).
 */
export class ReplyToAnythingLLM extends voice.testing.FakeLLM {
  constructor(
    readonly reply: string,
    readonly ttftMs = 200,
  ) {
    super();
  }

  override lookup(input: string): voice.testing.FakeLLMResponse {
    return { input, content: this.reply, ttft: this.ttftMs };
  }
}

/** Level above which a sample counts as speech for the stand-in STT's endpointing. */
const SPEECH_LEVEL = 500;
/** Trailing quiet after which a hosted streaming STT would finalize its transcript. */
const FINALIZE_AFTER_SECONDS = 0.2;
/** How often it sends an interim transcript while the user speaks. */
const INTERIM_EVERY_SECONDS = 0.3;
/** Rough speaking time per word, to make interim transcripts grow with the speech. */
const SECONDS_PER_WORD = 0.35;

/**
 * A streaming STT stand-in built on the framework's FakeSTT: it emits interim transcripts while it
 * hears speech and one final transcript per utterance, 200 ms after the speech stops, judged on
 * the audio it actually received. Tying the transcript to the audio stream (rather than to a wall
 * clock schedule) means a lagging pipeline delays the transcript too, as it would with a hosted
 * STT fed by this process.
 */
export class EndpointingFakeSTT extends stt.testing.FakeSTT {
  constructor(readonly transcript: string) {
    super({ label: 'bench.EndpointingFakeSTT' });
  }

  override stream(options?: { connOptions?: APIConnectOptions }): stt.testing.FakeRecognizeStream {
    return new EndpointingFakeStream(this, options?.connOptions);
  }
}

class EndpointingFakeStream extends stt.testing.FakeRecognizeStream {
  readonly #transcript: string;

  constructor(fake: EndpointingFakeSTT, connOptions?: APIConnectOptions) {
    super(fake, connOptions);
    this.#transcript = fake.transcript;
  }

  protected override async run(): Promise<void> {
    const words = this.#transcript.split(/\s+/);
    let speechSeconds = 0;
    let quietSeconds = 0;
    let nextInterimAt = INTERIM_EVERY_SECONDS;
    for await (const data of this.input) {
      if (typeof data === 'symbol') continue; // flush marker: this STT endpoints by itself
      const seconds = data.samplesPerChannel / data.sampleRate;
      if (isSpeech(data)) {
        speechSeconds += seconds;
        quietSeconds = 0;
        if (speechSeconds >= nextInterimAt) {
          nextInterimAt += INTERIM_EVERY_SECONDS;
          const heard = Math.round(speechSeconds / SECONDS_PER_WORD);
          this.sendFakeTranscript(words.slice(0, Math.max(heard, 1)).join(' '), false);
        }
        continue;
      }
      quietSeconds += seconds;
      if (speechSeconds > 0 && quietSeconds >= FINALIZE_AFTER_SECONDS) {
        this.sendFakeTranscript(this.#transcript, true);
        speechSeconds = 0;
        nextInterimAt = INTERIM_EVERY_SECONDS;
      }
    }
  }
}

function isSpeech(frame: AudioFrame): boolean {
  const samples = frame.data;
  const count = frame.samplesPerChannel * frame.channels;
  // Every fourth sample is plenty to tell speech from the microphone's digital silence.
  for (let i = 0; i < count; i += 4) {
    const sample = samples[i]!;
    if (sample > SPEECH_LEVEL || sample < -SPEECH_LEVEL) return true;
  }
  return false;
}

/** Speaking time per character of text, about espeak-ng's at its default 175 words a minute. */
const SECONDS_PER_CHARACTER = 0.06;
const TONE_FRAME_MS = 50;

/**
 * A hosted-TTS stand-in: after a network-like first-byte delay it returns, at once, audio as long
 * as the text would take to say. The audio is a quiet 220 Hz tone built once per process, so the
 * stand-in costs what a hosted TTS client costs the job (handing frames to the pipeline) and not
 * what a synthesizer would, which runs elsewhere. Its length is what makes turns last as long as
 * real speech: the agent's reply plays in real time before the user speaks again.
 */
export class ToneTTS extends tts.TTS {
  label = 'bench.ToneTTS';
  readonly #frames: AudioFrame[];

  constructor(
    sampleRate: number,
    readonly firstByteMs = 150,
  ) {
    super(sampleRate, 1, { streaming: false });
    // Four seconds of tone (a whole number of 220 Hz periods per 50 ms frame): reused for every reply.
    const pcm = new Int16Array(sampleRate * 4);
    for (let i = 0; i < pcm.length; i++)
      pcm[i] = Math.round(3_000 * Math.sin((2 * Math.PI * 220 * i) / sampleRate));
    this.#frames = pcmToFrames(pcm, sampleRate, TONE_FRAME_MS);
  }

  /** The frames that say `text`: as many as its speaking time, cycling through the tone. */
  framesFor(text: string): AudioFrame[] {
    const count = Math.max(1, Math.round((text.length * SECONDS_PER_CHARACTER * 1000) / 50));
    return Array.from({ length: count }, (_, i) => this.#frames[i % this.#frames.length]!);
  }

  synthesize(
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ): tts.ChunkedStream {
    return new ToneChunkedStream(this, text, connOptions, abortSignal);
  }

  stream(): tts.SynthesizeStream {
    throw new Error('ToneTTS synthesizes whole texts; AgentSession wraps it in a StreamAdapter');
  }
}

class ToneChunkedStream extends tts.ChunkedStream {
  label = 'bench.ToneChunkedStream';
  readonly #tone: ToneTTS;

  constructor(
    tone: ToneTTS,
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, tone, connOptions, abortSignal);
    this.#tone = tone;
  }

  protected async run(): Promise<void> {
    try {
      await sleep(this.#tone.firstByteMs, undefined, { signal: this.abortSignal });
    } catch {
      return; // interrupted before the first byte
    } finally {
      if (this.abortSignal.aborted && !this.queue.closed) this.queue.close();
    }
    const requestId = shortuuid();
    const frames = this.#tone.framesFor(this.inputText);
    frames.forEach((frame, i) => {
      if (!this.queue.closed)
        this.queue.put({ requestId, segmentId: requestId, frame, final: i === frames.length - 1 });
    });
    if (!this.queue.closed) this.queue.close();
  }
}
