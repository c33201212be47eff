import { useState } from 'preact/hooks';
import { useApp, useLocation } from '../app/app-context.ts';
import { withNext } from '../app/routes.ts';
import { ErrorAlert, Notice, Spinner } from '../ui/feedback.tsx';
import { Field } from '../ui/field.tsx';
import { countdownText } from '../ui/format.ts';
import { AuthLayout } from './auth-layout.tsx';
import { GuestEntry } from './guest-entry.tsx';
import { takeFragmentParam } from './link-token.ts';
import { useAuthForm } from './use-auth-form.ts';

/** Name, email and password; the service checks them and its messages show by each field. */
export function SignUpPage() {
  const { session } = useApp();
  const location = useLocation();
  const [fullName, setFullName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // An invitation link (`/sign-up#invite=…`): read once, and gone from the address bar at once.
  const [invite] = useState(() => takeFragmentParam(window, 'invite'));
  const { busy, error, setError, issues, cooldown, submit } = useAuthForm([
    'full_name',
    'email',
    'password',
  ]);

  function onSubmit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!fullName.trim()) missing.full_name = 'Enter your name.';
    if (!email.trim()) missing.email = 'Enter your email address.';
    if (!password) missing.password = 'Choose a password.';
    void submit(missing, () =>
      session.register({
        email: email.trim(),
        password,
        full_name: fullName.trim(),
        ...(invite ? { invite_token: invite } : {}),
      }),
    );
  }

  return (
    <AuthLayout
      title="Create your account"
      intro="Your assistant will remember your preferences and past conversations."
    >
      {invite && !error ? (
        <Notice class="auth__notice">
          You were invited to Attune. Sign up with the email address the invitation was sent to.
        </Notice>
      ) : null}
      {error ? <ErrorAlert class="auth__notice">{error}</ErrorAlert> : null}
      <form class="form" onSubmit={onSubmit} noValidate aria-busy={busy}>
        <Field
          label="Full name"
          name="full_name"
          autocomplete="name"
          required
          value={fullName}
          onValue={setFullName}
          error={issues.full_name}
        />
        <Field
          label="Email"
          type="email"
          name="email"
          autocomplete="email"
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
          autocomplete="new-password"
          required
          value={password}
          onValue={setPassword}
          hint="At least 8 characters. A few unrelated words make a good one."
          error={issues.password}
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
              ? 'Creating your account…'
              : 'Create account'}
        </button>
      </form>
      <GuestEntry disabled={busy} onError={setError} />
      <p class="auth__switch">
        Already have an account? <a href={withNext('/sign-in', location.search)}>Sign in</a>
      </p>
    </AuthLayout>
  );
}
