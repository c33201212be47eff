import { useState } from 'preact/hooks';
import { AuthApiError } from '../api/auth-api.ts';
import { useApp } from '../app/app-context.ts';
import { formErrors } from '../ui/error-message.ts';
import { ErrorAlert, Notice, Spinner } from '../ui/feedback.tsx';
import { Field } from '../ui/field.tsx';
import { countdownText } from '../ui/format.ts';
import { AuthLayout } from './auth-layout.tsx';
import { takeFragmentParam } from './link-token.ts';
import { useCooldown } from './use-cooldown.ts';

const PASSWORD_HINT = 'At least 8 characters. A few unrelated words make a good one.';

/**
 * The page a reset link (`/reset-password#token=…`) or an account-creation link
 * (`/set-password#token=…`) opens: a new password, twice. Setting it signs every device out, so
 * the page ends with a way to sign in.
 */
export function ResetPasswordPage(props: { mode: 'reset' | 'set' }) {
  const { session } = useApp();
  const [token] = useState(() => takeFragmentParam(window, 'token'));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [invalid, setInvalid] = useState(token === undefined);
  const [error, setError] = useState<string | undefined>();
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [cooldown, startCooldown] = useCooldown();
  const setting = props.mode === 'set';
  const title = setting ? 'Set your password' : 'Choose a new password';

  async function onSubmit(event: Event) {
    event.preventDefault();
    setError(undefined);
    const missing: Record<string, string> = {};
    if (!password) missing.new_password = 'Choose a password.';
    if (!again) missing.again = 'Type the password again.';
    else if (password && again !== password) missing.again = 'The two passwords differ.';
    setIssues(missing);
    if (Object.keys(missing).length > 0 || !token) return;
    setBusy(true);
    try {
      await session.api.request({
        method: 'POST',
        path: '/auth/password/reset',
        body: { token, new_password: password },
      });
      // The service signed every device out, this browser included.
      session.endedByService();
      setDone(true);
    } catch (failure) {
      if (failure instanceof AuthApiError && failure.code === 'invalid_token') {
        setInvalid(true);
      } else {
        const shown = formErrors(failure, ['new_password']);
        setIssues(shown.fields);
        setError(shown.summary);
        if (failure instanceof AuthApiError && failure.status === 429)
          startCooldown(failure.retryAfterSeconds ?? 30);
      }
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <AuthLayout
        title={setting ? 'Your password is set' : 'Your password was changed'}
        intro="Every device signed in to your account was signed out."
      >
        <Notice class="auth__notice" tone="success">
          Sign in with your email address and the new password.
        </Notice>
        <a class="button button--primary button--block" href="/sign-in">
          Sign in
        </a>
      </AuthLayout>
    );
  }
  if (invalid) {
    return (
      <AuthLayout title={title} intro="This link cannot be used.">
        <ErrorAlert class="auth__notice">
          The link is not valid any more: it may have been used already, it may have expired, or it
          was copied incompletely. Each link works once, for a limited time.
        </ErrorAlert>
        <a class="button button--primary button--block" href="/forgot-password">
          Ask for a new link
        </a>
        <p class="auth__switch">
          Know your password? <a href="/sign-in">Sign in</a>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      title={title}
      intro={
        setting
          ? 'An account was made for you. Choose the password you will sign in with.'
          : 'Choose a new password for your account. Every device will be signed out.'
      }
    >
      {error ? <ErrorAlert class="auth__notice">{error}</ErrorAlert> : null}
      <form class="form" onSubmit={(event) => void onSubmit(event)} noValidate aria-busy={busy}>
        <Field
          label="New password"
          type="password"
          name="new_password"
          autocomplete="new-password"
          required
          value={password}
          onValue={setPassword}
          hint={PASSWORD_HINT}
          error={issues.new_password}
        />
        <Field
          label="New password again"
          type="password"
          name="again"
          autocomplete="new-password"
          required
          value={again}
          onValue={setAgain}
          error={issues.again}
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
              ? 'Saving…'
              : setting
                ? 'Set password'
                : 'Change password'}
        </button>
      </form>
    </AuthLayout>
  );
}
