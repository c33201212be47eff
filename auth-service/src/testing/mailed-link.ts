import type { ReceivedMail, SmtpSink } from './smtp-sink.ts';

/**
 * The next mail to `to` whose subject matches, skipping (and consuming) others to that address
 * before it: e.g. the reset mail after the verification mail sign-up sent.
 */
export async function nextMailAbout(
  sink: SmtpSink,
  to: string,
  subject: RegExp,
  options: { timeoutMs?: number } = {},
): Promise<ReceivedMail> {
  for (;;) {
    const mail = await sink.waitForMail(to, options);
    if (subject.test(mail.subject)) return mail;
  }
}

/** The single link of a mail that opens `page`, and the token in its fragment (`#token=…` or `#invite=…`). */
export function linkIn(mail: ReceivedMail, page: string): { link: string; token: string } {
  const link = mail.links.find((candidate) => new URL(candidate).pathname.endsWith(`/${page}`));
  if (!link) throw new Error(`no /${page} link in "${mail.subject}": ${mail.links.join(', ')}`);
  const fragment = new URLSearchParams(new URL(link).hash.slice(1));
  const token = fragment.get('token') ?? fragment.get('invite');
  if (!token) throw new Error(`the link ${link} carries no token`);
  return { link, token };
}
