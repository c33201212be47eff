import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { ApiUser } from '../api/auth-api.ts';
import { errorMessage } from '../ui/error-message.ts';
import { initials } from '../ui/format.ts';
import { ChevronDownIcon, DevicesIcon, SettingsIcon, SignOutIcon } from '../ui/icons.tsx';
import { useApp, useNavigate } from './app-context.ts';

export const ROLE_LABELS: Record<ApiUser['role'], string> = {
  admin: 'Admin',
  moderator: 'Moderator',
  analyst: 'Analyst',
  user: 'Member',
  guest: 'Guest',
};

/**
 * The signed-in person (name and role) and a disclosure menu with the two ways to sign out.
 * Escape or a click outside closes it and focus returns to its button.
 */
export function UserMenu(props: { user: ApiUser }) {
  const { session } = useApp();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    root.current?.querySelector<HTMLElement>('.menu__item')?.focus();
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  async function signOut(everywhere: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      await session.signOut({ everywhere });
      navigate('/sign-in', { replace: true });
    } catch (failure) {
      // The page is signed out either way; say so if the service could not be told.
      setError(errorMessage(failure));
      navigate('/sign-in', { replace: true });
    } finally {
      setBusy(false);
    }
  }

  const { user } = props;
  return (
    <div class="user-menu" ref={root}>
      <button
        ref={button}
        type="button"
        class="user-menu__button"
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        onClick={() => setOpen(!open)}
      >
        <span class={`avatar avatar--${user.role}`} aria-hidden="true">
          {initials(user.full_name) || '?'}
        </span>
        <span class="user-menu__who">
          <span class="user-menu__name">{user.full_name}</span>
          <span class="user-menu__role">{ROLE_LABELS[user.role]}</span>
        </span>
        <span class="visually-hidden">Account menu</span>
        <ChevronDownIcon class="user-menu__chevron" />
      </button>
      <div class="menu" id={`${id}-menu`} hidden={!open}>
        <div class="menu__header">
          <span class="menu__name">{user.full_name}</span>
          {user.role === 'guest' ? null : <span class="menu__email">{user.email}</span>}
          <span class={`role-badge role-badge--${user.role}`}>{ROLE_LABELS[user.role]}</span>
        </div>
        {user.role === 'guest' ? null : (
          <a class="menu__item" href="/account" onClick={() => setOpen(false)}>
            <SettingsIcon />
            Account
          </a>
        )}
        <button
          type="button"
          class="menu__item"
          onClick={() => void signOut(false)}
          disabled={busy}
        >
          <SignOutIcon />
          Sign out
        </button>
        <button type="button" class="menu__item" onClick={() => void signOut(true)} disabled={busy}>
          <DevicesIcon />
          Sign out everywhere
        </button>
        {error ? (
          <p class="menu__error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </div>
  );
}
