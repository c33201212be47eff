import { AuthApiError } from '../api/auth-api.ts';

/**
 * Plain sentences for the refusals of the sign-in and sign-up forms that need more than the
 * service's own message: what happened and what the person can do about it. Undefined for any
 * other error (the form shows the service's message).
 */
export function authRefusal(error: unknown): string | undefined {
  if (!(error instanceof AuthApiError)) return undefined;
  switch (error.code) {
    case 'login_throttled':
      return 'Too many failed sign-ins for this account. Sign-in is paused for a while to keep it safe; try again when the countdown ends, or reset your password.';
    case 'registration_closed':
      return 'This Attune server is not taking new accounts. Ask its administrator to create one for you.';
    case 'invitation_required':
      return 'Accounts on this server are by invitation only. Open the link in your invitation email, or ask an administrator to invite you.';
    case 'user_limit':
      return 'This Attune server has as many accounts as it allows. Ask its administrator to make room.';
    case 'invalid_token':
      return 'This invitation link is not valid any more (it may have been used or expired). Ask an administrator for a new one.';
    default:
      return undefined;
  }
}
