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
  SMTP_URL: 'smtps://mailer:mail-password@smtp.example.org:465',
  PUBLIC_URL: 'https://attune.example.org',
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

  it('makes the refresh cookie Secure in production, and elsewhere when told to', () => {
    expect(loadConfig(base).cookieSecure).toBe(false);
    expect(
      loadConfig({ ...productionKeys, LIVEKIT_URL: 'wss://attune.livekit.cloud' }).cookieSecure,
    ).toBe(true);
    expect(loadConfig({ ...base, COOKIE_SECURE: 'false' }).cookieSecure).toBe(false);
    expect(loadConfig({ ...base, COOKIE_SECURE: 'true' }).cookieSecure).toBe(true);
  });

  it('refuses a DATABASE_PATH under /proc, /sys or /dev before touching anything beside it', () => {
    for (const path of [
      '/proc/attune.db',
      '/proc/self/fd/0',
      '/sys/kernel/attune.db',
      '/dev/zero',
    ]) {
      // Without JWT_SECRET the development secret would be looked for beside the database first.
      expect(() => loadConfig({ ...base, JWT_SECRET: '', DATABASE_PATH: path }), path).toThrow(
        /^DATABASE_PATH: .* is inside \/(proc|sys|dev), which holds kernel or device files, not a database; set it to a file in a writable folder/,
      );
    }
  });

  it("serves this checkout's web-client/dist unless WEB_CLIENT_DIR says otherwise", () => {
    const dir = loadConfig(base).webClientDir;
    expect(dir.endsWith(join('web-client', 'dist'))).toBe(true);
    expect(existsSync(join(dir, '..', 'index.html'))).toBe(true);
    expect(loadConfig({ ...base, WEB_CLIENT_DIR: 'relative/build' }).webClientDir).toBe(
      join(process.cwd(), 'relative/build'),
    );
  });

  it('points links in mails at PUBLIC_URL, by default at the listener itself', () => {
    expect(loadConfig(base).publicUrl).toBe('http://127.0.0.1:8000');
    expect(loadConfig({ ...base, HOST: 'localhost', PORT: '9000' }).publicUrl).toBe(
      'http://localhost:9000',
    );
    // A wildcard listener is not an address a browser can open.
    expect(loadConfig({ ...base, HOST: '0.0.0.0' }).publicUrl).toBe('http://localhost:8000');
    expect(loadConfig({ ...base, HOST: '::1' }).publicUrl).toBe('http://[::1]:8000');
    expect(loadConfig({ ...base, PUBLIC_URL: 'https://attune.example.org/' }).publicUrl).toBe(
      'https://attune.example.org',
    );
  });

  it('mails through SMTP_URL, else into the mail folder beside the database', () => {
    expect(loadConfig(base).mail).toEqual({
      from: 'Attune <no-reply@localhost>',
      smtpUrl: null,
      outboxDir: '/tmp/mail',
    });
    expect(loadConfig({ ...base, DATABASE_PATH: 'relative/data/attune.db' }).mail.outboxDir).toBe(
      join(process.cwd(), 'relative/data/mail'),
    );
    expect(
      loadConfig({ ...productionKeys, LIVEKIT_URL: 'wss://attune.livekit.cloud' }).mail,
    ).toMatchObject({ smtpUrl: productionKeys.SMTP_URL });
  });

  it('reads who may sign up and whether addresses must be verified, open and unverified by default', () => {
    const defaults = loadConfig(base);
    expect(defaults.registration).toEqual({ mode: 'open', maxUsers: null });
    expect(defaults.requireEmailVerification).toBe(false);
    const set = loadConfig({
      ...base,
      REGISTRATION: 'invite',
      MAX_USERS: '25',
      REQUIRE_EMAIL_VERIFICATION: 'true',
    });
    expect(set.registration).toEqual({ mode: 'invite', maxUsers: 25 });
    expect(set.requireEmailVerification).toBe(true);
    for (const bad of [
      { REGISTRATION: 'public' },
      { MAX_USERS: '0' },
      { MAX_USERS: 'many' },
      { REQUIRE_EMAIL_VERIFICATION: 'yes' },
    ])
      expect(() => loadConfig({ ...base, ...bad })).toThrow(Object.keys(bad)[0]);
  });
});
