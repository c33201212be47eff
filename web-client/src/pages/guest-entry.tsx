import { useState } from 'preact/hooks';
import { useApp, useLocation, useNavigate } from '../app/app-context.ts';
import { safeNextPath } from '../app/routes.ts';
import { errorMessage } from '../ui/error-message.ts';
import { Spinner } from '../ui/feedback.tsx';

/**
 * "Try as a guest": a short-lived account without memory. Its error (e.g. the operator turned
 * guests off) is reported through `onError` so it shows where the form shows its own.
 */
export function GuestEntry(props: {
  disabled?: boolean;
  onError: (message: string | undefined) => void;
}) {
  const { session } = useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  async function start() {
    setBusy(true);
    props.onError(undefined);
    try {
      await session.guest();
      // Guests may stay on the sign-in pages (to make a real account later), so move them on here.
      navigate(safeNextPath(new URLSearchParams(location.search).get('next')) ?? '/talk', {
        replace: true,
      });
    } catch (error) {
      props.onError(errorMessage(error));
      setBusy(false);
    }
  }
  return (
    <div class="guest-entry">
      <div class="divider" role="separator">
        <span>or</span>
      </div>
      <button
        type="button"
        class="button button--secondary button--block"
        onClick={() => void start()}
        disabled={busy || props.disabled}
      >
        {busy ? <Spinner size="sm" /> : null}
        Try as a guest
      </button>
      <p class="guest-entry__hint">No account needed. Guests are not remembered between visits.</p>
    </div>
  );
}
