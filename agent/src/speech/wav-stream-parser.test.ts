import { describe, expect, it } from 'vitest';
import { WavStreamParser } from './wav-stream-parser.ts';

function chunk(id: string, body: Buffer, declaredSize = body.length): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(declaredSize, 4);
  return Buffer.concat([header, body, Buffer.alloc(body.length % 2)]);
}

function fmtBody(
  sampleRate: number,
  numChannels: number,
  bitsPerSample = 16,
  audioFormat = 1,
): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt16LE(audioFormat, 0);
  body.writeUInt16LE(numChannels, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE((sampleRate * numChannels * bitsPerSample) / 8, 8);
  body.writeUInt16LE((numChannels * bitsPerSample) / 8, 12);
  body.writeUInt16LE(bitsPerSample, 14);
  return body;
}

function wav(...chunks: Buffer[]): Buffer {
  const riff = Buffer.from('RIFF\xff\xff\xff\xffWAVE', 'latin1');
  return Buffer.concat([riff, ...chunks]);
}

const SAMPLES = Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]);

function parseAll(
  bytes: Buffer,
  pieceSize = bytes.length,
): { parser: WavStreamParser; pcm: Buffer } {
  const parser = new WavStreamParser();
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize)
    pieces.push(parser.push(bytes.subarray(offset, offset + pieceSize)));
  parser.end();
  return { parser, pcm: Buffer.concat(pieces) };
}

describe('WavStreamParser', () => {
  it('reads the format and the samples of a plain 44-byte-header file', () => {
    const { parser, pcm } = parseAll(
      wav(chunk('fmt ', fmtBody(22_050, 1)), chunk('data', SAMPLES)),
    );

    expect(parser.format).toEqual({ sampleRate: 22_050, numChannels: 1, bitsPerSample: 16 });
    expect(pcm).toEqual(SAMPLES);
  });

  it('skips chunks before the data chunk instead of assuming a 44-byte header', () => {
    const list = chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00Lavf5', 'latin1'));
    const { pcm } = parseAll(wav(chunk('fmt ', fmtBody(16_000, 1)), list, chunk('data', SAMPLES)));

    expect(pcm).toEqual(SAMPLES);
  });

  it.each([0xffffffff, 0x7ffff000, 0])(
    'reads until the end of the stream when the data size is the placeholder %i',
    (size) => {
      const { pcm } = parseAll(
        wav(chunk('fmt ', fmtBody(22_050, 1)), chunk('data', SAMPLES, size)),
      );

      expect(pcm).toEqual(SAMPLES);
    },
  );

  it('stops at the declared data size and ignores trailing chunks', () => {
    const bytes = wav(
      chunk('fmt ', fmtBody(22_050, 1)),
      chunk('data', SAMPLES),
      chunk('LIST', Buffer.from('trailing')),
    );

    expect(parseAll(bytes).pcm).toEqual(SAMPLES);
  });

  it('gives the same result when the bytes arrive one at a time', () => {
    const bytes = wav(
      chunk('fmt ', fmtBody(22_050, 1)),
      chunk('LIST', Buffer.from('abc')),
      chunk('data', SAMPLES, 0xffffffff),
    );

    expect(parseAll(bytes, 1).pcm).toEqual(SAMPLES);
  });

  it('rejects input that is not 16-bit PCM WAV', () => {
    expect(() => parseAll(Buffer.from('ID3\x04 this is an mp3 file', 'latin1'))).toThrow(
      'not a RIFF/WAVE stream',
    );
    expect(() =>
      parseAll(wav(chunk('fmt ', fmtBody(8_000, 1, 8)), chunk('data', SAMPLES))),
    ).toThrow('sample width 8 bits');
    expect(() =>
      parseAll(wav(chunk('fmt ', fmtBody(8_000, 1, 32, 3)), chunk('data', SAMPLES))),
    ).toThrow('encoding 3');
  });

  it('reports a stream that ends before any audio', () => {
    expect(() => parseAll(wav(chunk('fmt ', fmtBody(22_050, 1))))).toThrow(
      'ended before its data chunk',
    );
  });
});
