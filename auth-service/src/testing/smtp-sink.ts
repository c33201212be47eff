import type { AddressInfo } from 'node:net';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One mail as the SMTP server received it, parsed the way a mail program reads it. */
export interface ReceivedMail {
  /** MAIL FROM and RCPT TO of the SMTP conversation. */
  envelope: { from: string; to: string[] };
  /** The user the sender authenticated as (AUTH), or null. */
  authenticatedUser: string | null;
  /** The From header: display name ('' if none) and address. */
  from: { name: string; address: string };
  /** The To header's addresses. */
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** Every http(s) URL in the plain text part, in order: the links a person would click. */
  links: string[];
  /** The whole message as received (headers and body). */
  raw: string;
}

export interface SmtpSinkOptions {
  /** Require AUTH with these credentials (then `url` carries them, percent-encoded). */
  auth?: { user: string; pass: string };
  /** TLS from the first byte (smtps://) with smtp-server's built-in self-signed certificate. */
  secure?: boolean;
  /** Holds the answer to each message this long: a slow mail server. */
  replyDelayMs?: number;
}

export interface SmtpSink {
  /** What to set SMTP_URL to; trusts the self-signed certificate when `secure`. */
  url: string;
  port: number;
  /** Every mail received so far, oldest first. */
  messages: ReceivedMail[];
  /**
   * The next mail to `to` (an envelope recipient, case-insensitive) that no earlier call returned;
   * waits for it up to `timeoutMs` (default 5000), then rejects naming what did arrive.
   */
  waitForMail(to: string, options?: { timeoutMs?: number }): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (random port) that keeps what it receives, for tests that read
 * a link out of a mail the service sent.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    secure: options.secure ?? false,
    // Plain SMTP on loopback: no STARTTLS offer, which nodemailer would take up and then refuse
    // the self-signed certificate.
    hideSTARTTLS: true,
    authOptional: !options.auth,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: options.auth ? [] : ['AUTH'],
    closeTimeout: 200,
    logger: false,
    onAuth(auth, _session, callback) {
      if (
        options.auth &&
        auth.username === options.auth.user &&
        auth.password === options.auth.pass
      )
        callback(null, { user: auth.username });
      else
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const text = parsed.text ?? '';
            messages.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              },
              authenticatedUser: typeof session.user === 'string' ? session.user : null,
              from: {
                name: parsed.from?.value[0]?.name ?? '',
                address: parsed.from?.value[0]?.address ?? '',
              },
              to: addresses(parsed.to),
              subject: parsed.subject ?? '',
              text,
              html: typeof parsed.html === 'string' ? parsed.html : null,
              links: text.match(/https?:\/\/\S+/g) ?? [],
              raw: raw.toString('utf8'),
            });
            for (const wake of waiters) wake();
            setTimeout(() => callback(), options.replyDelayMs ?? 0);
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`
    : '';
  const url = options.secure
    ? `smtps://${credentials}127.0.0.1:${port}?tls.rejectUnauthorized=false`
    : `smtp://${credentials}127.0.0.1:${port}`;

  function takeNext(to: string): ReceivedMail | undefined {
    const wanted = to.toLowerCase();
    const mail = messages.find(
      (message) =>
        !taken.has(message) &&
        message.envelope.to.some((recipient) => recipient.toLowerCase() === wanted),
    );
    if (mail) taken.add(mail);
    return mail;
  }

  return {
    url,
    port,
    messages,
    waitForMail(to, { timeoutMs = 5_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const mail = takeNext(to);
          if (!mail) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = messages.map((m) => `${m.envelope.to.join(',')}: ${m.subject}`);
          reject(
            new Error(
              `no mail to ${to} within ${timeoutMs} ms; received: ${seen.length ? seen.join('; ') : 'none'}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) => object.value.flatMap((entry) => entry.address ?? []));
}
