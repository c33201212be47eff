import { useState } from 'preact/hooks';
import { AuthApiError } from '../api/auth-api.ts';
import { useApp } from '../app/app-context.ts';
import { formErrors } from '../ui/error-message.ts';
import { ErrorAlert, Notice, Spinner } from '../ui/feedback.tsx';
import { Field } from '../ui/field.tsx';
import { countdownText } from '../ui/format.ts';
import { AuthLayout } from './auth-layout.tsx';
import { useCooldown } from './use-cooldown.ts';

const SENT_FALLBACK =
  'If an account exists for that address, we sent a link to reset its password.';

/**
 * Asks for a password-reset link. The service answers the same whether or not the address has an
 * account, so the page shows that one message; only a refusal to take the request at all (a
 * wait, a malformed address, no network) is an error.
 */
export function ForgotPasswordPage() {
  const { session } = useApp();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [issue, setIssue] = useState<string | undefined>();
  const [cooldown, startCooldown] = useCooldown();

  async function onSubmit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setIssue(undefined);
    if (!email.trim()) return setIssue('Enter your email address.');
    setBusy(true);
    try {
      const answer = await session.api.request<{ message?: string } | undefined>({
        method: 'POST',
        path: '/auth/password/forgot',
        body: { email: email.trim() },
      });
      setSent(answer?.message ?? SENT_FALLBACK);
    } catch (failure) {
      const shown = formErrors(failure, ['email']);
      setIssue(shown.fields.email);
      setError(shown.summary);
      if (failure instanceof AuthApiError && failure.status === 429)
        startCooldown(failure.retryAfterSeconds ?? 30);
    } finally {
      setBusy(false);
    }
  }

  if (sent) {
    return (
      <AuthLayout title="Check your email" intro="The link in the mail is valid for 30 minutes.">
        <Notice class="auth__notice" tone="success">
          {sent}
        </Notice>
        <p class="auth__help">
          Nothing arrived after a few minutes? Look in your spam folder, check the address, or{' '}
          <button type="button" class="link-button" onClick={() => setSent(undefined)}>
            ask again
          </button>
          .
        </p>
        <p class="auth__switch">
          Remembered it? <a href="/sign-in">Sign in</a>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      title="Forgot password"
      intro="Enter the email address of your account and we will mail you a link to choose a new password."
    >
      {error ? <ErrorAlert class="auth__notice">{error}</ErrorAlert> : null}
      <form class="form" onSubmit={(event) => void onSubmit(event)} noValidate aria-busy={busy}>
        <Field
          label="Email"
          type="email"
          name="email"
          autocomplete="username"
          inputMode="email"
          required
          value={email}
          onValue={setEmail}
          error={issue}
        />
        <button
          type="submit"
          class="button button--primary button--block"
          disabled={busy || cooldown > 0}
        >
          {busy ? <Spinner size="sm" /> : null}
          {cooldown > 0
            ? `Try again in ${countdownText(cooldown)}`
            : busy
              ? 'Sending…'
              : 'Send me a link'}
        </button>
      </form>
      <p class="auth__switch">
        Remembered it? <a href="/sign-in">Sign in</a>
      </p>
    </AuthLayout>
  );
}
