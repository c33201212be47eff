/** The few window facilities reading a link's fragment needs, passed in so tests can fake them. */
export interface FragmentWindow {
  location: { pathname: string; search: string; hash: string };
  history: Pick<History, 'replaceState'>;
}

/**
 * A value from the address's fragment (`/reset-password#token=…` → the token), removed from the
 * address bar before anything else runs: a token left there would stay in the browser's history
 * and in screenshots. Mails put tokens in the fragment so they never reach a server log or a
 * Referer. Undefined when the fragment has no such value (the whole fragment is cleared anyway).
 */
export function takeFragmentParam(win: FragmentWindow, name: string): string | undefined {
  const hash = win.location.hash;
  if (!hash || hash === '#') return undefined;
  const value = new URLSearchParams(hash.slice(1)).get(name)?.trim();
  win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}`);
  return value ? value : undefined;
}
