import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env.ts';

const STRONG_SECRET = 'x'.repeat(48);
const LIVEKIT_SECRET = 'l'.repeat(40);
const LIVEKIT_CLOUD = 'wss://attune.livekit.cloud';
const AGENT_SECRET = 'a'.repeat(40);
/** What production needs for mail, so tests of other settings pass it. */
const PRODUCTION_MAIL = {
  SMTP_URL: 'smtps://mailer:mail-password@smtp.example.org:465',
  PUBLIC_URL: 'https://attune.example.org',
};

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
    const base = {
      NODE_ENV: 'production',
      ...PRODUCTION_MAIL,
      JWT_SECRET: STRONG_SECRET,
      LIVEKIT_URL: LIVEKIT_CLOUD,
    };
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
        ...PRODUCTION_MAIL,
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
      ...PRODUCTION_MAIL,
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
      ...PRODUCTION_MAIL,
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

  it('refuses production with settings that give away what the secrets protect', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      AGENT_API_SECRET: AGENT_SECRET,
      LIVEKIT_URL: LIVEKIT_CLOUD,
      LIVEKIT_API_KEY: 'APIprod',
      LIVEKIT_API_SECRET: LIVEKIT_SECRET,
      ...PRODUCTION_MAIL,
    };
    expect(parseEnv(production).NODE_ENV).toBe('production');
    expect(
      captureError(() => parseEnv({ ...production, JWT_SECRET: LIVEKIT_SECRET })).message,
    ).toContain(
      'JWT_SECRET is the same as LIVEKIT_API_SECRET, so whoever holds the LiveKit key pair could sign Attune sign-ins; set JWT_SECRET to a random string of its own',
    );
    expect(
      captureError(() => parseEnv({ ...production, COOKIE_SECURE: 'false' })).message,
    ).toContain('COOKIE_SECURE=false would send the refresh cookie over plain http');
    expect(parseEnv({ ...production, COOKIE_SECURE: 'true' }).COOKIE_SECURE).toBe('true');

    for (const wide of [
      '0.0.0.0/0',
      '::/0',
      '10.0.0.1, 128.0.0.0/1',
      '0.0.0.0/7',
      '2000::/3',
      '::ffff:0.0.0.0/96',
    ]) {
      const message = captureError(() =>
        parseEnv({ ...production, TRUSTED_PROXIES: wide }),
      ).message;
      expect(message, wide).toContain(
        `TRUSTED_PROXIES includes ${wide.split(', ').pop()}, wider than /8 (IPv4) or /16 (IPv6`,
      );
      expect(message, wide).toContain(
        "list your reverse proxies' addresses or their private network",
      );
    }
    // Private networks, Cloudflare's widest published ranges, and single proxies stay allowed.
    for (const narrow of [
      '10.0.0.0/8',
      '172.16.0.0/12',
      'fc00::/7',
      'fd00::/8',
      '104.16.0.0/13',
      '2606:4700::/32',
      '203.0.113.7',
      '::1',
    ]) {
      expect(parseEnv({ ...production, TRUSTED_PROXIES: narrow }).TRUSTED_PROXIES, narrow).toEqual([
        narrow,
      ]);
    }
    // Outside production these are the operator's to choose (a LAN test, plain http on loopback).
    expect(
      parseEnv({ TRUSTED_PROXIES: '0.0.0.0/0', COOKIE_SECURE: 'false' }).TRUSTED_PROXIES,
    ).toEqual(['0.0.0.0/0']);
  });

  it('lists every production problem at once', () => {
    const message = captureError(() => parseEnv({ NODE_ENV: 'production' })).message;
    expect(message).toContain('LIVEKIT_API_KEY');
    expect(message).toContain('JWT_SECRET');
    expect(message).toContain('AGENT_API_SECRET is not set');
    expect(message).toContain('SMTP_URL is not set');
    expect(message).toContain('PUBLIC_URL is not set');
  });

  it('wants an agent secret of its own: long, and none of the service’s other secrets', () => {
    const production = {
      NODE_ENV: 'production',
      ...PRODUCTION_MAIL,
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
      ...PRODUCTION_MAIL,
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

describe('parseEnv: mail settings', () => {
  const production = {
    NODE_ENV: 'production',
    JWT_SECRET: STRONG_SECRET,
    AGENT_API_SECRET: AGENT_SECRET,
    LIVEKIT_URL: LIVEKIT_CLOUD,
    LIVEKIT_API_KEY: 'APIprod',
    LIVEKIT_API_SECRET: LIVEKIT_SECRET,
  };

  it('takes smtp:// and smtps:// URLs, with or without credentials, and nothing else', () => {
    for (const url of [
      'smtp://localhost:1025',
      'smtp://smtp.example.org',
      'smtps://user%40example.org:p%40ss@smtp.example.org:465',
      'smtp://user:pass@[::1]:25?tls.rejectUnauthorized=false',
    ])
      expect(parseEnv({ SMTP_URL: url }).SMTP_URL).toBe(url);
    for (const url of [
      'http://smtp.example.org',
      'smtp.example.org:587',
      'smtp://',
      'smtp://user:pass@smtp.example.org/path',
      'smtps://smtp.example.org#x',
    ]) {
      const message = captureError(() => parseEnv({ SMTP_URL: url })).message;
      expect(message).toContain('SMTP_URL: must be smtp://[user:pass@]host[:port] or smtps://');
    }
  });

  it('never repeats the SMTP_URL it refuses: it may hold a password', () => {
    const message = captureError(() =>
      parseEnv({ SMTP_URL: 'imap://mailer:hunter2-secret@mail.example.org' }),
    ).message;
    expect(message).toContain('SMTP_URL');
    expect(message).not.toContain('hunter2-secret');
    const refusal = captureError(() =>
      parseEnv({ ...production, SMTP_URL: 'smtps://mailer:hunter2-secret@mail.example.org' }),
    ).message;
    expect(refusal).not.toContain('hunter2-secret');
  });

  it('has a MAIL_FROM default and takes an address with or without a display name', () => {
    expect(parseEnv({}).MAIL_FROM).toBe('Attune <no-reply@localhost>');
    expect(parseEnv({ MAIL_FROM: 'no-reply@example.org' }).MAIL_FROM).toBe('no-reply@example.org');
    expect(parseEnv({ MAIL_FROM: '"Attune, the assistant" <a@example.org>' }).MAIL_FROM).toBe(
      '"Attune, the assistant" <a@example.org>',
    );
    for (const from of ['Attune', 'Attune <no-reply>', 'a@b\r\nBcc: c@d', 'A <a@b', 'a b@c'])
      expect(() => parseEnv({ MAIL_FROM: from })).toThrow(/MAIL_FROM: must be an address/);
  });

  it('takes an http(s) PUBLIC_URL and drops its trailing slash', () => {
    expect(parseEnv({}).PUBLIC_URL).toBeUndefined();
    expect(parseEnv({ PUBLIC_URL: 'https://attune.example.org/' }).PUBLIC_URL).toBe(
      'https://attune.example.org',
    );
    expect(parseEnv({ PUBLIC_URL: 'https://example.org/attune//' }).PUBLIC_URL).toBe(
      'https://example.org/attune',
    );
    for (const url of [
      'ftp://example.org',
      'attune.example.org',
      'https://a.org/?x=1',
      'https://a.org/#x',
    ])
      expect(() => parseEnv({ PUBLIC_URL: url })).toThrow(
        /PUBLIC_URL: must be an http:\/\/ or https:\/\/ URL/,
      );
  });

  it('refuses production without SMTP_URL, saying what to set', () => {
    const message = captureError(() =>
      parseEnv({ ...production, PUBLIC_URL: 'https://attune.example.org' }),
    ).message;
    expect(message).toContain('Refusing to start with NODE_ENV=production');
    expect(message).toContain(
      'set SMTP_URL to your mail server, e.g. smtps://user:pass@smtp.example.com:465',
    );
    expect(message).not.toContain('PUBLIC_URL');
  });

  it('refuses production with PUBLIC_URL unset or not https', () => {
    const withSmtp = { ...production, SMTP_URL: 'smtps://mailer:pw@smtp.example.org:465' };
    expect(captureError(() => parseEnv(withSmtp)).message).toContain('PUBLIC_URL is not set');
    expect(
      captureError(() => parseEnv({ ...withSmtp, PUBLIC_URL: 'http://attune.example.org' }))
        .message,
    ).toContain('PUBLIC_URL is not https://');
    expect(parseEnv({ ...withSmtp, PUBLIC_URL: 'https://attune.example.org' })).toMatchObject({
      SMTP_URL: 'smtps://mailer:pw@smtp.example.org:465',
      PUBLIC_URL: 'https://attune.example.org',
    });
  });

  it('lets development and tests run without SMTP_URL and on http', () => {
    for (const NODE_ENV of ['development', 'test'])
      expect(parseEnv({ NODE_ENV, PUBLIC_URL: 'http://localhost:8000' }).SMTP_URL).toBeUndefined();
  });
});

describe('parseEnv: Redis settings', () => {
  const production = {
    NODE_ENV: 'production',
    JWT_SECRET: STRONG_SECRET,
    AGENT_API_SECRET: AGENT_SECRET,
    LIVEKIT_URL: LIVEKIT_CLOUD,
    LIVEKIT_API_KEY: 'APIprod',
    LIVEKIT_API_SECRET: LIVEKIT_SECRET,
    ...PRODUCTION_MAIL,
  };

  it('takes redis:// and rediss:// URLs, with credentials and a database number, and nothing else', () => {
    for (const url of [
      'redis://localhost:6379',
      'redis://cache',
      'rediss://default:p%40ss@cache.example.org:6380/3',
      'redis://:secret@[::1]:6379/0',
      'redis://cache:6379/',
    ])
      expect(parseEnv({ REDIS_URL: url }).REDIS_URL).toBe(url);
    for (const url of [
      'http://cache:6379',
      'cache:6379',
      'redis://',
      'redis://cache:6379/db',
      'redis://cache:6379/0/1',
      'redis://cache#x',
    ]) {
      const message = captureError(() => parseEnv({ REDIS_URL: url })).message;
      expect(message, url).toContain('REDIS_URL: must be redis://');
    }
  });

  it('never repeats the REDIS_URL it refuses: it may hold a password', () => {
    const message = captureError(() =>
      parseEnv({ REDIS_URL: 'redis://:hunter2-secret@cache:6379/notadb' }),
    ).message;
    expect(message).toContain('REDIS_URL');
    expect(message).not.toContain('hunter2-secret');
  });

  it('refuses production with REDIS_URL but rate limits off: nothing would be shared', () => {
    const redis = { ...production, REDIS_URL: 'redis://:hunter2-secret@cache:6379' };
    expect(parseEnv(redis).REDIS_URL).toBe(redis.REDIS_URL);
    const message = captureError(() => parseEnv({ ...redis, RATE_LIMIT_ENABLED: 'false' })).message;
    expect(message).toContain('REDIS_URL is set but RATE_LIMIT_ENABLED=false');
    expect(message).not.toContain('hunter2-secret');
    expect(parseEnv({ ...redis, RATE_LIMIT_ENABLED: 'false', NODE_ENV: 'test' }).REDIS_URL).toBe(
      redis.REDIS_URL,
    );
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
