import type { Logger } from 'pino';
import type { MailConfig } from '../config/config.ts';
import type { Mailer } from './mailer.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

/** SMTP when SMTP_URL is set; otherwise (never in production: config refuses it) the outbox folder. */
export function createMailer(config: MailConfig, logger: Logger): Mailer {
  return config.smtpUrl
    ? createSmtpMailer({ url: config.smtpUrl, from: config.from, logger })
    : createOutboxMailer({ dir: config.outboxDir, from: config.from, logger });
}
