import { z } from 'zod';

/**
 * The mail settings of the environment (SMTP_URL, MAIL_FROM, PUBLIC_URL), kept in one module so
 * env.ts only lists them. No message here ever repeats a value: SMTP_URL carries a password.
 */

export const DEFAULT_MAIL_FROM = 'Attune <no-reply@localhost>';

const SMTP_URL_EXAMPLE = 'smtps://user:pass@smtp.example.com:465';

/** `smtp://` or `smtps://`, a host, optional credentials and port, no path; query options pass to nodemailer. */
function isSmtpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'smtp:' || url.protocol === 'smtps:') &&
    url.hostname !== '' &&
    (url.pathname === '' || url.pathname === '/') &&
    url.hash === ''
  );
}

export const smtpUrl = z
  .string()
  .refine(
    isSmtpUrl,
    `must be smtp://[user:pass@]host[:port] or smtps://… (e.g. ${SMTP_URL_EXAMPLE}); percent-encode special characters in the user and password`,
  );

/** A bare address (`a@b`) or `Name <a@b>`; no line breaks (they would start new mail headers). */
const MAILBOX = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

export const mailFrom = z
  .string()
  .trim()
  .regex(MAILBOX, 'must be an address or `Name <address>` (e.g. Attune <no-reply@example.org>)');

/** http(s), no query or fragment; a trailing slash is dropped so `${PUBLIC_URL}/page` has one slash. */
export const publicUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        url.search === '' &&
        url.hash === '' &&
        url.username === '' &&
        url.password === ''
      );
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without query or fragment (e.g. https://attune.example.org)')
  .transform((value) => value.replace(/\/+$/, ''));

/** What production needs from the mail settings: a mail server, and links people can trust. */
export function mailProductionProblems(env: { SMTP_URL?: string; PUBLIC_URL?: string }): string[] {
  const problems: string[] = [];
  if (env.SMTP_URL === undefined) {
    problems.push(
      `SMTP_URL is not set; set SMTP_URL to your mail server, e.g. ${SMTP_URL_EXAMPLE} (password reset and verification links are mailed)`,
    );
  }
  if (env.PUBLIC_URL === undefined) {
    problems.push(
      'PUBLIC_URL is not set; set it to the https:// address people open the service at (links in mails point there), e.g. https://attune.example.org',
    );
  } else if (!env.PUBLIC_URL.startsWith('https://')) {
    problems.push(
      'PUBLIC_URL is not https://; links in mails carry sign-in tokens, so set the https:// address of your TLS proxy',
    );
  }
  return problems;
}

/** The default PUBLIC_URL: the listener itself, with a wildcard address replaced by localhost. */
export function defaultPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '[::]' ? 'localhost' : host;
  const bracketed =
    reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}`;
}

/** The SMTP URL without its user and password, for start-up logs and error messages. */
export function smtpUrlWithoutCredentials(value: string): string {
  const url = new URL(value);
  url.username = '';
  url.password = '';
  url.search = '';
  return url.toString().replace(/\/$/, '');
}
