import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';

const OLLAMA = { LLM_BASE_URL: 'http://localhost:11434/v1', LLM_MODEL: 'llama3.1' };

describe('loadAgentConfig', () => {
  it('defaults to the local development LiveKit server, the shared database file and OpenAI', () => {
    const config = loadAgentConfig({ OPENAI_API_KEY: 'sk-test' });
    expect(config).toMatchObject({
      production: false,
      livekit: { url: 'ws://localhost:7880', apiKey: 'devkey', apiSecret: 'secret' },
      agentName: 'attune-assistant',
      databasePath: './data/attune.db',
      llm: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1-mini', apiKey: 'sk-test' },
      stt: { provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test' },
      tts: { provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test' },
      memory: { historyMaxTurns: 40, historyMaxChars: 4000, maxPreferences: 100 },
    });
  });

  it('runs fully locally with an OpenAI-compatible server and local speech, no key needed', () => {
    const config = loadAgentConfig({ ...OLLAMA, SPEECH: 'local', ESPEAK_VOICE: 'en-gb' });
    expect(config.llm).toEqual({
      baseUrl: 'http://localhost:11434/v1',
      model: 'llama3.1',
      apiKey: 'not-needed',
    });
    expect(config.stt).toEqual({ provider: 'local' });
    expect(config.tts).toEqual({ provider: 'local', voice: 'en-gb' });
  });

  it('uses Deepgram and ElevenLabs when their keys are set', () => {
    const config = loadAgentConfig({
      ...OLLAMA,
      DEEPGRAM_API_KEY: 'dg',
      ELEVENLABS_API_KEY: 'el',
      TTS_VOICE: 'voice-1',
    });
    expect(config.stt).toEqual({ provider: 'deepgram', apiKey: 'dg', model: 'nova-3' });
    expect(config.tts).toEqual({
      provider: 'elevenlabs',
      apiKey: 'el',
      voiceId: 'voice-1',
      model: undefined,
    });
  });

  it('lets LLM_API_KEY override OPENAI_API_KEY for the language model only', () => {
    const config = loadAgentConfig({ OPENAI_API_KEY: 'sk-speech', LLM_API_KEY: 'sk-llm' });
    expect(config.llm.apiKey).toBe('sk-llm');
    expect(config.stt).toMatchObject({ apiKey: 'sk-speech' });
  });

  it('says which keys to set when OpenAI is used without one', () => {
    expect(() => loadAgentConfig({})).toThrow(
      /LLM_API_KEY[\s\S]*OPENAI_API_KEY, DEEPGRAM_API_KEY[\s\S]*ELEVENLABS_API_KEY/,
    );
    expect(() => loadAgentConfig({ ...OLLAMA })).toThrow(
      /speech-to-text needs a provider.*SPEECH=local/,
    );
  });

  it('names the invalid setting', () => {
    expect(() => loadAgentConfig({ LIVEKIT_URL: 'https://cloud.example' })).toThrow(
      /LIVEKIT_URL: must start with ws:\/\//,
    );
    expect(() => loadAgentConfig({ SPEECH: 'loud' })).toThrow(/SPEECH:/);
    expect(() => loadAgentConfig({ ...OLLAMA, SPEECH: 'local', ESPEAK_VOICE: '--stdout' })).toThrow(
      /ESPEAK_VOICE/,
    );
    expect(() => loadAgentConfig({ HISTORY_MAX_TURNS: '0' })).toThrow(/HISTORY_MAX_TURNS/);
  });

  it('refuses the development LiveKit keys in production and says what to set', () => {
    const local = { ...OLLAMA, SPEECH: 'local', NODE_ENV: 'production' };
    expect(() => loadAgentConfig(local)).toThrow(
      /Refusing to start the agent with NODE_ENV=production[\s\S]*LIVEKIT_API_KEY and LIVEKIT_API_SECRET/,
    );
    expect(() =>
      loadAgentConfig({ ...local, LIVEKIT_API_KEY: 'prod', LIVEKIT_API_SECRET: 'short' }),
    ).toThrow(/shorter than 32/);
    const config = loadAgentConfig({
      ...local,
      LIVEKIT_API_KEY: 'prod',
      LIVEKIT_API_SECRET: 'x'.repeat(40),
    });
    expect(config.production).toBe(true);
  });
});
