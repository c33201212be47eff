import { describe, expect, it } from 'vitest';
import { AuthApiError } from '../api/auth-api.ts';
import {
  UNREACHABLE_MESSAGE,
  errorMessage,
  fieldIssues,
  formErrors,
  sentence,
  waitText,
} from './error-message.ts';

const validation = new AuthApiError(400, 'validation_failed', 'Invalid request: …', undefined, [
  { path: 'email', message: 'email is not a valid address' },
  { path: 'full_name', message: 'full_name must not be empty' },
]);

describe('errorMessage', () => {
  it("shows the service's own message", () => {
    expect(
      errorMessage(new AuthApiError(401, 'invalid_credentials', 'Email or password is incorrect')),
    ).toBe('Email or password is incorrect');
    expect(
      errorMessage(new AuthApiError(403, 'guest_access_disabled', 'Guest access is disabled')),
    ).toBe('Guest access is disabled');
  });

  it('says how long to wait when rate limited', () => {
    expect(errorMessage(new AuthApiError(429, 'rate_limited', 'Too many requests', 42))).toBe(
      'Too many attempts. Try again in 42 seconds.',
    );
    expect(errorMessage(new AuthApiError(429, 'rate_limited', 'Too many requests', 90))).toBe(
      'Too many attempts. Try again in 2 minutes.',
    );
    expect(errorMessage(new AuthApiError(429, 'rate_limited', 'Too many requests'))).toBe(
      'Too many attempts. Wait a moment and try again.',
    );
  });

  it('explains a network failure and lists validation issues as sentences', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe(UNREACHABLE_MESSAGE);
    expect(errorMessage(validation)).toBe(
      'Email is not a valid address. Full name must not be empty.',
    );
    expect(errorMessage(new Error('x'))).toBe('Something went wrong. Try again.');
  });
});

describe('form errors', () => {
  it('puts each issue by its field', () => {
    expect(fieldIssues(validation)).toEqual({
      email: 'Email is not a valid address.',
      full_name: 'Full name must not be empty.',
    });
    expect(fieldIssues(new AuthApiError(401, 'invalid_credentials', 'x'))).toEqual({});
  });

  it('points at the fields when they say it all, else shows the message', () => {
    expect(formErrors(validation, ['email', 'full_name', 'password'])).toEqual({
      fields: { email: 'Email is not a valid address.', full_name: 'Full name must not be empty.' },
      summary: 'Check the highlighted fields.',
    });
    expect(formErrors(validation, ['email']).summary).toBe(
      'Email is not a valid address. Full name must not be empty.',
    );
    expect(
      formErrors(
        new AuthApiError(409, 'email_taken', 'An account with this email already exists'),
        ['email'],
      ),
    ).toEqual({
      fields: { email: 'An account with this email already exists.' },
      summary: 'An account with this email already exists.',
    });
    expect(
      formErrors(new AuthApiError(401, 'invalid_credentials', 'Email or password is incorrect'), [
        'email',
        'password',
      ]),
    ).toEqual({
      fields: {},
      summary: 'Email or password is incorrect',
    });
  });

  it('writes sentences and waits', () => {
    expect(sentence('value must not be empty')).toBe('Value must not be empty.');
    expect(sentence('Done!')).toBe('Done!');
    expect(waitText(1)).toBe('1 second');
    expect(waitText(60)).toBe('1 minute');
  });
});
