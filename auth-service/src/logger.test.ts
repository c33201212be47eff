import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('logger', () => {
  it('redacts passwords, tokens and secrets wherever they appear in a log line', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({
      password: 'p-top',
      body: { password: 'p-nested', refresh_token: 'r-nested', full_name: 'kept' },
      headers: { authorization: 'Bearer a-nested', cookie: 'c-nested' },
      config: {
        jwtSecret: 'j-nested',
        livekit: { apiSecret: 'l-deep' },
        mail: { smtpUrl: 'smtps://mailer:m-deep@smtp.example.org' },
      },
      env: { SMTP_URL: 'smtp://mailer:m-env@smtp.example.org' },
    });
    const line = lines.join('');
    for (const secret of [
      'p-top',
      'p-nested',
      'r-nested',
      'a-nested',
      'c-nested',
      'j-nested',
      'l-deep',
      'm-deep',
      'm-env',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('kept');
    expect((JSON.parse(line) as { body: { password: string } }).body.password).toBe('[redacted]');
  });
});
