import { describe, expect, it } from 'vitest';
import { type FragmentWindow, takeFragmentParam } from './link-token.ts';

function fakeWindow(path: string, search: string, hash: string) {
  const replaced: string[] = [];
  const win: FragmentWindow = {
    location: { pathname: path, search, hash },
    history: { replaceState: (_data, _unused, url) => void replaced.push(String(url)) },
  };
  return { win, replaced };
}

describe('takeFragmentParam', () => {
  it('reads the token and removes the fragment from the address bar', () => {
    const { win, replaced } = fakeWindow('/reset-password', '', '#token=abc_DEF-123');
    expect(takeFragmentParam(win, 'token')).toBe('abc_DEF-123');
    expect(replaced).toEqual(['/reset-password']);
  });

  it('keeps the query, decodes the value, and reads other names', () => {
    const { win, replaced } = fakeWindow('/sign-up', '?next=%2Fmemory', '#invite=a%2Bb&x=1');
    expect(takeFragmentParam(win, 'invite')).toBe('a+b');
    expect(replaced).toEqual(['/sign-up?next=%2Fmemory']);
  });

  it('answers undefined for a missing or empty value, and leaves an empty address alone', () => {
    const other = fakeWindow('/verify-email', '', '#something=else');
    expect(takeFragmentParam(other.win, 'token')).toBeUndefined();
    expect(other.replaced).toEqual(['/verify-email']);
    const empty = fakeWindow('/verify-email', '', '#token=');
    expect(takeFragmentParam(empty.win, 'token')).toBeUndefined();
    const none = fakeWindow('/verify-email', '', '');
    expect(takeFragmentParam(none.win, 'token')).toBeUndefined();
    expect(none.replaced).toEqual([]);
  });
});
