import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { endianness, tmpdir } from 'node:os';
import path from 'node:path';
import { type AudioBuffer, normalizeLanguage, shortuuid, stt } from '@livekit/agents';
import { type CliTool, assertCliToolInstalled, runCliTool } from './cli-tool.ts';
import { toMonoPcm } from './mono-pcm.ts';

/** The rate pocketsphinx's en-us acoustic model is trained on. */
export const POCKETSPHINX_SAMPLE_RATE = 16_000;
const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxSTTOptions {
  /** pocketsphinx_continuous program name or path. Default `pocketsphinx_continuous`. */
  binary: string;
  /** Acoustic model directory (`-hmm`). Default: Debian's pocketsphinx-en-us. */
  acousticModelDir: string;
  /** Language model file (`-lm`). Default: Debian's pocketsphinx-en-us. */
  languageModelFile: string;
  /** Pronunciation dictionary file (`-dict`). Default: Debian's pocketsphinx-en-us. */
  dictionaryFile: string;
  /** Language reported on transcripts. Default `en-US`. */
  language: string;
}

const DEFAULT_OPTIONS: PocketsphinxSTTOptions = {
  binary: 'pocketsphinx_continuous',
  acousticModelDir: `${DEBIAN_MODEL_DIR}/en-us`,
  languageModelFile: `${DEBIAN_MODEL_DIR}/en-us.lm.bin`,
  dictionaryFile: `${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`,
  language: 'en-US',
};

/**
 * Local speech-to-text through CMU pocketsphinx's `pocketsphinx_continuous` program.
 *
 * It recognizes whole utterances only (`capabilities.streaming` is false). Give `AgentSession`
 * a VAD as well and it cuts the audio into utterances with `stt.StreamAdapter` by itself;
 * outside a session, wrap it yourself: `new stt.StreamAdapter(new PocketsphinxSTT(), vad)`.
 */
export class PocketsphinxSTT extends stt.STT {
  label = 'attune.PocketsphinxSTT';
  readonly #options: PocketsphinxSTTOptions;
  readonly #tool: CliTool;

  /** Throws when pocketsphinx or its English model is not installed. */
  constructor(options: Partial<PocketsphinxSTTOptions> = {}) {
    super({ streaming: false, interimResults: false });
    this.#options = { ...DEFAULT_OPTIONS, ...options };
    this.#tool = {
      binary: this.#options.binary,
      installHint: 'apt-get install pocketsphinx pocketsphinx-en-us',
    };
    assertCliToolInstalled(this.#tool);
    const { acousticModelDir, languageModelFile, dictionaryFile } = this.#options;
    for (const file of [acousticModelDir, languageModelFile, dictionaryFile]) {
      if (!existsSync(file))
        throw new Error(
          `pocketsphinx model file ${file} is missing: apt-get install pocketsphinx-en-us`,
        );
    }
  }

  override get model(): string {
    return 'pocketsphinx-en-us';
  }

  override get provider(): string {
    return 'pocketsphinx';
  }

  protected async _recognize(
    buffer: AudioBuffer,
    abortSignal?: AbortSignal,
  ): Promise<stt.SpeechEvent> {
    const pcm = toMonoPcm(buffer, POCKETSPHINX_SAMPLE_RATE);
    if (pcm.length === 0) return this.#transcript('', 0);
    // The audio goes through a file: pocketsphinx cannot open the socket Node gives it as stdin.
    const workDir = await mkdtemp(path.join(tmpdir(), 'attune-pocketsphinx-'));
    let stdout: Buffer;
    try {
      const audioFile = path.join(workDir, 'utterance.raw');
      await writeFile(audioFile, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      stdout = await runCliTool(this.#tool, this.#commandLine(audioFile), { abortSignal });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    // pocketsphinx prints one line per utterance it finds in the audio.
    const text = stdout
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join(' ');
    return this.#transcript(text, pcm.length / POCKETSPHINX_SAMPLE_RATE);
  }

  stream(): stt.SpeechStream {
    throw new Error(
      'PocketsphinxSTT does not stream; wrap it: new stt.StreamAdapter(pocketsphinxStt, vad)',
    );
  }

  #commandLine(audioFile: string): string[] {
    return [
      // Raw 16 kHz mono samples; a name not ending in .wav tells pocketsphinx there is no header.
      '-infile',
      audioFile,
      '-samprate',
      String(POCKETSPHINX_SAMPLE_RATE),
      '-input_endian',
      endianness() === 'LE' ? 'little' : 'big',
      '-hmm',
      this.#options.acousticModelDir,
      '-lm',
      this.#options.languageModelFile,
      '-dict',
      this.#options.dictionaryFile,
      '-logfn',
      '/dev/null',
    ];
  }

  #transcript(text: string, durationSeconds: number): stt.SpeechEvent {
    return {
      type: stt.SpeechEventType.FINAL_TRANSCRIPT,
      requestId: shortuuid(),
      alternatives: [
        {
          text,
          language: normalizeLanguage(this.#options.language),
          startTime: 0,
          endTime: durationSeconds,
          // pocketsphinx_continuous does not report a confidence.
          confidence: 0,
        },
      ],
    };
  }
}
