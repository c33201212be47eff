import { useEffect, useState } from 'preact/hooks';
import { useApp, useLocation } from '../app/app-context.ts';
import { withNext } from '../app/routes.ts';
import { ErrorAlert, Notice, Spinner } from '../ui/feedback.tsx';
import { Field } from '../ui/field.tsx';
import { countdownText } from '../ui/format.ts';
import { AuthLayout } from './auth-layout.tsx';
import { GuestEntry } from './guest-entry.tsx';
import { useAuthForm } from './use-auth-form.ts';

/** Email and password; the shell moves on (to `?next=` or Talk) once the session is signed in. */
export function SignInPage(props: { reason: string | undefined }) {
  const { session } = useApp();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, errorCode, setError, issues, cooldown, submit } = useAuthForm([
    'email',
    'password',
  ]);
  // A throttled sign-in's explanation goes once its wait is over: the button is free again.
  useEffect(() => {
    if (cooldown === 0 && errorCode === 'login_throttled') setError(undefined);
  }, [cooldown, errorCode]);

  function onSubmit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = 'Enter your email address.';
    if (!password) missing.password = 'Enter your password.';
    void submit(missing, () => session.login({ email: email.trim(), password }));
  }

  return (
    <AuthLayout title="Sign in" intro="Welcome back. Sign in to talk with your assistant.">
      {props.reason && !error ? <Notice class="auth__notice">{props.reason}</Notice> : null}
      {error ? <ErrorAlert class="auth__notice">{error}</ErrorAlert> : null}
      <form class="form" onSubmit={onSubmit} noValidate aria-busy={busy}>
        <Field
          label="Email"
          type="email"
          name="email"
          autocomplete="username"
          inputMode="email"
          required
          value={email}
          onValue={setEmail}
          error={issues.email}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password}
          onValue={setPassword}
          error={issues.password}
        />
        <p class="auth__forgot">
          <a href="/forgot-password">Forgot password?</a>
        </p>
        <button
          type="submit"
          class="button button--primary button--block"
          disabled={busy || cooldown > 0}
        >
          {busy ? <Spinner size="sm" /> : null}
          {cooldown > 0
            ? `Try again in ${countdownText(cooldown)}`
            : busy
              ? 'Signing in…'
              : 'Sign in'}
        </button>
      </form>
      <GuestEntry disabled={busy} onError={setError} />
      <p class="auth__switch">
        New to Attune? <a href={withNext('/sign-up', location.search)}>Create an account</a>
      </p>
    </AuthLayout>
  );
}
