import { describe, expect, it } from 'vitest';
import { AuthApiError } from '../api/auth-api.ts';
import { authRefusal } from './auth-messages.ts';

const refused = (status: number, code: string) => new AuthApiError(status, code, 'from service');

describe('authRefusal', () => {
  it('explains the registration policy refusals', () => {
    expect(authRefusal(refused(403, 'registration_closed'))).toMatch(/not taking new accounts/);
    expect(authRefusal(refused(403, 'invitation_required'))).toMatch(/by invitation only/);
    expect(authRefusal(refused(403, 'user_limit'))).toMatch(/as many accounts as it allows/);
    expect(authRefusal(refused(400, 'invalid_token'))).toMatch(/invitation link is not valid/);
  });

  it('says a throttled sign-in is a pause, not a wrong password', () => {
    expect(authRefusal(refused(429, 'login_throttled'))).toMatch(/Sign-in is paused/);
  });

  it('leaves every other error to the service’s message', () => {
    expect(authRefusal(refused(401, 'invalid_credentials'))).toBeUndefined();
    expect(authRefusal(refused(429, 'rate_limited'))).toBeUndefined();
    expect(authRefusal(new TypeError('network'))).toBeUndefined();
  });
});
