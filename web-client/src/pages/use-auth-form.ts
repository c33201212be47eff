import { useState } from 'preact/hooks';
import { AuthApiError } from '../api/auth-api.ts';
import { formErrors } from '../ui/error-message.ts';
import { authRefusal } from './auth-messages.ts';
import { useCooldown } from './use-cooldown.ts';

/**
 * The submission of a sign-in or sign-up form: fields left empty are named before anything is
 * sent; the service's refusal becomes a summary plus a message by each field it names; a 429
 * disables the button for the time the service asks.
 */
export function useAuthForm(fields: readonly string[]) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [errorCode, setErrorCode] = useState<string | undefined>();
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [cooldown, startCooldown] = useCooldown();

  /** `missing`: a message for each required field left empty. `send` signs in; the shell then moves on. */
  async function submit(
    missing: Record<string, string>,
    send: () => Promise<unknown>,
  ): Promise<void> {
    setIssues(missing);
    setError(undefined);
    setErrorCode(undefined);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      await send();
    } catch (failure) {
      const shown = formErrors(failure, fields);
      setIssues(shown.fields);
      setError(authRefusal(failure) ?? shown.summary);
      setErrorCode(failure instanceof AuthApiError ? failure.code : undefined);
      if (failure instanceof AuthApiError && failure.status === 429)
        startCooldown(failure.retryAfterSeconds ?? 30);
      setBusy(false);
    }
  }

  return { busy, error, errorCode, setError, issues, cooldown, submit };
}
