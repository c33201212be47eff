import { useMemo, useState } from 'preact/hooks';
import { type ApiUser, AuthApiError, type Role } from '../../api/auth-api.ts';
import { useApp } from '../../app/app-context.ts';
import { adminAbilities, canChangeStatusOf } from '../../app/permissions.ts';
import { canSeeAdminPages } from '../../app/routes.ts';
import { ROLE_LABELS } from '../../app/user-menu.tsx';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { errorMessage } from '../../ui/error-message.ts';
import { EmptyState, ErrorAlert, LoadFailed, LoadingBlock, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { formatDateTime, formatRelative, initials, plural } from '../../ui/format.ts';
import { ChevronDownIcon, PlusIcon, TrashIcon, UserIcon } from '../../ui/icons.tsx';
import { LiveStatus, PageHeader, useStatus } from '../../ui/page-header.tsx';
import { SelectField } from '../../ui/select-field.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { useFormSubmit } from '../../ui/use-form-submit.ts';
import { useLoadMore } from '../../ui/use-load-more.ts';
import {
  type AdminUser,
  ROLES,
  type RemovalReport,
  STATUSES,
  type UserFilters,
  type UserPage,
  type UserStatus,
  removalWarning,
  replaceUser,
  usersPath,
} from './admin-data.ts';
import { AdminNotAllowed, AdminTabs } from './admin-tabs.tsx';

const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));
const STATUS_LABELS: Record<UserStatus, string> = { active: 'Active', suspended: 'Suspended' };

type Pending = { kind: 'suspend' | 'delete'; user: AdminUser } | undefined;

/** Users for admins and moderators: search, filter, change status and role, unlock, delete. */
export function UsersPage(props: { user: ApiUser }) {
  if (!canSeeAdminPages(props.user.role)) return <AdminNotAllowed title="Users" />;
  return <Users me={props.user} />;
}

function Users(props: { me: ApiUser }) {
  const { session } = useApp();
  const can = adminAbilities(props.me.role);
  const [filters, setFilters] = useState<UserFilters>({ search: '', role: '', status: '' });
  const [search, setSearch] = useState('');
  const { state, retry, setData } = useAsync(
    () => session.request<UserPage>({ method: 'GET', path: usersPath(filters) }),
    [filters.search, filters.role, filters.status],
  );
  const [status, setStatus] = useStatus();
  const [panel, setPanel] = useState<'add' | 'invite' | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();
  const more = useLoadMore({
    key: 'users',
    fetchPage: (cursor: string) =>
      session.request<UserPage>({ method: 'GET', path: usersPath(filters, cursor) }),
    setData,
    setError: setActionError,
  });
  const [pending, setPending] = useState<Pending>();
  const [pendingBusy, setPendingBusy] = useState(false);
  const [pendingError, setPendingError] = useState<string | undefined>();

  async function patch(user: AdminUser, change: { role?: Role; status?: UserStatus }) {
    const answer = await session.request<{ user: AdminUser; livekit: RemovalReport | null }>({
      method: 'PATCH',
      path: `/admin/users/${encodeURIComponent(user.id)}`,
      body: change,
    });
    setData((current) => ({ ...current, users: replaceUser(current.users, answer.user) }));
    return answer;
  }

  async function changeRole(user: AdminUser, role: Role) {
    setActionError(undefined);
    try {
      await patch(user, { role });
      setStatus(`${user.full_name} is now ${ROLE_LABELS[role].toLowerCase()}.`);
    } catch (error) {
      setActionError(errorMessage(error));
    }
  }

  async function reactivate(user: AdminUser) {
    setActionError(undefined);
    try {
      await patch(user, { status: 'active' });
      setStatus(`${user.full_name} was reactivated.`);
    } catch (error) {
      setActionError(errorMessage(error));
    }
  }

  /** Resolves true once the service cleared the throttle (the row then reloads its details). */
  async function unlock(user: AdminUser): Promise<boolean> {
    setActionError(undefined);
    try {
      await session.request({
        method: 'POST',
        path: `/admin/users/${encodeURIComponent(user.id)}/unlock`,
      });
      setStatus(`${user.full_name} can sign in again at once.`);
      return true;
    } catch (error) {
      setActionError(errorMessage(error));
      return false;
    }
  }

  async function confirmPending() {
    if (!pending) return;
    setPendingBusy(true);
    setPendingError(undefined);
    const { user } = pending;
    try {
      if (pending.kind === 'suspend') {
        const answer = await patch(user, { status: 'suspended' });
        const warning = removalWarning(answer.livekit);
        if (warning) setActionError(`${user.full_name} was suspended, but ${warning}`);
        setStatus(`${user.full_name} was suspended and signed out everywhere.`);
      } else {
        const answer = await session.request<{ livekit: RemovalReport }>({
          method: 'DELETE',
          path: `/admin/users/${encodeURIComponent(user.id)}`,
        });
        setData((current) => ({
          ...current,
          users: current.users.filter((u) => u.id !== user.id),
        }));
        const warning = removalWarning(answer.livekit);
        if (warning) setActionError(`${user.full_name} was deleted, but ${warning}`);
        setStatus(`${user.full_name} was deleted.`);
      }
      setPending(undefined);
    } catch (error) {
      if (pending.kind === 'delete' && error instanceof AuthApiError && error.status === 404) {
        setData((current) => ({
          ...current,
          users: current.users.filter((u) => u.id !== user.id),
        }));
        setPending(undefined);
      } else {
        setPendingError(errorMessage(error));
      }
    } finally {
      setPendingBusy(false);
    }
  }

  function added(user: AdminUser, mail: MailOutcome) {
    setData((current) => ({ ...current, users: [user, ...current.users] }));
    setPanel(undefined);
    if (mail === 'failed')
      setActionError(
        `${user.full_name} was added, but the mail with their set-password link could not be sent. They can use “Forgot password?” on the sign-in page once mail works.`,
      );
    setStatus(
      mail === 'failed'
        ? `${user.full_name} was added.`
        : `${user.full_name} was added; a link to set a password was mailed to them.`,
    );
  }

  return (
    <div class="page">
      <AdminTabs current="admin-users" />
      <PageHeader
        title="Users"
        actions={
          can.addUsers ? (
            <>
              <button
                type="button"
                class="button button--primary"
                aria-expanded={panel === 'add'}
                onClick={() => setPanel(panel === 'add' ? undefined : 'add')}
              >
                <PlusIcon />
                Add user
              </button>
              <button
                type="button"
                class="button button--secondary"
                aria-expanded={panel === 'invite'}
                onClick={() => setPanel(panel === 'invite' ? undefined : 'invite')}
              >
                Invite
              </button>
            </>
          ) : null
        }
      >
        Everyone with an account on this server.{' '}
        {can.changeRoles
          ? 'Suspending someone signs them out everywhere and removes them from live rooms.'
          : 'As a moderator you can suspend, reactivate and unlock accounts.'}
      </PageHeader>
      <LiveStatus message={status} />
      {panel === 'add' ? (
        <AddUserForm onAdded={added} onCancel={() => setPanel(undefined)} />
      ) : null}
      {panel === 'invite' ? (
        <InviteForm
          onSent={(email, mail) => {
            setPanel(undefined);
            if (mail === 'failed') {
              setActionError(
                `The invitation for ${email} could not be mailed. Check the mail settings and invite them again.`,
              );
            } else {
              setStatus(`An invitation was mailed to ${email}.`);
            }
          }}
          onCancel={() => setPanel(undefined)}
        />
      ) : null}

      <form
        class="filters card"
        role="search"
        aria-label="Find users"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters({ ...filters, search });
        }}
      >
        <Field
          label="Search"
          class="field--grow"
          type="search"
          placeholder="Name or email"
          maxLength={100}
          value={search}
          onValue={setSearch}
        />
        <SelectField
          label="Role"
          value={filters.role}
          options={[{ value: '', label: 'Any role' }, ...ROLE_OPTIONS]}
          onValue={(role) => setFilters({ ...filters, search, role })}
        />
        <SelectField
          label="Status"
          value={filters.status}
          options={[
            { value: '', label: 'Any status' },
            ...STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
          ]}
          onValue={(value) => setFilters({ ...filters, search, status: value })}
        />
        <button type="submit" class="button button--secondary filters__submit">
          Search
        </button>
      </form>

      <section class="card card--flush" aria-labelledby="users-title">
        <div class="card__header card__header--padded">
          <h2 class="card__title" id="users-title">
            Accounts
          </h2>
          {state.status === 'ready' ? (
            <span class="card__meta">
              {plural(state.data.users.length, 'user')} shown
              {state.data.next_cursor ? ', more below' : ''}
            </span>
          ) : null}
        </div>
        {actionError ? <ErrorAlert class="card__inset-alert">{actionError}</ErrorAlert> : null}
        {state.status === 'loading' ? <LoadingBlock label="Loading users…" /> : null}
        {state.status === 'failed' ? (
          <div class="card__body">
            <LoadFailed message={errorMessage(state.error)} onRetry={() => void retry()} />
          </div>
        ) : null}
        {state.status === 'ready' && state.data.users.length === 0 ? (
          <EmptyState icon={<UserIcon size={28} />} title="No users match">
            <p>Try another search, or clear the role and status filters.</p>
          </EmptyState>
        ) : null}
        {state.status === 'ready' && state.data.users.length > 0 ? (
          <ul class="user-list" aria-label="Users">
            {state.data.users.map((user) => (
              <UserRow
                key={user.id}
                user={user}
                me={props.me}
                onRole={(role) => void changeRole(user, role)}
                onSuspend={() => {
                  setPendingError(undefined);
                  setPending({ kind: 'suspend', user });
                }}
                onReactivate={() => void reactivate(user)}
                onUnlock={() => unlock(user)}
                onDelete={() => {
                  setPendingError(undefined);
                  setPending({ kind: 'delete', user });
                }}
              />
            ))}
          </ul>
        ) : null}
        {state.status === 'ready' && state.data.next_cursor ? (
          <div class="session-list__footer">
            <span class="session-list__count">More users match.</span>
            <button
              type="button"
              class="button button--secondary"
              disabled={more.busy}
              onClick={() => void more.loadMore(state.data.next_cursor!)}
            >
              {more.busy ? <Spinner size="sm" /> : null}
              Load more
            </button>
          </div>
        ) : null}
      </section>

      <ConfirmDialog
        open={pending !== undefined}
        title={
          pending?.kind === 'delete'
            ? `Delete ${pending.user.full_name}?`
            : `Suspend ${pending?.user.full_name ?? ''}?`
        }
        confirmLabel={pending?.kind === 'delete' ? 'Delete for good' : 'Suspend'}
        busy={pendingBusy}
        error={pendingError}
        onConfirm={() => void confirmPending()}
        onCancel={() => setPending(undefined)}
      >
        {pending?.kind === 'delete' ? (
          <p>
            The account of <strong>{pending.user.email}</strong> and everything stored about them
            (preferences, conversations, sessions) is erased. This cannot be undone.
          </p>
        ) : (
          <p>
            <strong>{pending?.user.email}</strong> is signed out on every device, removed from any
            live room, and cannot sign in until reactivated.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}

function UserRow(props: {
  user: AdminUser;
  me: ApiUser;
  onRole: (role: Role) => void;
  onSuspend: () => void;
  onReactivate: () => void;
  onUnlock: () => Promise<boolean>;
  onDelete: () => void;
}) {
  const { user, me } = props;
  const can = adminAbilities(me.role);
  const self = user.id === me.id;
  const [open, setOpen] = useState(false);
  // Bumped after an unlock so that open details read the throttle again.
  const [detailVersion, setDetailVersion] = useState(0);
  const panelId = `user-detail-${user.id}`;
  return (
    <li class={`user-row ${open ? 'user-row--open' : ''}`}>
      <div class="user-row__main">
        <span class={`avatar avatar--${user.role}`} aria-hidden="true">
          {initials(user.full_name) || '?'}
        </span>
        <div class="user-row__who">
          <span class="user-row__name">
            {user.full_name}
            {self ? <span class="role-badge">You</span> : null}
          </span>
          <span class="user-row__email">{user.email}</span>
        </div>
        <div class="user-row__role">
          {can.changeRoles && !self ? (
            <SelectField
              label={`Role of ${user.full_name}`}
              hiddenLabel
              value={user.role}
              options={ROLE_OPTIONS}
              onValue={props.onRole}
            />
          ) : (
            <span class={`role-badge role-badge--${user.role}`}>{ROLE_LABELS[user.role]}</span>
          )}
        </div>
        <div class="user-row__status">
          <span class={`status-badge status-badge--${user.status}`}>
            {STATUS_LABELS[user.status]}
          </span>
          <span class="user-row__seen">
            {user.last_login
              ? `Last sign-in ${formatRelative(user.last_login, Date.now())}`
              : 'Never signed in'}
          </span>
        </div>
        <div class="user-row__actions">
          {self || !canChangeStatusOf(me.role, user.role) ? null : user.status === 'active' ? (
            <button
              type="button"
              class="button button--secondary button--small"
              onClick={props.onSuspend}
              aria-label={`Suspend ${user.full_name}`}
            >
              Suspend
            </button>
          ) : (
            <button
              type="button"
              class="button button--secondary button--small"
              onClick={props.onReactivate}
              aria-label={`Reactivate ${user.full_name}`}
            >
              Reactivate
            </button>
          )}
          <button
            type="button"
            class="button button--ghost button--small"
            onClick={() =>
              void props.onUnlock().then((unlocked) => {
                if (unlocked) setDetailVersion((version) => version + 1);
              })
            }
            aria-label={`Unlock sign-in for ${user.full_name}`}
            title="Clear any sign-in throttle after failed passwords"
          >
            Unlock
          </button>
          {can.deleteUsers && !self ? (
            <button
              type="button"
              class="icon-button icon-button--danger"
              onClick={props.onDelete}
              aria-label={`Delete ${user.full_name}`}
              title="Delete"
            >
              <TrashIcon />
            </button>
          ) : null}
          <button
            type="button"
            class="icon-button user-row__toggle"
            aria-expanded={open}
            aria-controls={panelId}
            aria-label={`Details of ${user.full_name}`}
            title="Details"
            onClick={() => setOpen(!open)}
          >
            <ChevronDownIcon />
          </button>
        </div>
      </div>
      <div class="user-row__detail" id={panelId} hidden={!open}>
        {open ? <UserDetail key={detailVersion} user={user} /> : null}
      </div>
    </li>
  );
}

function UserDetail(props: { user: AdminUser }) {
  const { session } = useApp();
  const { state, retry } = useAsync(
    () =>
      session.request<{ user: AdminUser }>({
        method: 'GET',
        path: `/admin/users/${encodeURIComponent(props.user.id)}`,
      }),
    [props.user.id],
  );
  if (state.status === 'loading') return <LoadingBlock label="Loading details…" />;
  if (state.status === 'failed')
    return <LoadFailed message={errorMessage(state.error)} onRetry={() => void retry()} />;
  const { user } = state.data;
  const locked = user.locked_until && Date.parse(user.locked_until) > Date.now();
  return (
    <dl class="detail-list">
      <div>
        <dt>User id</dt>
        <dd class="mono">{user.id}</dd>
      </div>
      <div>
        <dt>Account created</dt>
        <dd>{formatDateTime(user.created_at)}</dd>
      </div>
      <div>
        <dt>Last sign-in</dt>
        <dd>{user.last_login ? formatDateTime(user.last_login) : 'Never'}</dd>
      </div>
      <div>
        <dt>Email</dt>
        <dd>
          {user.email_verified === undefined
            ? user.email
            : `${user.email} (${user.email_verified ? 'verified' : 'not verified'})`}
          {user.pending_email ? ` · changing to ${user.pending_email}` : ''}
        </dd>
      </div>
      <div>
        <dt>Password</dt>
        <dd>
          {user.password_set === false
            ? 'Not set yet: their set-password link has not been used'
            : 'Set'}
        </dd>
      </div>
      <div>
        <dt>Sign-in</dt>
        <dd>
          {locked
            ? `Throttled after failed passwords, until ${formatDateTime(user.locked_until!)}`
            : 'Not throttled'}
        </dd>
      </div>
      {user.active_sessions === undefined ? null : (
        <div>
          <dt>Live sessions</dt>
          <dd>{user.active_sessions}</dd>
        </div>
      )}
    </dl>
  );
}

/** Whether the service could mail the link (`failed`: the account or invitation stands anyway). */
type MailOutcome = 'sent' | 'failed';

function AddUserForm(props: {
  onAdded: (user: AdminUser, mail: MailOutcome) => void;
  onCancel: () => void;
}) {
  const { session } = useApp();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('user');
  const { busy, error, issues, submit } = useFormSubmit(['email', 'full_name', 'role']);
  const options = useMemo(() => ROLE_OPTIONS.filter((o) => o.value !== 'guest'), []);

  async function onSubmit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!name.trim()) missing.full_name = 'Enter their name.';
    if (!email.trim()) missing.email = 'Enter their email address.';
    let created: { user: AdminUser; set_password_mail: MailOutcome } | undefined;
    await submit(missing, async () => {
      created = await session.request<{ user: AdminUser; set_password_mail: MailOutcome }>({
        method: 'POST',
        path: '/admin/users',
        body: { email: email.trim(), full_name: name.trim(), role },
      });
    });
    if (created) props.onAdded(created.user, created.set_password_mail);
  }

  return (
    <section class="card" aria-labelledby="add-user-title">
      <h2 class="card__title" id="add-user-title">
        Add a user
      </h2>
      <p class="card__lead">
        They get an email with a link to set their own password (valid for 7 days).
      </p>
      <form class="card-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
        <div class="card-form__grid card-form__grid--3">
          <Field
            label="Full name"
            name="full_name"
            autocomplete="off"
            value={name}
            onValue={setName}
            error={issues.full_name}
          />
          <Field
            label="Email"
            type="email"
            name="email"
            autocomplete="off"
            value={email}
            onValue={setEmail}
            error={issues.email}
          />
          <SelectField label="Role" value={role} options={options} onValue={setRole} />
        </div>
        <div class="card-form__actions">
          <button type="button" class="button button--ghost" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class="button button--primary" disabled={busy}>
            {busy ? <Spinner size="sm" /> : null}
            Add and mail a link
          </button>
        </div>
      </form>
    </section>
  );
}

function InviteForm(props: {
  onSent: (email: string, mail: MailOutcome) => void;
  onCancel: () => void;
}) {
  const { session } = useApp();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('user');
  const { busy, error, issues, submit } = useFormSubmit(['email', 'role']);
  const options = useMemo(() => ROLE_OPTIONS.filter((o) => o.value !== 'guest'), []);

  async function onSubmit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = 'Enter their email address.';
    let sent: { email: string; invitation_mail: MailOutcome } | undefined;
    await submit(missing, async () => {
      sent = await session.request<{ email: string; invitation_mail: MailOutcome }>({
        method: 'POST',
        path: '/admin/invitations',
        body: { email: email.trim(), role },
      });
    });
    if (sent) props.onSent(sent.email, sent.invitation_mail);
  }

  return (
    <section class="card" aria-labelledby="invite-title">
      <h2 class="card__title" id="invite-title">
        Invite someone
      </h2>
      <p class="card__lead">
        They get an email with a link to create their account themselves (valid for 7 days).
      </p>
      <form class="card-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
        <div class="card-form__grid">
          <Field
            label="Email"
            type="email"
            name="email"
            autocomplete="off"
            value={email}
            onValue={setEmail}
            error={issues.email}
          />
          <SelectField label="Role" value={role} options={options} onValue={setRole} />
        </div>
        <div class="card-form__actions">
          <button type="button" class="button button--ghost" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class="button button--primary" disabled={busy}>
            {busy ? <Spinner size="sm" /> : null}
            Send invitation
          </button>
        </div>
      </form>
    </section>
  );
}
