import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../testing/smtp-sink.ts';
import { passwordResetMail } from './mail-messages.ts';
import { MailDeliveryError, type Mailer } from './mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';
import { capturingLogger } from './test-logger.ts';

const FROM = 'Attune <no-reply@attune.example.org>';
const LINK = 'https://attune.example.org/reset-password#token=abc123-_token';

describe('SMTP mailer', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function sinkAndMailer(
    sinkOptions: Parameters<typeof startSmtpSink>[0] = {},
    url?: (sink: SmtpSink) => string,
    sendTimeoutMs?: number,
  ) {
    const sink = await startSmtpSink(sinkOptions);
    cleanups.push(() => sink.close());
    const { logger, lines } = capturingLogger();
    const mailer: Mailer = createSmtpMailer({
      url: url ? url(sink) : sink.url,
      from: FROM,
      logger,
      ...(sendTimeoutMs ? { sendTimeoutMs } : {}),
    });
    cleanups.push(() => mailer.close());
    return { sink, mailer, lines };
  }

  it('delivers a mail to a real SMTP server with the right from, to, subject, text and link', async () => {
    const { sink, mailer } = await sinkAndMailer();
    await mailer.send(
      passwordResetMail({ to: 'ada@example.org', name: 'Ada', link: LINK, validMinutes: 30 }),
    );
    const mail = await sink.waitForMail('ada@example.org');
    expect(mail.envelope).toEqual({ from: 'no-reply@attune.example.org', to: ['ada@example.org'] });
    expect(mail.from).toEqual({ name: 'Attune', address: 'no-reply@attune.example.org' });
    expect(mail.to).toEqual(['ada@example.org']);
    expect(mail.subject).toBe('Reset your Attune password');
    expect(mail.text).toContain('Hello Ada,');
    expect(mail.text.split(/\r?\n/)).toContain(LINK);
    expect(mail.links).toEqual([LINK]);
    expect(mail.html).toContain(`href="${LINK}"`);
    expect(mail.authenticatedUser).toBeNull();
  });

  it('signs in with the credentials in SMTP_URL, percent-encoded characters included', async () => {
    const auth = { user: 'mailer@example.org', pass: 'p@ss:w/rd%' };
    const { sink, mailer, lines } = await sinkAndMailer({ auth });
    expect(sink.url).toContain('mailer%40example.org:p%40ss%3Aw%2Frd%25@127.0.0.1');
    await mailer.send({ to: 'bob@example.org', subject: 'Hi', text: `Open\n\n${LINK}\n` });
    const mail = await sink.waitForMail('BOB@example.org');
    expect(mail.authenticatedUser).toBe('mailer@example.org');
    expect(mail.links).toEqual([LINK]);
    expect(lines.join('')).not.toContain('p@ss');
  });

  it('refuses wrong credentials with an error and a log line that hold no password', async () => {
    const { mailer, lines } = await sinkAndMailer(
      { auth: { user: 'mailer', pass: 'right-password' } },
      (sink) => `smtp://mailer:wrong-password-xyz@127.0.0.1:${sink.port}`,
    );
    const error = await mailer.send({ to: 'ada@example.org', subject: 'Hi', text: 'x' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect(error?.message).toContain(`smtp://127.0.0.1:`);
    expect(error?.message).not.toContain('wrong-password-xyz');
    const logged = lines.join('');
    expect(logged).toContain('mail could not be sent');
    expect(logged).toContain('535');
    expect(logged).not.toContain('wrong-password-xyz');
  });

  it('speaks TLS from the first byte for smtps://', async () => {
    const { sink, mailer } = await sinkAndMailer({ secure: true, auth: { user: 'u', pass: 'p' } });
    expect(sink.url).toMatch(/^smtps:\/\//);
    await mailer.send({ to: 'tls@example.org', subject: 'Over TLS', text: LINK });
    expect((await sink.waitForMail('tls@example.org')).subject).toBe('Over TLS');
    // The same server spoken to in plain text never delivers.
    const { mailer: plain } = await sinkAndMailer(
      {},
      () => sink.url.replace('smtps://', 'smtp://'),
      800,
    );
    await expect(
      plain.send({ to: 'tls@example.org', subject: 'Plain', text: 'x' }),
    ).rejects.toThrow(MailDeliveryError);
  });

  it('gives up on a mail server that does not answer, within the send timeout', async () => {
    // Accepts connections and never says a word (not even the greeting).
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => silent.close(() => resolve())));
    const port = (silent.address() as { port: number }).port;
    const { mailer, lines } = await sinkAndMailer({}, () => `smtp://127.0.0.1:${port}`, 600);
    const started = Date.now();
    await expect(mailer.send({ to: 'a@example.org', subject: 'x', text: 'x' })).rejects.toThrow(
      MailDeliveryError,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(lines.join('')).toContain('mail could not be sent');
  });

  it('gives up on a server that takes the mail but holds its answer', async () => {
    const { sink, mailer } = await sinkAndMailer({ replyDelayMs: 5_000 }, undefined, 700);
    const started = Date.now();
    await expect(mailer.send({ to: 'slow@example.org', subject: 'x', text: 'x' })).rejects.toThrow(
      /no answer within 700 ms/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(sink.messages).toHaveLength(1);
  });
});
