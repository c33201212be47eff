import { useEffect, useRef, useState } from 'preact/hooks';
import { AuthApiError } from '../api/auth-api.ts';
import { useApp, useSessionState } from '../app/app-context.ts';
import { errorMessage } from '../ui/error-message.ts';
import { ErrorAlert, Notice, Spinner } from '../ui/feedback.tsx';
import { AuthLayout } from './auth-layout.tsx';
import { takeFragmentParam } from './link-token.ts';

type Outcome =
  | { kind: 'ready' }
  | { kind: 'checking' }
  | { kind: 'verified' }
  | { kind: 'failed'; message: string };

const INVALID =
  'This verification link is not valid any more: it may have been used already, it may have expired, or a newer one was sent. Sign in and ask for a new link from your account page.';

/**
 * Opened from a verification mail (`/verify-email#token=…`). The token is only spent when the
 * person clicks Confirm: mail scanners and preview bots that open links and run their scripts
 * would otherwise verify an address (or an account's pending new address) nobody chose to.
 */
export function VerifyEmailPage() {
  const { session } = useApp();
  const state = useSessionState();
  const [token] = useState(() => takeFragmentParam(window, 'token'));
  const [outcome, setOutcome] = useState<Outcome>(() =>
    token ? { kind: 'ready' } : { kind: 'failed', message: INVALID },
  );
  const sent = useRef(false);

  function confirm() {
    // The token works once: never send it twice, however often the button is pressed.
    if (!token || sent.current) return;
    sent.current = true;
    setOutcome({ kind: 'checking' });
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
  }

  // A signed-in tab shows the new address and drops its "unverified" banner. The link may be
  // used while the session is still restoring (with the user as it was before), so read the user
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
  const waiting = outcome.kind === 'ready' || outcome.kind === 'checking';
  return (
    <AuthLayout
      title="Verify your email"
      intro={
        waiting
          ? 'Confirm this address for your Attune account.'
          : 'Confirming the address your link was sent to.'
      }
    >
      {waiting ? (
        <>
          <p>
            Only confirm if you asked for an Attune account or an email change with this address.
          </p>
          <button
            type="button"
            class="button button--primary button--block"
            disabled={outcome.kind === 'checking'}
            aria-busy={outcome.kind === 'checking'}
            onClick={confirm}
          >
            {outcome.kind === 'checking' ? <Spinner size="sm" /> : null}
            {outcome.kind === 'checking' ? 'Confirming…' : 'Confirm'}
          </button>
        </>
      ) : null}
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
