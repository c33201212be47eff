import { describe, expect, it } from 'vitest';
import {
  emailChangeNoticeMail,
  emailVerificationMail,
  formatValidity,
  invitationMail,
  passwordResetMail,
  setPasswordMail,
} from './mail-messages.ts';

const LINK = 'https://attune.example.org/reset-password#token=t0k3n&x="y"';

describe('mail messages', () => {
  it('each builder answers to, subject, text with the link on its own line, and html', () => {
    const input = { to: 'ada@example.org', name: 'Ada', link: LINK, validMinutes: 30 };
    for (const [mail, subject] of [
      [passwordResetMail(input), 'Reset your Attune password'],
      [emailVerificationMail(input), 'Confirm your email address for Attune'],
      [setPasswordMail({ ...input, validMinutes: 7 * 24 * 60 }), 'Your Attune account is ready'],
      [
        invitationMail({ to: 'ada@example.org', link: LINK, validMinutes: 7 * 24 * 60 }),
        'You are invited to Attune',
      ],
    ] as const) {
      expect(mail.to).toBe('ada@example.org');
      expect(mail.subject).toBe(subject);
      expect(mail.text.split('\n')).toContain(LINK);
      expect(mail.html).toContain(
        'href="https://attune.example.org/reset-password#token=t0k3n&amp;x=&quot;y&quot;"',
      );
    }
    expect(passwordResetMail(input).text).toContain('within 30 minutes');
    expect(setPasswordMail({ ...input, validMinutes: 7 * 24 * 60 }).text).toContain(
      'within 7 days',
    );
    expect(passwordResetMail(input).text.startsWith('Hello Ada,\n')).toBe(true);
    expect(passwordResetMail({ ...input, name: undefined }).text.startsWith('Hello,\n')).toBe(true);
  });

  it('escapes names in HTML', () => {
    const mail = emailVerificationMail({
      to: 'x@example.org',
      name: '<img src=x onerror=alert(1)> & "Bob" \'O\'',
      link: LINK,
      validMinutes: 60,
    });
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain(
      'Hello &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot; &#39;O&#39;,',
    );
    const invitation = invitationMail({
      to: 'x@example.org',
      link: LINK,
      validMinutes: 60,
      invitedBy: '<b>Eve</b>',
    });
    expect(invitation.html).toContain('&lt;b&gt;Eve&lt;/b&gt; invited you');
    expect(invitation.html).not.toContain('<b>');
  });

  it('keeps a chosen name from forging lines or reordering text', () => {
    const mail = passwordResetMail({
      to: 'victim@example.org',
      name: 'Eve\n\nOpen https://evil.example instead:\r\n\u202Eevil',
      link: LINK,
      validMinutes: 30,
    });
    const firstLine = mail.text.split('\n')[0] ?? '';
    expect(firstLine).toBe('Hello Eve Open https://evil.example instead: evil,');
    expect(mail.text).not.toContain('\u202E');
    expect(
      passwordResetMail({
        to: 'a@b.c',
        name: 'x'.repeat(500),
        link: LINK,
        validMinutes: 30,
      }).text.split('\n')[0],
    ).toHaveLength('Hello ,'.length + 80);
  });

  it('warns the old address of an email change without a link, the new address or markup from the name', () => {
    const mail = emailChangeNoticeMail({ to: 'old@example.org', name: 'Ada <b>\nX' });
    expect(mail.to).toBe('old@example.org');
    expect(mail.subject).toBe('Your Attune email address is being changed');
    expect(mail.text.startsWith('Hello Ada <b> X,\n')).toBe(true);
    expect(mail.text).toContain('asked to change its email address');
    expect(mail.text).not.toMatch(/https?:/);
    expect(mail.html).toContain('Hello Ada &lt;b&gt; X,');
    expect(mail.html).not.toContain('<b>');
  });

  it('says how long a link works in words', () => {
    expect(formatValidity(1)).toBe('1 minute');
    expect(formatValidity(30)).toBe('30 minutes');
    expect(formatValidity(60)).toBe('1 hour');
    expect(formatValidity(90)).toBe('90 minutes');
    expect(formatValidity(24 * 60)).toBe('1 day');
    expect(formatValidity(7 * 24 * 60)).toBe('7 days');
  });
});
