import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';

const SECRET = 'an-agent-secret-of-at-least-32-characters';
const OLLAMA = {
  LLM_BASE_URL: 'http://localhost:11434/v1',
  LLM_MODEL: 'llama3.1',
  AGENT_API_SECRET: SECRET,
};
const dir = mkdtempSync(join(tmpdir(), 'attune-agent-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadAgentConfig', () => {
  it('defaults to the local development LiveKit server, the local agent API and OpenAI', () => {
    const config = loadAgentConfig({ OPENAI_API_KEY: 'sk-test', AGENT_API_SECRET: SECRET });
    expect(config).toMatchObject({
      production: false,
      livekit: { url: 'ws://localhost:7880', apiKey: 'devkey', apiSecret: 'secret' },
      agentName: 'attune-assistant',
      attuneApi: { url: 'http://127.0.0.1:8001', secret: SECRET, timeoutMs: 5000, retries: 3 },
      llm: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1-mini', apiKey: 'sk-test' },
      stt: { provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test' },
      tts: { provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test' },
      interruptionMode: 'vad',
      reconnectWindowMs: 20_000,
    });
    expect(config).not.toHaveProperty('databasePath');
  });

  it('picks any free health port in development, so two workers on one host never collide', () => {
    expect(loadAgentConfig({ ...OLLAMA, SPEECH: 'local' }).worker).toEqual({
      healthHost: '127.0.0.1',
      healthPort: 0,
      loadThreshold: 0.7,
      maxConversations: undefined,
      jobMemoryWarnMb: 300,
      jobMemoryLimitMb: 600,
      jobSemiSpaceMb: 8,
      idleProcesses: undefined,
    });
    const production = loadAgentConfig({
      ...OLLAMA,
      SPEECH: 'local',
      NODE_ENV: 'production',
      LIVEKIT_API_KEY: 'prod',
      LIVEKIT_API_SECRET: 'x'.repeat(40),
    });
    expect(production.worker.healthPort).toBe(8081);
    const tuned = loadAgentConfig({
      ...OLLAMA,
      SPEECH: 'local',
      AGENT_HEALTH_PORT: '9100',
      AGENT_LOAD_THRESHOLD: '0.5',
      AGENT_MAX_CONVERSATIONS: '12',
      AGENT_JOB_MEMORY_LIMIT_MB: '0',
    });
    expect(tuned.worker).toMatchObject({
      healthPort: 9100,
      loadThreshold: 0.5,
      maxConversations: 12,
      jobMemoryLimitMb: 0,
    });
    expect(() =>
      loadAgentConfig({ ...OLLAMA, SPEECH: 'local', AGENT_LOAD_THRESHOLD: '0' }),
    ).toThrow(/AGENT_LOAD_THRESHOLD/);
  });

  it('reads the agent secret the auth service generated in development, and says what to do without it', () => {
    const local = { LLM_BASE_URL: OLLAMA.LLM_BASE_URL, SPEECH: 'local' };
    const file = join(dir, 'agent-api-secret');
    expect(() => loadAgentConfig({ ...local, AGENT_API_SECRET_FILE: file })).toThrow(
      /does not exist yet: start the auth service once \(pnpm start\)/,
    );
    writeFileSync(file, `${SECRET}\n`);
    expect(loadAgentConfig({ ...local, AGENT_API_SECRET_FILE: file }).attuneApi.secret).toBe(
      SECRET,
    );
    expect(() =>
      loadAgentConfig({
        ...local,
        NODE_ENV: 'production',
        LIVEKIT_API_KEY: 'prod',
        LIVEKIT_API_SECRET: 'x'.repeat(40),
        AGENT_API_SECRET_FILE: file,
      }),
    ).toThrow(/AGENT_API_SECRET is not set; set it to the same value as the auth service/);
    expect(() => loadAgentConfig({ ...local, AGENT_API_SECRET: 'short' })).toThrow(
      /AGENT_API_SECRET/,
    );
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
    const config = loadAgentConfig({
      OPENAI_API_KEY: 'sk-speech',
      LLM_API_KEY: 'sk-llm',
      AGENT_API_SECRET: SECRET,
    });
    expect(config.llm.apiKey).toBe('sk-llm');
    expect(config.stt).toMatchObject({ apiKey: 'sk-speech' });
  });

  it('says which keys to set when OpenAI is used without one', () => {
    expect(() => loadAgentConfig({ AGENT_API_SECRET: SECRET })).toThrow(
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
    expect(() => loadAgentConfig({ ...OLLAMA, ATTUNE_API_URL: 'ftp://x' })).toThrow(
      /ATTUNE_API_URL/,
    );
    expect(() => loadAgentConfig({ ...OLLAMA, INTERRUPTION_MODE: 'psychic' })).toThrow(
      /INTERRUPTION_MODE/,
    );
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
