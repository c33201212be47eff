import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';
import { createLanguageModel, createSpeechToText, createTextToSpeech } from './providers.ts';
import { EspeakTTS, PocketsphinxSTT } from './speech/index.ts';
import { initializeQuietAgentLogger } from './testing/session-fixtures.ts';

beforeAll(initializeQuietAgentLogger);

const OLLAMA = {
  LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
  LLM_MODEL: 'llama3.1',
  AGENT_API_SECRET: 'an-agent-secret-of-at-least-32-characters',
};

describe('providers from config', () => {
  it('talks to any OpenAI-compatible server for the language model', async () => {
    const model = await createLanguageModel(loadAgentConfig({ ...OLLAMA, SPEECH: 'local' }).llm);
    expect(model).toBeInstanceOf(openai.LLM);
    expect(model.model).toBe('llama3.1');
  });

  it('builds the local speech pair on espeak-ng and pocketsphinx', async () => {
    const config = loadAgentConfig({ ...OLLAMA, SPEECH: 'local' });
    expect(await createSpeechToText(config.stt)).toBeInstanceOf(PocketsphinxSTT);
    expect(await createTextToSpeech(config.tts)).toBeInstanceOf(EspeakTTS);
  });

  it('uses Deepgram and ElevenLabs when their keys are set', async () => {
    const config = loadAgentConfig({
      ...OLLAMA,
      DEEPGRAM_API_KEY: 'dg-key',
      ELEVENLABS_API_KEY: 'el-key',
    });
    expect(await createSpeechToText(config.stt)).toBeInstanceOf(deepgram.STT);
    expect(await createTextToSpeech(config.tts)).toBeInstanceOf(elevenlabs.TTS);
  });

  it('uses the OpenAI plugin for speech, also against a self-hosted OpenAI-compatible server', async () => {
    const cloud = loadAgentConfig({
      OPENAI_API_KEY: 'sk-test',
      AGENT_API_SECRET: OLLAMA.AGENT_API_SECRET,
    });
    expect(await createSpeechToText(cloud.stt)).toBeInstanceOf(openai.STT);
    expect(await createTextToSpeech(cloud.tts)).toBeInstanceOf(openai.TTS);
    const selfHosted = loadAgentConfig({
      ...OLLAMA,
      STT_BASE_URL: 'http://127.0.0.1:8001/v1',
      TTS_BASE_URL: 'http://127.0.0.1:8002/v1',
    });
    const speechToText = await createSpeechToText(selfHosted.stt);
    expect(speechToText).toBeInstanceOf(openai.STT);
    expect(speechToText.capabilities.streaming).toBe(false);
    expect(await createTextToSpeech(selfHosted.tts)).toBeInstanceOf(openai.TTS);
  });
});
