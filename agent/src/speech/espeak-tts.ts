import { type APIConnectOptions, shortuuid, tts } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import {
  type CliTool,
  assertCliToolInstalled,
  consumeCliToolOutput,
  startCliTool,
} from './cli-tool.ts';
import { PcmFramer } from './pcm-framer.ts';
import { type WavFormat, WavStreamParser } from './wav-stream-parser.ts';

/** espeak-ng's native output rate. */
export const ESPEAK_SAMPLE_RATE = 22_050;
const FRAME_DURATION_MS = 50;

export interface EspeakTTSOptions {
  /** espeak-ng voice name (`espeak-ng --voices` lists them). Default `en-us`. */
  voice: string;
  /** Speaking rate in words per minute. Default 175. */
  wordsPerMinute: number;
  /** espeak-ng program name or path. Default `espeak-ng`. */
  binary: string;
  /** Sample rate of the emitted frames; audio is resampled when it differs from espeak-ng's 22050 Hz. */
  sampleRate: number;
}

const DEFAULT_OPTIONS: EspeakTTSOptions = {
  voice: 'en-us',
  wordsPerMinute: 175,
  binary: 'espeak-ng',
  sampleRate: ESPEAK_SAMPLE_RATE,
};

/**
 * Local text-to-speech through the espeak-ng command-line program. It synthesizes whole
 * texts (no streaming input); `AgentSession` wraps it in `tts.StreamAdapter` by itself.
 */
export class EspeakTTS extends tts.TTS {
  label = 'attune.EspeakTTS';
  readonly #options: EspeakTTSOptions;
  readonly #tool: CliTool;
  readonly #closed = new AbortController();

  /** Throws when espeak-ng is not installed or an option is out of range. */
  constructor(options: Partial<EspeakTTSOptions> = {}) {
    const resolved = { ...DEFAULT_OPTIONS, ...options };
    super(resolved.sampleRate, 1, { streaming: false });
    if (!Number.isInteger(resolved.wordsPerMinute) || resolved.wordsPerMinute <= 0) {
      throw new RangeError(
        `wordsPerMinute must be a positive integer, got ${resolved.wordsPerMinute}`,
      );
    }
    if (!resolved.voice) throw new RangeError('voice must not be empty');
    this.#options = resolved;
    this.#tool = { binary: resolved.binary, installHint: 'apt-get install espeak-ng' };
    assertCliToolInstalled(this.#tool);
  }

  override get model(): string {
    return this.#options.voice;
  }

  override get provider(): string {
    return 'espeak-ng';
  }

  synthesize(
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ): EspeakChunkedStream {
    const signal = abortSignal
      ? AbortSignal.any([abortSignal, this.#closed.signal])
      : this.#closed.signal;
    return new EspeakChunkedStream(
      this,
      text,
      this.#tool,
      this.#commandLine(),
      connOptions,
      signal,
    );
  }

  stream(): tts.SynthesizeStream {
    throw new Error(
      'EspeakTTS synthesizes whole texts only; wrap it in tts.StreamAdapter for streaming input',
    );
  }

  /** Stops every synthesis still running. */
  override close(): Promise<void> {
    this.#closed.abort();
    return Promise.resolve();
  }

  #commandLine(): string[] {
    // The text goes to stdin (--stdin), so it can never be read as an option.
    return [
      '--stdout',
      '--stdin',
      '-b',
      '1',
      '-v',
      this.#options.voice,
      '-s',
      String(this.#options.wordsPerMinute),
    ];
  }
}

/** One espeak-ng run: its WAV output cut into frames at the TTS's sample rate. */
export class EspeakChunkedStream extends tts.ChunkedStream {
  label = 'attune.EspeakChunkedStream';
  readonly #tts: EspeakTTS;
  readonly #tool: CliTool;
  readonly #args: string[];

  constructor(
    espeakTts: EspeakTTS,
    text: string,
    tool: CliTool,
    args: string[],
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, espeakTts, connOptions, abortSignal);
    this.#tts = espeakTts;
    this.#tool = tool;
    this.#args = args;
  }

  protected async run(): Promise<void> {
    if (this.abortSignal.aborted) return;
    const requestId = shortuuid();
    const espeak = startCliTool(this.#tool, this.#args);
    const stopEspeak = () => espeak.kill();
    this.abortSignal.addEventListener('abort', stopEspeak, { once: true });
    const parser = new WavStreamParser();
    let framer: PcmFramer | undefined;
    // Hold one frame back so the last one can be marked final.
    let held: AudioFrame | undefined;
    const emit = (frames: AudioFrame[]) => {
      for (const frame of frames) {
        if (held) this.#put(requestId, held, false);
        held = frame;
      }
    };

    try {
      espeak.child.stdin.end(this.inputText);
      await consumeCliToolOutput(espeak, (chunk) => {
        const pcm = parser.push(chunk);
        if (!framer && parser.format) framer = this.#framerFor(parser.format);
        if (framer && pcm.length > 0) emit(framer.write(pcm));
      });
      parser.end();
      if (framer) emit(framer.flush());
      if (held) this.#put(requestId, held, true);
    } catch (error) {
      if (this.abortSignal.aborted) return;
      throw error;
    } finally {
      this.abortSignal.removeEventListener('abort', stopEspeak);
      espeak.kill();
      framer?.close();
      if (!this.queue.closed) this.queue.close();
    }
  }

  #framerFor(format: WavFormat): PcmFramer {
    if (format.numChannels !== 1)
      throw new Error(`espeak-ng produced ${format.numChannels} channels; expected mono`);
    return new PcmFramer(format.sampleRate, this.#tts.sampleRate, FRAME_DURATION_MS);
  }

  #put(requestId: string, frame: AudioFrame, final: boolean): void {
    if (!this.queue.closed) this.queue.put({ requestId, segmentId: requestId, frame, final });
  }
}
