import { voice } from '@livekit/agents';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';
import { sessionModels } from './session-models.ts';
import { EspeakTTS } from './speech/index.ts';
import { initializeQuietAgentLogger } from './testing/session-fixtures.ts';

const LOCAL = {
  LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
  SPEECH: 'local',
  AGENT_API_SECRET: 'an-agent-secret-of-at-least-32-characters',
};

let session: voice.AgentSession | undefined;
beforeAll(initializeQuietAgentLogger);
afterEach(async () => {
  await session?.close();
  session = undefined;
});

describe('the models of a session', () => {
  it('gives the refusal a voice only: no VAD and no turn detector are built for it', async () => {
    const options = await sessionModels(loadAgentConfig(LOCAL)).refusal();
    session = new voice.AgentSession(options);
    expect(session.tts).toBeInstanceOf(EspeakTTS);
    expect(session.vad).toBeUndefined();
    expect(session.turnDetection).toBeUndefined();
    expect(session.stt).toBeUndefined();
    expect(session.llm).toBeUndefined();
  });

  it('interrupts on local voice activity unless adaptive interruption is asked for', async () => {
    const plain = await sessionModels(loadAgentConfig(LOCAL)).conversation();
    expect(plain.turnHandling?.interruption?.mode).toBe('vad');
    expect(plain.vad).toBeDefined();
    expect(plain.turnHandling?.turnDetection).toBeDefined();
    const adaptive = await sessionModels(
      loadAgentConfig({ ...LOCAL, INTERRUPTION_MODE: 'adaptive' }),
    ).conversation();
    expect(adaptive.turnHandling?.interruption?.mode).toBe('adaptive');
  });
});
