import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from './api-error.ts';

interface CatalogEntry {
  status: ContentfulStatusCode;
  /** What the caller reads unless the route says something more precise. */
  message: string;
}

/**
 * Every error code the public API can answer, with its HTTP status and default message. A route
 * lists the codes it answers in its policy (`http/route-policy.ts`); the OpenAPI document and the
 * error handler's check both read that list. The internal agent API has its own catalog in
 * @attune/contract.
 */
export const ERROR_CATALOG = {
  // 400
  validation_failed: { status: 400, message: 'Invalid request' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON' },
  invalid_utf8: { status: 400, message: 'The request body is not valid UTF-8' },
  invalid_path: {
    status: 400,
    message:
      'The path has a malformed percent-escape (like %ZZ or %FF); percent-encode each character as UTF-8 (encodeURIComponent)',
  },
  bad_request: { status: 400, message: 'Bad request' },
  client_aborted: { status: 400, message: 'The connection closed before the request arrived' },
  cursor_invalid: {
    status: 400,
    message: 'cursor is not one this API handed out; start again without it',
  },
  period_invalid: { status: 400, message: '`from` must be before `to`' },
  refresh_token_missing: {
    status: 400,
    message: 'Send refresh_token in the body, or X-Refresh-Cookie: 1 with the refresh cookie',
  },
  event_invalid: { status: 400, message: 'The webhook event has no id or no event name' },
  invalid_token: {
    status: 400,
    message: 'The link is invalid, expired or already used; ask for a new one',
  },
  // 401
  unauthorized: { status: 401, message: 'Missing, invalid or expired credentials' },
  invalid_credentials: { status: 401, message: 'Email or password is incorrect' },
  invalid_password: { status: 401, message: 'The password is incorrect' },
  invalid_refresh_token: {
    status: 401,
    message: 'The refresh token is invalid, expired or already used; sign in again',
  },
  signature_missing: {
    status: 401,
    message: 'A LiveKit webhook must carry its signature in the Authorization header',
  },
  signature_invalid: {
    status: 401,
    message: 'The webhook signature does not match this body and the configured LiveKit API key',
  },
  // 403
  forbidden: { status: 403, message: 'Your role does not allow this' },
  account_suspended: { status: 403, message: 'This account is suspended' },
  guest_no_memory: {
    status: 403,
    message: 'Guests have no memory; sign up to have the assistant remember your preferences',
  },
  guest_access_disabled: {
    status: 403,
    message: 'Guest access is turned off on this server; sign up instead',
  },
  identity_forbidden: {
    status: 403,
    message: 'participant_identity is set by the server to your user id; omit it',
  },
  agent_forbidden: { status: 403, message: 'Only the Attune agent can be dispatched' },
  room_forbidden: {
    status: 403,
    message: 'That room belongs to another user; omit room_name to get a fresh room',
  },
  email_unverified: {
    status: 403,
    message: 'Confirm your email address first: open the link we mailed you, or ask for a new one',
  },
  registration_closed: {
    status: 403,
    message: 'Sign-up is closed on this server; ask an administrator for an account',
  },
  invitation_required: {
    status: 403,
    message:
      'Sign-up needs an invitation on this server: use the link of the invitation mailed to this address',
  },
  user_limit: {
    status: 403,
    message: 'This server holds as many accounts as it allows; ask an administrator',
  },
  // 404
  not_found: { status: 404, message: 'No such route' },
  user_not_found: { status: 404, message: 'No such user' },
  session_not_found: { status: 404, message: 'No such session' },
  preference_not_found: { status: 404, message: 'No preference is saved under that key' },
  device_not_found: { status: 404, message: 'No such signed-in device' },
  metrics_disabled: { status: 404, message: 'Metrics are off; set METRICS_TOKEN to turn them on' },
  // 405
  method_not_allowed: { status: 405, message: 'The path exists, but not for this method' },
  // 409
  email_taken: {
    status: 409,
    message: 'An account with this email already exists; sign in instead',
  },
  session_limit: {
    status: 409,
    message: 'You already have as many conversations in progress as allowed; end one first',
  },
  preference_limit: {
    status: 409,
    message: 'You keep the most preferences allowed; delete one first',
  },
  cannot_change_self: {
    status: 409,
    message: 'Admins cannot change or delete their own account here',
  },
  guest_role_fixed: { status: 409, message: 'Guests stay guests; a guest cannot be given a role' },
  last_admin: {
    status: 409,
    message: 'This is the last active admin; make another admin first',
  },
  session_not_live: { status: 409, message: 'The session has already ended' },
  // 408, 413, 415, 429, 431
  request_timeout: { status: 408, message: 'The request did not arrive in time' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit' },
  unsupported_media_type: {
    status: 415,
    message: 'Send the request body as JSON with Content-Type: application/json',
  },
  rate_limited: { status: 429, message: 'Too many requests; try again later' },
  headers_too_large: {
    status: 431,
    message: 'The request headers are larger than the server accepts',
  },
  login_throttled: { status: 429, message: 'Too many failed sign-ins; try again later' },
  // 5xx
  livekit_unavailable: { status: 502, message: 'LiveKit could not be reached or failed' },
  internal_error: {
    status: 500,
    message: 'Something went wrong on our side; the request id is in the X-Request-Id header',
  },
  database_busy: { status: 503, message: 'The database is busy; retry shortly' },
  not_ready: { status: 503, message: 'The database is not reachable' },
  reports_busy: {
    status: 503,
    message: 'Too many analytics reports are running; try again shortly',
  },
  web_client_not_built: {
    status: 503,
    message:
      'The web client is not built; run `pnpm --filter @attune/web-client build` (`pnpm start` builds it when needed)',
  },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOG, code);
}

/** The catalogued error for `code`: its status, and its default message unless `message` is given. */
export function apiError(
  code: ErrorCode,
  message?: string,
  extra: { issues?: { path: string; message: string }[]; headers?: Record<string, string> } = {},
): ApiError {
  const entry: CatalogEntry = ERROR_CATALOG[code];
  return new ApiError(entry.status, code, message ?? entry.message, extra.issues, extra.headers);
}
