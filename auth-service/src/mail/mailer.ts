/** One mail to one person; `text` is always there (some people read mail as plain text). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends mail. `send` settles within a bounded time: it rejects when the mail could not be handed
 * over (the failure is already logged, without secrets), and the caller decides whether that
 * matters to its request.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Lets messages in flight finish, then closes connections; call once on shutdown. */
  close(): Promise<void>;
}

/** Raised by `Mailer.send`; its message names the mail server without credentials. */
export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';
}
