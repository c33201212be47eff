import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../testing/smtp-sink.ts';
import { type TestServer, startTestServer } from '../testing/test-server.ts';
import { mailLink } from './mail-link.ts';
import { invitationMail } from './mail-messages.ts';

describe('the mailer the service runs with', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends through SMTP_URL: the sink receives what the app mails', async () => {
    const sink = await startSmtpSink({ auth: { user: 'attune', pass: 'sink-secret' } });
    try {
      server = await startTestServer({
        SMTP_URL: sink.url,
        MAIL_FROM: 'Attune Test <test@attune.example.org>',
        PUBLIC_URL: 'https://attune.example.org',
      });
      const link = mailLink(server.config.publicUrl, 'sign-up', 'invite-token-1');
      await server.mailer.send(
        invitationMail({ to: 'new@example.org', link, validMinutes: 7 * 24 * 60 }),
      );
      const mail = await sink.waitForMail('new@example.org');
      expect(mail.from).toEqual({ name: 'Attune Test', address: 'test@attune.example.org' });
      expect(mail.authenticatedUser).toBe('attune');
      expect(mail.links).toEqual(['https://attune.example.org/sign-up#invite=invite-token-1']);
      expect(server.logs.join('')).not.toContain('sink-secret');
    } finally {
      await server?.close();
      server = undefined;
      await sink.close();
    }
  });

  it('writes into the outbox beside the test database without SMTP_URL', async () => {
    server = await startTestServer();
    await server.mailer.send({ to: 'a@example.org', subject: 'Hello', text: 'outbox-body' });
    expect(server.config.mail.outboxDir).toBe(join(server.config.databasePath, '..', 'mail'));
    const files = readdirSync(server.config.mail.outboxDir);
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    for (const file of files)
      expect(readFileSync(join(server.config.mail.outboxDir, file), 'utf8')).toContain(
        'outbox-body',
      );
  });
});
