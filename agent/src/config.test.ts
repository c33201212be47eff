import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';

describe('loadAgentConfig', () => {
  it('defaults to the local development LiveKit server and the shared database file', () => {
    expect(loadAgentConfig({})).toEqual({
      LIVEKIT_URL: 'ws://localhost:7880',
      LIVEKIT_API_KEY: 'devkey',
      LIVEKIT_API_SECRET: 'secret',
      AGENT_NAME: 'attune-assistant',
      DATABASE_PATH: './data/attune.db',
    });
  });

  it('names the invalid setting', () => {
    expect(() => loadAgentConfig({ LIVEKIT_URL: 'https://cloud.example' })).toThrow(/LIVEKIT_URL: must start with ws:\/\//);
  });
});
