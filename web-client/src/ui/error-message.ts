import { type ApiIssue, AuthApiError } from '../api/auth-api.ts';

export const UNREACHABLE_MESSAGE =
  'Attune could not be reached. Check your connection and try again.';

/**
 * The sentence to show for a failed call: the service's own message (it is written for people),
 * how long to wait when rate limited, and a plain sentence when the network failed.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof AuthApiError) {
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait
        ? `Too many attempts. Try again in ${waitText(wait)}.`
        : 'Too many attempts. Wait a moment and try again.';
    }
    if (error.code === 'validation_failed' && error.issues?.length) {
      return error.issues.map(issueSentence).join(' ');
    }
    if (error.status >= 500 && error.code === 'http_error')
      return 'Attune had a problem answering. Try again in a moment.';
    return error.message;
  }
  // fetch rejects with a TypeError when the network or the server is down.
  if (error instanceof TypeError) return UNREACHABLE_MESSAGE;
  return 'Something went wrong. Try again.';
}

/** "30 seconds", "1 minute", "2 minutes" */
export function waitText(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${Math.ceil(seconds)} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The validation issues of a 400, by field (the first segment of the issue's path). */
export function fieldIssues(error: unknown): Record<string, string> {
  if (!(error instanceof AuthApiError) || error.code !== 'validation_failed' || !error.issues)
    return {};
  const byField: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.split('.')[0] ?? '';
    byField[field] = byField[field]
      ? `${byField[field]} ${issueSentence(issue)}`
      : issueSentence(issue);
  }
  return byField;
}

/** "full_name must not be empty" → "Full name must not be empty." */
function issueSentence(issue: ApiIssue): string {
  const field = issue.path.split('.')[0] ?? '';
  const message =
    field && issue.message.startsWith(field)
      ? `${field.replace(/_/g, ' ')}${issue.message.slice(field.length)}`
      : issue.message;
  return sentence(message);
}

/** "email is not a valid address" → "Email is not a valid address." */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * A refused form, split for display: the validation issues of the fields the form shows, by field,
 * and one sentence for the alert above the form (a pointer to the fields when they say it all,
 * else the service's message).
 */
export function formErrors(
  error: unknown,
  fields: readonly string[],
): { fields: Record<string, string>; summary: string } {
  const byField = fieldIssues(error);
  if (error instanceof AuthApiError && error.code === 'email_taken' && fields.includes('email'))
    byField.email = sentence(error.message);
  const keys = Object.keys(byField);
  if (keys.length > 0 && keys.every((key) => fields.includes(key))) {
    return {
      fields: byField,
      summary: keys.length === 1 ? byField[keys[0]!]! : 'Check the highlighted fields.',
    };
  }
  return {
    fields: Object.fromEntries(
      keys.filter((key) => fields.includes(key)).map((key) => [key, byField[key]!]),
    ),
    summary: errorMessage(error),
  };
}
