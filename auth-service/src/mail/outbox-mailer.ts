import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { MailDeliveryError, type MailMessage, type Mailer } from './mailer.ts';

export interface OutboxMailerOptions {
  /** `<dir of DATABASE_PATH>/mail`: created (mode 700) on the first mail. */
  dir: string;
  from: string;
  logger: Logger;
}

/**
 * The development stand-in for a mail server: each mail becomes an `.eml` file (open it in any
 * mail program) and a `.txt` file of its text, so a newcomer can follow a reset link without SMTP. Only the
 * file's path is logged: the link in it signs its holder in, and logs travel further than files.
 */
export function createOutboxMailer(options: OutboxMailerOptions): Mailer {
  // nodemailer builds the complete MIME message (headers, encodings, both parts) without sending.
  const composer = createTransport(
    { streamTransport: true, buffer: true, newline: 'windows' },
    { from: options.from },
  );
  return {
    async send(message: MailMessage): Promise<void> {
      try {
        const info = await composer.sendMail({ ...message });
        await mkdir(options.dir, { recursive: true, mode: 0o700 });
        const name = outboxFileName();
        const path = join(options.dir, `${name}.eml`);
        // The .eml encodes long lines (quoted-printable: `=` becomes `=3D`, lines break), so a
        // link read from it as text is broken; the .txt beside it holds the text part as written.
        const text = join(options.dir, `${name}.txt`);
        // Readable by the service's user only: the mail holds a link that acts as a password.
        await writeFile(path, info.message as Buffer, { mode: 0o600, flag: 'wx' });
        await writeFile(text, `To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}`, {
          mode: 0o600,
          flag: 'wx',
        });
        options.logger.info(
          { path, text },
          'mail written to the development outbox (SMTP_URL is not set); open the .txt file to follow its link',
        );
      } catch (error) {
        options.logger.error(
          { dir: options.dir, error: (error as Error).message },
          'mail could not be written to the development outbox',
        );
        throw new MailDeliveryError(
          `cannot write mail into ${options.dir}: ${(error as Error).message}`,
        );
      }
    },
    close(): Promise<void> {
      composer.close();
      return Promise.resolve();
    },
  };
}

/** Sorts by time in a file listing; the random part keeps two mails of one millisecond apart. */
function outboxFileName(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}
