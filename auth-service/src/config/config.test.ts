import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const base = {
  JWT_SECRET: 'c'.repeat(48),
  AGENT_API_SECRET: 'g'.repeat(48),
  DATABASE_PATH: '/tmp/attune-config-test.db',
};
const productionKeys = {
  ...base,
  NODE_ENV: 'production',
  LIVEKIT_API_KEY: 'APIprod',
  LIVEKIT_API_SECRET: 'l'.repeat(40),
};

describe('loadConfig', () => {
  it('hands clients LIVEKIT_PUBLIC_URL and keeps LIVEKIT_URL for its own calls', () => {
    const split = loadConfig({
      ...base,
      LIVEKIT_URL: 'ws://livekit:7880',
      LIVEKIT_PUBLIC_URL: 'ws://localhost:7880',
    });
    expect(split.livekit).toMatchObject({
      url: 'ws://livekit:7880',
      publicUrl: 'ws://localhost:7880',
    });
    expect(loadConfig(base).livekit).toMatchObject({
      url: 'ws://localhost:7880',
      publicUrl: 'ws://localhost:7880',
    });
  });

  it('makes the refresh cookie Secure in production unless told otherwise', () => {
    expect(loadConfig(base).cookieSecure).toBe(false);
    expect(
      loadConfig({ ...productionKeys, LIVEKIT_URL: 'wss://attune.livekit.cloud' }).cookieSecure,
    ).toBe(true);
    expect(
      loadConfig({
        ...productionKeys,
        LIVEKIT_URL: 'wss://attune.livekit.cloud',
        COOKIE_SECURE: 'false',
      }).cookieSecure,
    ).toBe(false);
    expect(loadConfig({ ...base, COOKIE_SECURE: 'true' }).cookieSecure).toBe(true);
  });

  it("serves this checkout's web-client/dist unless WEB_CLIENT_DIR says otherwise", () => {
    const dir = loadConfig(base).webClientDir;
    expect(dir.endsWith(join('web-client', 'dist'))).toBe(true);
    expect(existsSync(join(dir, '..', 'index.html'))).toBe(true);
    expect(loadConfig({ ...base, WEB_CLIENT_DIR: 'relative/build' }).webClientDir).toBe(
      join(process.cwd(), 'relative/build'),
    );
  });
});
