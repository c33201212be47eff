/** The browser pages that take a token from a mailed link. */
export type MailLinkPage = 'reset-password' | 'verify-email' | 'set-password' | 'sign-up';

/**
 * `${publicUrl}/${page}#token=…` (the sign-up page takes `#invite=…`). The token sits in the
 * fragment: browsers never send it to a server, so it stays out of access logs and Referer headers.
 */
export function mailLink(publicUrl: string, page: MailLinkPage, token: string): string {
  const key = page === 'sign-up' ? 'invite' : 'token';
  return `${publicUrl.replace(/\/+$/, '')}/${page}#${key}=${encodeURIComponent(token)}`;
}
