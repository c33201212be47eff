import { describe, expect, it } from 'vitest';
import { mailLink } from './mail-link.ts';

describe('mailLink', () => {
  it('puts the token in the fragment of the page under PUBLIC_URL', () => {
    const base = 'https://attune.example.org';
    expect(mailLink(base, 'reset-password', 'abc')).toBe(
      'https://attune.example.org/reset-password#token=abc',
    );
    expect(mailLink(base, 'verify-email', 'abc')).toBe(`${base}/verify-email#token=abc`);
    expect(mailLink(base, 'set-password', 'abc')).toBe(`${base}/set-password#token=abc`);
    expect(mailLink(base, 'sign-up', 'abc')).toBe(`${base}/sign-up#invite=abc`);
  });

  it('keeps a path prefix, tolerates a trailing slash and encodes the token', () => {
    expect(mailLink('https://example.org/attune/', 'verify-email', 'a b&c')).toBe(
      'https://example.org/attune/verify-email#token=a%20b%26c',
    );
  });
});
