import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { initializeLogger, stt } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { EspeakTTS } from './espeak-tts.ts';
import { PocketsphinxSTT } from './pocketsphinx-stt.ts';
import { silenceFrames } from './test-audio.ts';

async function speak(text: string): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const audio of new EspeakTTS().synthesize(text)) frames.push(audio.frame);
  return frames;
}

function pocketsphinxTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('attune-pocketsphinx-'));
}

describe('PocketsphinxSTT', () => {
  beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));

  it('transcribes espeak-ng speech (22050 Hz frames) into a final, non-empty transcript', async () => {
    const recognizer = new PocketsphinxSTT();
    const tempDirsBefore = pocketsphinxTempDirs();
    const event = await recognizer.recognize(await speak('Please turn on the kitchen lights'));

    expect(event.type).toBe(stt.SpeechEventType.FINAL_TRANSCRIPT);
    const [best] = event.alternatives ?? [];
    expect(best?.text.trim()).toMatch(/[a-z]/);
    expect(best?.language).toBe('en-US');
    expect(pocketsphinxTempDirs()).toEqual(tempDirsBefore);
  });

  it('returns an empty transcript for silence and for no audio at all', async () => {
    const recognizer = new PocketsphinxSTT();

    expect((await recognizer.recognize(silenceFrames(1, 16_000))).alternatives?.[0]?.text).toBe('');
    expect((await recognizer.recognize([])).alternatives?.[0]?.text).toBe('');
  });

  it('declares itself non-streaming so AgentSession pairs it with a VAD', () => {
    const recognizer = new PocketsphinxSTT();

    expect(recognizer.capabilities).toMatchObject({ streaming: false, interimResults: false });
    expect(() => recognizer.stream()).toThrow('stt.StreamAdapter');
  });

  it('names the missing program or model and how to install it', () => {
    expect(() => new PocketsphinxSTT({ binary: 'pocketsphinx-not-here' })).toThrow(
      'pocketsphinx-not-here is not installed: apt-get install pocketsphinx pocketsphinx-en-us',
    );
    expect(() => new PocketsphinxSTT({ dictionaryFile: '/nonexistent/cmudict.dict' })).toThrow(
      'pocketsphinx model file /nonexistent/cmudict.dict is missing: apt-get install pocketsphinx-en-us',
    );
  });
});
