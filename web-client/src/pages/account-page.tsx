import { useState } from 'preact/hooks';
import { type ApiUser, AuthApiError } from '../api/auth-api.ts';
import { useApp, useNavigate } from '../app/app-context.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { errorMessage } from '../ui/error-message.ts';
import { ErrorAlert, LoadFailed, LoadingBlock, Notice, Spinner } from '../ui/feedback.tsx';
import { Field } from '../ui/field.tsx';
import { formatDateTime, formatRelative } from '../ui/format.ts';
import { DevicesIcon, LockIcon, SignOutIcon, TrashIcon } from '../ui/icons.tsx';
import { LiveStatus, PageHeader, useStatus } from '../ui/page-header.tsx';
import { useAsync } from '../ui/use-async.ts';
import { useFormSubmit } from '../ui/use-form-submit.ts';
import { type Device, describeUserAgent, sortDevices } from './account-data.ts';

const PASSWORD_HINT = 'At least 8 characters. A few unrelated words make a good one.';

/** A wrong current password is about that field, whatever the route calls it. */
const wrongPassword = (field: string) => (error: unknown) =>
  error instanceof AuthApiError &&
  error.status === 401 &&
  (error.code === 'invalid_password' || error.code === 'invalid_credentials')
    ? field
    : undefined;

/** Your name, email and password, the devices signed in to your account, and deleting it. */
export function AccountPage(props: { user: ApiUser }) {
  const [status, setStatus] = useStatus();
  if (props.user.role === 'guest') return <GuestAccount />;
  return (
    <div class="page page--account">
      <PageHeader title="Account">
        Your name, email address and password, and the devices signed in as you.
      </PageHeader>
      <LiveStatus message={status} />
      <VerificationBanner user={props.user} onStatus={setStatus} />
      <NameCard user={props.user} onStatus={setStatus} />
      <EmailCard user={props.user} onStatus={setStatus} />
      <PasswordCard onStatus={setStatus} />
      <DevicesCard onStatus={setStatus} />
      <DeleteAccountCard />
    </div>
  );
}

function GuestAccount() {
  return (
    <div class="page">
      <PageHeader title="Account" />
      <section class="card">
        <div class="empty-state">
          <div class="empty-state__icon">
            <LockIcon size={28} />
          </div>
          <h2 class="empty-state__title">Guests have no account</h2>
          <div class="empty-state__text">
            <p>A guest visit ends when you leave. Create an account to keep a name and password.</p>
          </div>
          <a class="button button--primary" href="/sign-up">
            Create an account
          </a>
        </div>
      </section>
    </div>
  );
}

function VerificationBanner(props: { user: ApiUser; onStatus: (message: string) => void }) {
  const { session } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  // Services without email verification leave the field out: nothing to say then.
  if (props.user.email_verified !== false) return null;
  async function resend() {
    setBusy(true);
    setError(undefined);
    try {
      await session.request({ method: 'POST', path: '/auth/email/verify/resend' });
      props.onStatus('A new verification link is on its way.');
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="banner" role="region" aria-label="Email verification">
      <div class="banner__text">
        <strong>Your email address is not verified yet.</strong>
        <span>
          Open the link we mailed to <strong>{props.user.email}</strong>. It may be in your spam
          folder.
        </span>
        {error ? <span class="banner__error">{error}</span> : null}
      </div>
      <button
        type="button"
        class="button button--secondary button--small"
        onClick={() => void resend()}
        disabled={busy}
      >
        {busy ? <Spinner size="sm" /> : null}
        Resend the link
      </button>
    </div>
  );
}

function NameCard(props: { user: ApiUser; onStatus: (message: string) => void }) {
  const { session } = useApp();
  const [name, setName] = useState(props.user.full_name);
  const { busy, error, issues, submit } = useFormSubmit(['full_name']);

  async function onSubmit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!name.trim()) missing.full_name = 'Enter your name.';
    const saved = await submit(missing, async () => {
      const user = await session.request<ApiUser>({
        method: 'PATCH',
        path: '/auth/me',
        body: { full_name: name.trim() },
      });
      session.replaceUser(user);
    });
    if (saved) props.onStatus('Your name was saved.');
  }

  const unchanged = name.trim() === props.user.full_name;
  return (
    <section class="card" aria-labelledby="name-title">
      <h2 class="card__title" id="name-title">
        Name
      </h2>
      <p class="card__lead">How the assistant greets you, and how others on this server see you.</p>
      <form class="card-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
        <div class="card-form__row">
          <Field
            label="Full name"
            class="field--grow"
            name="full_name"
            autocomplete="name"
            maxLength={100}
            value={name}
            onValue={setName}
            error={issues.full_name}
          />
          <button
            type="submit"
            class="button button--primary card-form__submit"
            disabled={busy || unchanged}
          >
            {busy ? <Spinner size="sm" /> : null}
            Save name
          </button>
        </div>
      </form>
    </section>
  );
}

function EmailCard(props: { user: ApiUser; onStatus: (message: string) => void }) {
  const { session } = useApp();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, issues, submit } = useFormSubmit(['email', 'current_password']);
  const { user } = props;

  async function onSubmit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = 'Enter the new address.';
    else if (email.trim().toLowerCase() === user.email.toLowerCase())
      missing.email = 'That is your address already.';
    if (!password) missing.current_password = 'Enter your password to confirm.';
    const saved = await submit(
      missing,
      async () => {
        const updated = await session.request<ApiUser>({
          method: 'PATCH',
          path: '/auth/me',
          body: { email: email.trim(), current_password: password },
        });
        session.replaceUser(updated);
      },
      wrongPassword('current_password'),
    );
    if (saved) {
      setEmail('');
      setPassword('');
      props.onStatus('Check your new address for a verification link.');
    }
  }

  return (
    <section class="card" aria-labelledby="email-title">
      <div class="card__header">
        <h2 class="card__title" id="email-title">
          Email address
        </h2>
        {user.email_verified === undefined ? null : user.email_verified ? (
          <span class="status-badge status-badge--ok">Verified</span>
        ) : (
          <span class="status-badge status-badge--warn">Not verified</span>
        )}
      </div>
      <p class="account-email">{user.email}</p>
      {user.pending_email ? (
        <Notice class="card-form__notice">
          Waiting for verification: <strong>{user.pending_email}</strong>. Your address changes once
          you open the link we mailed there.
        </Notice>
      ) : null}
      <form class="card-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
        <div class="card-form__grid">
          <Field
            label="New email address"
            type="email"
            name="email"
            autocomplete="email"
            inputMode="email"
            value={email}
            onValue={setEmail}
            error={issues.email}
          />
          <Field
            label="Current password"
            type="password"
            name="current_password"
            autocomplete="current-password"
            value={password}
            onValue={setPassword}
            error={issues.current_password}
          />
        </div>
        <p class="field__hint">
          We mail a link to the new address; you keep signing in with the old one until it is used.
        </p>
        <div class="card-form__actions">
          <button type="submit" class="button button--secondary" disabled={busy}>
            {busy ? <Spinner size="sm" /> : null}
            Change email
          </button>
        </div>
      </form>
    </section>
  );
}

function PasswordCard(props: { onStatus: (message: string) => void }) {
  const { session } = useApp();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, issues, submit } = useFormSubmit([
    'current_password',
    'new_password',
    'again',
  ]);

  async function onSubmit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!current) missing.current_password = 'Enter your current password.';
    if (!next) missing.new_password = 'Choose a new password.';
    if (!again) missing.again = 'Type the new password again.';
    else if (next && again !== next) missing.again = 'The two passwords differ.';
    const saved = await submit(
      missing,
      () =>
        session.request({
          method: 'POST',
          path: '/me/password',
          body: { current_password: current, new_password: next },
        }),
      wrongPassword('current_password'),
    );
    if (saved) {
      setCurrent('');
      setNext('');
      setAgain('');
      props.onStatus('Your password was changed. Your other devices were signed out.');
    }
  }

  return (
    <section class="card" aria-labelledby="password-title">
      <h2 class="card__title" id="password-title">
        Password
      </h2>
      <p class="card__lead">Changing it signs out every other device; this one stays signed in.</p>
      <form class="card-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
        <div class="card-form__grid card-form__grid--3">
          <Field
            label="Current password"
            type="password"
            name="current_password"
            autocomplete="current-password"
            value={current}
            onValue={setCurrent}
            error={issues.current_password}
          />
          <Field
            label="New password"
            type="password"
            name="new_password"
            autocomplete="new-password"
            value={next}
            onValue={setNext}
            error={issues.new_password}
          />
          <Field
            label="New password again"
            type="password"
            name="again"
            autocomplete="new-password"
            value={again}
            onValue={setAgain}
            error={issues.again}
          />
        </div>
        <p class="field__hint">{PASSWORD_HINT}</p>
        <div class="card-form__actions">
          <button type="submit" class="button button--secondary" disabled={busy}>
            {busy ? <Spinner size="sm" /> : null}
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}

function DevicesCard(props: { onStatus: (message: string) => void }) {
  const { session } = useApp();
  const navigate = useNavigate();
  const { state, retry, setData } = useAsync(
    () =>
      session
        .request<{ devices: Device[] }>({ method: 'GET', path: '/me/devices' })
        .then((body) => sortDevices(body.devices)),
    [],
  );
  const [busyId, setBusyId] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [everywhere, setEverywhere] = useState(false);
  const [everywhereBusy, setEverywhereBusy] = useState(false);

  async function signOutDevice(device: Device) {
    setBusyId(device.id);
    setError(undefined);
    try {
      await session.request({
        method: 'DELETE',
        path: `/me/devices/${encodeURIComponent(device.id)}`,
      });
    } catch (failure) {
      // Already signed out is what was asked for.
      if (!(failure instanceof AuthApiError && failure.status === 404)) {
        setError(errorMessage(failure));
        setBusyId(undefined);
        return;
      }
    }
    setData((list) => list.filter((d) => d.id !== device.id));
    props.onStatus(`${describeUserAgent(device.user_agent)} was signed out.`);
    setBusyId(undefined);
  }

  async function signOutEverywhere() {
    setEverywhereBusy(true);
    await session.signOut({ everywhere: true });
    navigate('/sign-in', { replace: true });
  }

  return (
    <section class="card card--flush" aria-labelledby="devices-title">
      <div class="card__header card__header--padded">
        <h2 class="card__title" id="devices-title">
          Signed-in devices
        </h2>
        <button
          type="button"
          class="button button--danger-outline button--small"
          onClick={() => setEverywhere(true)}
        >
          <DevicesIcon />
          Sign out everywhere
        </button>
      </div>
      {state.status === 'loading' ? <LoadingBlock label="Loading your devices…" /> : null}
      {state.status === 'failed' ? (
        <div class="card__body">
          <LoadFailed message={errorMessage(state.error)} onRetry={() => void retry()} />
        </div>
      ) : null}
      {state.status === 'ready' ? (
        <ul class="device-list" aria-label="Signed-in devices">
          {state.data.map((device) => (
            <li key={device.id} class="device">
              <span class="device__icon" aria-hidden="true">
                <DevicesIcon />
              </span>
              <div class="device__text">
                <span class="device__name">
                  {describeUserAgent(device.user_agent)}
                  {device.current ? <span class="role-badge device__this">This device</span> : null}
                </span>
                <span class="device__meta">
                  {device.ip ? `${device.ip} · ` : ''}Signed in{' '}
                  <time dateTime={device.created_at} title={formatDateTime(device.created_at)}>
                    {formatRelative(device.created_at, Date.now())}
                  </time>
                  {' · '}last active{' '}
                  <time dateTime={device.last_used_at} title={formatDateTime(device.last_used_at)}>
                    {formatRelative(device.last_used_at, Date.now())}
                  </time>
                </span>
              </div>
              {device.current ? null : (
                <button
                  type="button"
                  class="button button--ghost button--small"
                  onClick={() => void signOutDevice(device)}
                  disabled={busyId === device.id}
                  aria-label={`Sign out ${describeUserAgent(device.user_agent)}, signed in ${formatDateTime(device.created_at)}`}
                >
                  {busyId === device.id ? <Spinner size="sm" /> : <SignOutIcon />}
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {error ? <ErrorAlert class="card__footer-error">{error}</ErrorAlert> : null}
      <ConfirmDialog
        open={everywhere}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        busy={everywhereBusy}
        onConfirm={() => void signOutEverywhere()}
        onCancel={() => setEverywhere(false)}
      >
        <p>Every device signed in to your account is signed out, this one included.</p>
      </ConfirmDialog>
    </section>
  );
}

function DeleteAccountCard() {
  const { session } = useApp();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [issue, setIssue] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  function ask(event: Event) {
    event.preventDefault();
    setIssue(password ? undefined : 'Enter your password to delete your account.');
    setError(undefined);
    if (password) setConfirming(true);
  }

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await session.request({ method: 'DELETE', path: '/me', body: { password } });
      session.endedByService('Your account was deleted, with everything Attune kept about you.');
      navigate('/sign-in', { replace: true });
    } catch (failure) {
      setBusy(false);
      setConfirming(false);
      if (wrongPassword('password')(failure)) setIssue(errorMessage(failure));
      else setError(errorMessage(failure));
    }
  }

  return (
    <section class="card card--danger" aria-labelledby="delete-title">
      <h2 class="card__title" id="delete-title">
        Delete your account
      </h2>
      <p class="card__lead">
        Your account, preferences, conversations and sessions are erased for good. This cannot be
        undone; export your data from the Memory page first if you want a copy.
      </p>
      <form class="card-form" onSubmit={ask} noValidate>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
        <div class="card-form__row">
          <Field
            label="Password"
            class="field--grow"
            type="password"
            name="password"
            autocomplete="current-password"
            value={password}
            onValue={setPassword}
            error={issue}
          />
          <button type="submit" class="button button--danger card-form__submit">
            <TrashIcon />
            Delete account
          </button>
        </div>
      </form>
      <ConfirmDialog
        open={confirming}
        title="Delete your account?"
        confirmLabel="Delete for good"
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>Everything Attune keeps about you is erased, and every device is signed out.</p>
      </ConfirmDialog>
    </section>
  );
}
