import { useEffect, useRef, useState } from 'preact/hooks';
import { AuthApiError } from '../api/auth-api.ts';
import { useApp, useSessionState } from '../app/app-context.ts';
import { errorMessage } from '../ui/error-message.ts';
import { ErrorAlert, LoadingBlock, Notice } from '../ui/feedback.tsx';
import { AuthLayout } from './auth-layout.tsx';
import { takeFragmentParam } from './link-token.ts';

type Outcome = { kind: 'checking' } | { kind: 'verified' } | { kind: 'failed'; message: string };

const INVALID =
  'This verification link is not valid any more: it may have been used already, it may have expired, or a newer one was sent. Sign in and ask for a new link from your account page.';

/** Opened from a verification mail (`/verify-email#token=…`): uses the token at once. */
export function VerifyEmailPage() {
  const { session } = useApp();
  const state = useSessionState();
  const [token] = useState(() => takeFragmentParam(window, 'token'));
  const [outcome, setOutcome] = useState<Outcome>(() =>
    token ? { kind: 'checking' } : { kind: 'failed', message: INVALID },
  );
  const sent = useRef(false);

  useEffect(() => {
    // The token works once: never send it twice, whatever re-renders.
    if (!token || sent.current) return;
    sent.current = true;
    session.api.request({ method: 'POST', path: '/auth/email/verify', body: { token } }).then(
      () => setOutcome({ kind: 'verified' }),
      (failure: unknown) =>
        setOutcome({
          kind: 'failed',
          message:
            failure instanceof AuthApiError && failure.code === 'invalid_token'
              ? INVALID
              : errorMessage(failure),
        }),
    );
  }, []);

  // A signed-in tab shows the new address and drops its "unverified" banner. The link is used
  // while the session may still be restoring (with the user as it was before), so read the user
  // again once both are done, whichever finishes last.
  const restored = state.status === 'signed-in';
  useEffect(() => {
    if (outcome.kind === 'verified' && restored) session.reloadUser().catch(() => undefined);
  }, [outcome.kind, restored]);

  const signedIn = state.status === 'signed-in' && state.user.role !== 'guest';
  const onward = signedIn ? (
    <a class="button button--primary button--block" href="/account">
      Go to your account
    </a>
  ) : (
    <a class="button button--primary button--block" href="/sign-in">
      Sign in
    </a>
  );
  return (
    <AuthLayout title="Verify your email" intro="Confirming the address your link was sent to.">
      {outcome.kind === 'checking' ? <LoadingBlock label="Checking your link…" /> : null}
      {outcome.kind === 'verified' ? (
        <>
          <Notice class="auth__notice" tone="success">
            Your email address is verified. Thank you.
          </Notice>
          {onward}
        </>
      ) : null}
      {outcome.kind === 'failed' ? (
        <>
          <ErrorAlert class="auth__notice">{outcome.message}</ErrorAlert>
          {onward}
        </>
      ) : null}
    </AuthLayout>
  );
}
