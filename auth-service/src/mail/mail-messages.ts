import { escapeHtml } from './html-escape.ts';
import type { MailMessage } from './mailer.ts';

/**
 * The mails the service sends, each as plain text (the link on a line of its own, so every mail
 * program makes it clickable) and as simple HTML. Names come from sign-up forms, so an attacker can
 * choose the name in a mail sent to someone else's address: they are flattened to one short line
 * and escaped, and never placed where they could pass for an instruction or a link.
 */

const PRODUCT = 'Attune';
const MAX_NAME_LENGTH = 80;

export interface LinkMailInput {
  to: string;
  /** The account's display name; omitted: a greeting without a name. */
  name?: string;
  link: string;
  /** How long the link works, e.g. 30 or 7 * 24 * 60. */
  validMinutes: number;
}

export interface InvitationMailInput {
  to: string;
  link: string;
  validMinutes: number;
  /** The inviting admin's display name, if any. */
  invitedBy?: string;
}

/** "Reset your Attune password": the link of POST /auth/password/forgot. */
export function passwordResetMail(input: LinkMailInput): MailMessage {
  return linkMail(input, {
    subject: `Reset your ${PRODUCT} password`,
    before: [
      `someone, hopefully you, asked to reset the password of your ${PRODUCT} account (${input.to}).`,
      `To choose a new password, open this link within ${formatValidity(input.validMinutes)}:`,
    ],
    action: 'Choose a new password',
    after: [
      'The link works once. Using it signs you out on every device.',
      'If you did not ask for this, you can ignore this mail: your password stays as it is.',
    ],
  });
}

/** "Confirm your email address": sent at sign-up and to the new address on an email change. */
export function emailVerificationMail(input: LinkMailInput): MailMessage {
  return linkMail(input, {
    subject: `Confirm your email address for ${PRODUCT}`,
    before: [
      `please confirm that ${input.to} is your email address for ${PRODUCT}.`,
      `Open this link within ${formatValidity(input.validMinutes)}:`,
    ],
    action: 'Confirm my address',
    after: [
      `If you did not sign up for ${PRODUCT} or change your address, you can ignore this mail.`,
    ],
  });
}

/** "Your Attune account is ready": an admin created the account; the person picks a password. */
export function setPasswordMail(input: LinkMailInput): MailMessage {
  return linkMail(input, {
    subject: `Your ${PRODUCT} account is ready`,
    before: [
      `an administrator created a ${PRODUCT} account for you (${input.to}).`,
      `To start, choose your password with this link within ${formatValidity(input.validMinutes)}:`,
    ],
    action: 'Choose my password',
    after: [
      'The link works once. If it has expired, use "Forgot password" on the sign-in page.',
      'If you did not expect this account, you can ignore this mail.',
    ],
  });
}

/** "You are invited to Attune": a sign-up link for an address that has no account yet. */
export function invitationMail(input: InvitationMailInput): MailMessage {
  const inviter = input.invitedBy ? oneLine(input.invitedBy) : '';
  return linkMail(
    { to: input.to, link: input.link, validMinutes: input.validMinutes },
    {
      subject: `You are invited to ${PRODUCT}`,
      before: [
        `${inviter ? `${inviter} invited you` : 'you are invited'} to create a ${PRODUCT} account with this address (${input.to}).`,
        `Sign up with this link within ${formatValidity(input.validMinutes)}:`,
      ],
      action: 'Create my account',
      after: ['If you do not want an account, you can ignore this mail.'],
    },
  );
}

/**
 * "Your Attune email address is being changed": sent to the old address when someone signed in
 * asks to move the account to another one, so the owner learns of it even if it was not them. It
 * names neither the new address nor a link: it only warns.
 */
export function emailChangeNoticeMail(input: { to: string; name?: string }): MailMessage {
  const name = input.name ? oneLine(input.name) : '';
  const greeting = name ? `Hello ${name},` : 'Hello,';
  const paragraphs = [
    `someone signed in to your ${PRODUCT} account (${input.to}) asked to change its email address.`,
    "The change takes effect once the link we mailed to the new address is opened; until then this address stays the account's.",
    'If this was you, there is nothing to do. If it was not, sign in, change your password (which signs out every device) and tell your administrator.',
  ];
  const [first = '', ...rest] = paragraphs;
  const opening = first.charAt(0).toUpperCase() + first.slice(1);
  const body = [opening, ...rest];
  const text = [greeting, '', ...body.flatMap((p) => [p, '']), `-- ${PRODUCT}`, ''].join('\n');
  const html = [
    '<!doctype html>',
    `<html><body style="font-family: sans-serif; line-height: 1.5; color: #1f2328">`,
    ...[greeting, ...body, `-- ${PRODUCT}`].map((p) => `<p>${escapeHtml(p)}</p>`),
    '</body></html>',
  ].join('\n');
  return { to: input.to, subject: `Your ${PRODUCT} email address is being changed`, text, html };
}

interface MailWording {
  subject: string;
  /** Paragraphs before the link; the first follows the greeting ("Hello Ada,\n\n<first>"). */
  before: string[];
  /** The HTML button's label. */
  action: string;
  after: string[];
}

function linkMail(input: LinkMailInput, wording: MailWording): MailMessage {
  const name = input.name ? oneLine(input.name) : '';
  const greeting = name ? `Hello ${name},` : 'Hello,';
  const [first = '', ...rest] = wording.before;
  const opening = first.charAt(0).toUpperCase() + first.slice(1);
  const text = [
    greeting,
    '',
    opening,
    ...rest,
    '',
    input.link,
    '',
    ...wording.after.flatMap((paragraph) => [paragraph, '']),
    `-- ${PRODUCT}`,
    '',
  ].join('\n');
  const paragraph = (content: string) => `<p>${escapeHtml(content)}</p>`;
  const href = escapeHtml(input.link);
  const html = [
    '<!doctype html>',
    `<html><body style="font-family: sans-serif; line-height: 1.5; color: #1f2328">`,
    paragraph(greeting),
    paragraph(opening),
    ...rest.map(paragraph),
    `<p><a href="${href}" style="display: inline-block; padding: 8px 16px; background: #2f6feb; color: #ffffff; text-decoration: none; border-radius: 6px">${escapeHtml(wording.action)}</a></p>`,
    `<p style="font-size: 0.9em">If the button does not work, copy this address into your browser:<br><a href="${href}">${href}</a></p>`,
    ...wording.after.map(paragraph),
    paragraph(`-- ${PRODUCT}`),
    '</body></html>',
  ].join('\n');
  return { to: input.to, subject: wording.subject, text, html };
}

/**
 * A user-chosen name on one short line: no line breaks or control characters to forge lines with,
 * no bidi overrides to make text read differently than it is.
 */
function oneLine(name: string): string {
  const flat = name
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > MAX_NAME_LENGTH ? `${flat.slice(0, MAX_NAME_LENGTH - 1)}…` : flat;
}

/** 30 → "30 minutes", 60 → "1 hour", 10080 → "7 days". */
export function formatValidity(minutes: number): string {
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  if (minutes % (24 * 60) === 0) return plural(minutes / (24 * 60), 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}
