import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env.ts';

const STRONG_SECRET = 'x'.repeat(48);
const LIVEKIT_SECRET = 'l'.repeat(40);
const LIVEKIT_CLOUD = 'wss://attune.livekit.cloud';
const AGENT_SECRET = 'a'.repeat(40);

describe('parseEnv', () => {
  it('has the documented defaults', () => {
    expect(parseEnv({})).toMatchObject({
      NODE_ENV: 'development',
      PORT: 8000,
      HOST: '127.0.0.1',
      DATABASE_PATH: './data/attune.db',
      LIVEKIT_URL: 'ws://localhost:7880',
      LIVEKIT_API_KEY: 'devkey',
      LIVEKIT_API_SECRET: 'secret',
      AGENT_NAME: 'attune-assistant',
      BCRYPT_COST: 12,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      LIVEKIT_TOKEN_TTL_SECONDS: 600,
    });
  });

  it('names each invalid variable', () => {
    expect(() => parseEnv({ PORT: 'eighty', LIVEKIT_URL: 'http://example.org' })).toThrowError(
      /PORT[\s\S]*LIVEKIT_URL: must start with ws:\/\/ or wss:\/\//,
    );
  });

  it('refuses production on the development LiveKit keys, either of them, saying what to set', () => {
    const base = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, LIVEKIT_URL: LIVEKIT_CLOUD };
    for (const keys of [
      {},
      { LIVEKIT_API_KEY: 'APIprod' },
      { LIVEKIT_API_SECRET: LIVEKIT_SECRET },
    ]) {
      const error = captureError(() => parseEnv({ ...base, ...keys }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(
        'LIVEKIT_API_KEY and LIVEKIT_API_SECRET are the development keys',
      );
    }
  });

  it('refuses production on a short LiveKit secret', () => {
    const message = captureError(() =>
      parseEnv({
        NODE_ENV: 'production',
        JWT_SECRET: STRONG_SECRET,
        LIVEKIT_URL: LIVEKIT_CLOUD,
        LIVEKIT_API_KEY: 'APIprod',
        LIVEKIT_API_SECRET: 'short',
      }),
    ).message;
    expect(message).toContain('LIVEKIT_API_SECRET is shorter than 32 characters');
  });

  it('refuses production without an explicit LiveKit URL, or with ws:// to a remote host', () => {
    const base = {
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      AGENT_API_SECRET: AGENT_SECRET,
      LIVEKIT_API_KEY: 'APIprod',
      LIVEKIT_API_SECRET: LIVEKIT_SECRET,
    };
    expect(captureError(() => parseEnv(base)).message).toContain(
      'LIVEKIT_URL is not set; set the wss:// URL',
    );
    expect(
      captureError(() => parseEnv({ ...base, LIVEKIT_URL: 'ws://livekit.example.org' })).message,
    ).toContain('set a wss:// URL');
    expect(parseEnv({ ...base, LIVEKIT_URL: 'ws://localhost:7880' }).LIVEKIT_URL).toBe(
      'ws://localhost:7880',
    );
    expect(parseEnv({ ...base, LIVEKIT_URL: LIVEKIT_CLOUD }).LIVEKIT_URL).toBe(LIVEKIT_CLOUD);
  });

  it('refuses production without a JWT secret or with a short one, saying what to set', () => {
    const keys = {
      NODE_ENV: 'production',
      AGENT_API_SECRET: AGENT_SECRET,
      LIVEKIT_URL: LIVEKIT_CLOUD,
      LIVEKIT_API_KEY: 'APIprod',
      LIVEKIT_API_SECRET: LIVEKIT_SECRET,
    };
    expect(captureError(() => parseEnv(keys)).message).toContain(
      'JWT_SECRET is not set; set it to a random string of at least 32 characters',
    );
    expect(captureError(() => parseEnv({ ...keys, JWT_SECRET: 'short' })).message).toContain(
      'JWT_SECRET is shorter than 32 characters',
    );
    expect(parseEnv({ ...keys, JWT_SECRET: STRONG_SECRET }).NODE_ENV).toBe('production');
  });

  it('lists every production problem at once', () => {
    const message = captureError(() => parseEnv({ NODE_ENV: 'production' })).message;
    expect(message).toContain('LIVEKIT_API_KEY');
    expect(message).toContain('JWT_SECRET');
    expect(message).toContain('AGENT_API_SECRET is not set');
  });

  it('wants an agent secret of its own: long, and none of the service’s other secrets', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      LIVEKIT_URL: LIVEKIT_CLOUD,
      LIVEKIT_API_KEY: 'APIprod',
      LIVEKIT_API_SECRET: LIVEKIT_SECRET,
    };
    expect(captureError(() => parseEnv(production)).message).toContain(
      'AGENT_API_SECRET is not set; set it to a random string of at least 32 characters',
    );
    expect(parseEnv({ ...production, AGENT_API_SECRET: AGENT_SECRET }).AGENT_API_SECRET).toBe(
      AGENT_SECRET,
    );
    for (const env of [production, {}]) {
      expect(captureError(() => parseEnv({ ...env, AGENT_API_SECRET: 'short' })).message).toContain(
        'AGENT_API_SECRET must be at least 32 characters',
      );
    }
    expect(
      captureError(() => parseEnv({ ...production, AGENT_API_SECRET: STRONG_SECRET })).message,
    ).toContain('AGENT_API_SECRET must differ from JWT_SECRET and LIVEKIT_API_SECRET');
    expect(
      captureError(() => parseEnv({ ...production, AGENT_API_SECRET: LIVEKIT_SECRET })).message,
    ).toContain('must differ');
  });

  it('serves the internal agent API on its own loopback port by default', () => {
    expect(parseEnv({})).toMatchObject({ INTERNAL_PORT: 8001, INTERNAL_HOST: '127.0.0.1' });
  });

  it('reads CORS_ORIGINS as a list of origins and refuses paths', () => {
    expect(
      parseEnv({ CORS_ORIGINS: 'https://a.example.org, http://localhost:5173' }).CORS_ORIGINS,
    ).toEqual(['https://a.example.org', 'http://localhost:5173']);
    expect(parseEnv({}).CORS_ORIGINS).toEqual([]);
    expect(() => parseEnv({ CORS_ORIGINS: 'https://a.example.org/app' })).toThrow(/CORS_ORIGINS/);
  });

  it('checks the LiveKit URL browsers get: LIVEKIT_PUBLIC_URL when set, else LIVEKIT_URL', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      AGENT_API_SECRET: AGENT_SECRET,
      LIVEKIT_API_KEY: 'APIprod',
      LIVEKIT_API_SECRET: LIVEKIT_SECRET,
    };
    // Inside Docker the service reaches LiveKit by its service name; browsers get the public wss:// URL.
    expect(
      parseEnv({
        ...production,
        LIVEKIT_URL: 'ws://livekit:7880',
        LIVEKIT_PUBLIC_URL: LIVEKIT_CLOUD,
      }).LIVEKIT_PUBLIC_URL,
    ).toBe(LIVEKIT_CLOUD);
    const message = captureError(() =>
      parseEnv({
        ...production,
        LIVEKIT_URL: LIVEKIT_CLOUD,
        LIVEKIT_PUBLIC_URL: 'ws://livekit.example.org',
      }),
    ).message;
    expect(message).toContain('LIVEKIT_PUBLIC_URL uses ws:// to a remote host');
    expect(() => parseEnv({ LIVEKIT_PUBLIC_URL: 'https://livekit.example.org' })).toThrow(
      /LIVEKIT_PUBLIC_URL: must start with ws:\/\/ or wss:\/\//,
    );
  });

  it('reads COOKIE_SECURE as auto, true or false', () => {
    expect(parseEnv({}).COOKIE_SECURE).toBe('auto');
    expect(parseEnv({ COOKIE_SECURE: 'false' }).COOKIE_SECURE).toBe('false');
    expect(() => parseEnv({ COOKIE_SECURE: 'yes' })).toThrow(/COOKIE_SECURE/);
  });

  it('treats empty variables as unset', () => {
    const env = parseEnv({ PORT: '', JWT_SECRET: '' });
    expect(env.PORT).toBe(8000);
    expect(env.JWT_SECRET).toBeUndefined();
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a ConfigError');
}
