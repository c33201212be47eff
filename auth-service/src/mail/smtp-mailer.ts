import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { smtpUrlWithoutCredentials } from '../config/mail-settings.ts';
import { MailDeliveryError, type MailMessage, type Mailer } from './mailer.ts';

/** How long one `send` may take before it rejects, so no request waits on a slow mail server for long. */
export const DEFAULT_SMTP_SEND_TIMEOUT_MS = 15_000;

export interface SmtpMailerOptions {
  /** SMTP_URL: `smtp://[user:pass@]host[:port]` or `smtps://…` (TLS from the first byte). */
  url: string;
  from: string;
  logger: Logger;
  sendTimeoutMs?: number;
}

/**
 * Mail through an SMTP server with nodemailer: a small pool of reused connections (a burst of
 * reset requests does not open a connection each), STARTTLS whenever `smtp://` servers offer it,
 * TLS from the start for `smtps://`.
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SMTP_SEND_TIMEOUT_MS;
  const server = smtpUrlWithoutCredentials(options.url);
  const secrets = urlPasswords(options.url);
  const transport = createTransport(
    {
      url: options.url,
      pool: true,
      maxConnections: 3,
      // Each phase is bounded on its own, and the whole send by sendTimeoutMs below.
      connectionTimeout: Math.min(10_000, sendTimeoutMs),
      greetingTimeout: Math.min(10_000, sendTimeoutMs),
      socketTimeout: Math.max(sendTimeoutMs, 1_000),
      dnsTimeout: Math.min(10_000, sendTimeoutMs),
      // Messages are built from our own strings: never let a field read a file or fetch a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    },
    { from: options.from },
  );

  /** An error's message and SMTP details, never the password (some servers echo what they got). */
  function describe(error: unknown): Record<string, unknown> {
    const { message, code, responseCode, command } = error as {
      message?: string;
      code?: string;
      responseCode?: number;
      command?: string;
    };
    const scrub = (text: string | undefined) =>
      text && secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('[redacted]'), text);
    return { message: scrub(message), code, responseCode, command: scrub(command) };
  }

  return {
    async send(message: MailMessage): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${sendTimeoutMs} ms`)),
          sendTimeoutMs,
        );
      });
      try {
        // On a timeout the message may still sit in the pool and go out later: the caller learns
        // it failed (and may tell the person to try again) rather than wait on the mail server.
        await Promise.race([transport.sendMail({ ...message }), timedOut]);
      } catch (error) {
        const detail = describe(error);
        options.logger.error(
          { mailServer: server, subject: message.subject, error: detail },
          'mail could not be sent',
        );
        throw new MailDeliveryError(`mail to ${server} failed: ${String(detail.message)}`);
      } finally {
        clearTimeout(timer);
      }
    },
    close(): Promise<void> {
      transport.close();
      return Promise.resolve();
    },
  };
}

/** The URL's password as written and decoded, to scrub from anything logged. */
function urlPasswords(url: string): string[] {
  const written = new URL(url).password;
  if (!written) return [];
  try {
    return [written, decodeURIComponent(written)];
  } catch {
    return [written];
  }
}
