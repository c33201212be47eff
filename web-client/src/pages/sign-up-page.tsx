import { useState } from 'preact/hooks';
import { AuthApiError } from '../api/auth-api.ts';
import { useApp, useLocation } from '../app/app-context.ts';
import { withNext } from '../app/routes.ts';
import { formErrors } from '../ui/error-message.ts';
import { ErrorAlert, Spinner } from '../ui/feedback.tsx';
import { Field } from '../ui/field.tsx';
import { AuthLayout } from './auth-layout.tsx';
import { GuestEntry } from './guest-entry.tsx';
import { useCooldown } from './use-cooldown.ts';

/** Name, email and password; the service checks them and its messages show by each field. */
export function SignUpPage() {
  const { session } = useApp();
  const location = useLocation();
  const [fullName, setFullName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [cooldown, startCooldown] = useCooldown();

  async function submit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!fullName.trim()) missing.full_name = 'Enter your name.';
    if (!email.trim()) missing.email = 'Enter your email address.';
    if (!password) missing.password = 'Choose a password.';
    setIssues(missing);
    if (Object.keys(missing).length > 0) {
      setError(undefined);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await session.register({ email: email.trim(), password, full_name: fullName.trim() });
    } catch (failure) {
      const shown = formErrors(failure, ['full_name', 'email', 'password']);
      setIssues(shown.fields);
      setError(shown.summary);
      if (failure instanceof AuthApiError && failure.status === 429) startCooldown(failure.retryAfterSeconds ?? 30);
      setBusy(false);
    }
  }

  return (
    <AuthLayout title="Create your account" intro="Your assistant will remember your preferences and past conversations.">
      {error ? <ErrorAlert class="auth__notice">{error}</ErrorAlert> : null}
      <form class="form" onSubmit={(event) => void submit(event)} noValidate aria-busy={busy}>
        <Field label="Full name" name="full_name" autocomplete="name" required value={fullName} onValue={setFullName} error={issues.full_name} />
        <Field label="Email" type="email" name="email" autocomplete="email" inputMode="email" required value={email} onValue={setEmail} error={issues.email} />
        <Field
          label="Password"
          type="password"
          name="password"
          autocomplete="new-password"
          required
          value={password}
          onValue={setPassword}
          hint="At least 8 characters. A few unrelated words make a good one."
          error={issues.password}
        />
        <button type="submit" class="button button--primary button--block" disabled={busy || cooldown > 0}>
          {busy ? <Spinner size="sm" /> : null}
          {cooldown > 0 ? `Try again in ${cooldown} s` : busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <GuestEntry disabled={busy} onError={setError} />
      <p class="auth__switch">
        Already have an account? <a href={withNext('/sign-in', location.search)}>Sign in</a>
      </p>
    </AuthLayout>
  );
}
