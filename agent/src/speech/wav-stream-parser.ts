/** The PCM layout declared by a WAV file's `fmt ` chunk. */
export interface WavFormat {
  sampleRate: number;
  numChannels: number;
  bitsPerSample: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const MIN_FMT_BYTES = 16;
/** Data sizes that writers streaming to a pipe put in the header because the real size is not known yet. */
const UNKNOWN_DATA_SIZES = new Set([0, 0xffffffff]);

type ParserState =
  | { kind: 'riff-header' }
  | { kind: 'chunk-header' }
  | { kind: 'skip'; remaining: number }
  | { kind: 'fmt'; size: number }
  | { kind: 'data'; remaining: number }
  | { kind: 'done' };

/**
 * Incremental reader of a 16-bit PCM WAV byte stream, such as a program writing WAV to stdout.
 *
 * Walks the RIFF chunks instead of assuming a 44-byte header, skips chunks other than `fmt `
 * and `data`, and reads the `data` chunk until its declared size or, when the size is a
 * streaming placeholder (0, 0xFFFFFFFF or anything larger than what arrives), until the end
 * of the stream.
 */
export class WavStreamParser {
  #buffered: Buffer = Buffer.alloc(0);
  #state: ParserState = { kind: 'riff-header' };
  #format: WavFormat | undefined;

  /** The audio format, once the `fmt ` chunk has been read. */
  get format(): WavFormat | undefined {
    return this.#format;
  }

  /** Feeds the next bytes of the file; returns the PCM sample bytes they contained (possibly none). */
  push(chunk: Uint8Array): Buffer {
    this.#buffered =
      this.#buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffered, chunk]);
    const pcm: Buffer[] = [];
    while (this.#step(pcm)) {
      // Each step consumes a header or a piece of a chunk; stop when more bytes are needed.
    }
    return pcm.length === 1 ? pcm[0]! : Buffer.concat(pcm);
  }

  /** Declares the end of the stream; throws if it ended before any audio could be located. */
  end(): void {
    if (this.#state.kind !== 'data' && this.#state.kind !== 'done') {
      throw new Error('WAV stream ended before its data chunk');
    }
  }

  #step(pcm: Buffer[]): boolean {
    const state = this.#state;
    switch (state.kind) {
      case 'riff-header':
        return this.#readRiffHeader();
      case 'chunk-header':
        return this.#readChunkHeader();
      case 'skip': {
        const skipped = Math.min(state.remaining, this.#buffered.length);
        this.#consume(skipped);
        this.#state =
          skipped === state.remaining
            ? { kind: 'chunk-header' }
            : { kind: 'skip', remaining: state.remaining - skipped };
        return skipped > 0;
      }
      case 'fmt':
        return this.#readFormat(state.size);
      case 'data': {
        const taken = Math.min(state.remaining, this.#buffered.length);
        if (taken > 0) pcm.push(this.#consume(taken));
        this.#state =
          taken === state.remaining
            ? { kind: 'done' }
            : { kind: 'data', remaining: state.remaining - taken };
        return false;
      }
      case 'done':
        this.#buffered = Buffer.alloc(0);
        return false;
    }
  }

  #readRiffHeader(): boolean {
    if (this.#buffered.length < RIFF_HEADER_BYTES) return false;
    if (
      this.#buffered.toString('latin1', 0, 4) !== 'RIFF' ||
      this.#buffered.toString('latin1', 8, 12) !== 'WAVE'
    ) {
      throw new Error('not a RIFF/WAVE stream');
    }
    this.#consume(RIFF_HEADER_BYTES);
    this.#state = { kind: 'chunk-header' };
    return true;
  }

  #readChunkHeader(): boolean {
    if (this.#buffered.length < CHUNK_HEADER_BYTES) return false;
    const id = this.#buffered.toString('latin1', 0, 4);
    const size = this.#buffered.readUInt32LE(4);
    this.#consume(CHUNK_HEADER_BYTES);
    if (id === 'fmt ') {
      if (size < MIN_FMT_BYTES) throw new Error(`WAV fmt chunk is too short (${size} bytes)`);
      this.#state = { kind: 'fmt', size };
    } else if (id === 'data') {
      if (!this.#format) throw new Error('WAV data chunk comes before the fmt chunk');
      this.#state = {
        kind: 'data',
        remaining: UNKNOWN_DATA_SIZES.has(size) ? Number.POSITIVE_INFINITY : size,
      };
    } else {
      this.#state = { kind: 'skip', remaining: size + (size % 2) };
    }
    return true;
  }

  #readFormat(size: number): boolean {
    const paddedSize = size + (size % 2);
    if (this.#buffered.length < paddedSize) return false;
    const audioFormat = this.#buffered.readUInt16LE(0);
    const format: WavFormat = {
      numChannels: this.#buffered.readUInt16LE(2),
      sampleRate: this.#buffered.readUInt32LE(4),
      bitsPerSample: this.#buffered.readUInt16LE(14),
    };
    this.#consume(paddedSize);
    if (audioFormat !== WAVE_FORMAT_PCM && audioFormat !== WAVE_FORMAT_EXTENSIBLE) {
      throw new Error(`unsupported WAV encoding ${audioFormat}; expected PCM`);
    }
    if (format.bitsPerSample !== 16)
      throw new Error(`unsupported WAV sample width ${format.bitsPerSample} bits; expected 16`);
    if (format.numChannels < 1 || format.sampleRate < 1)
      throw new Error('WAV fmt chunk declares no channels or no sample rate');
    this.#format = format;
    this.#state = { kind: 'chunk-header' };
    return true;
  }

  #consume(byteCount: number): Buffer {
    const taken = this.#buffered.subarray(0, byteCount);
    this.#buffered = this.#buffered.subarray(byteCount);
    return taken;
  }
}
