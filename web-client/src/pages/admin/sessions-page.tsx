import { useState } from 'preact/hooks';
import { type ApiUser, AuthApiError } from '../../api/auth-api.ts';
import { useApp } from '../../app/app-context.ts';
import { canSeeAdminPages } from '../../app/routes.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { errorMessage } from '../../ui/error-message.ts';
import { EmptyState, ErrorAlert, LoadFailed, LoadingBlock, Spinner } from '../../ui/feedback.tsx';
import { formatDateTime, formatDuration, formatRelative, plural } from '../../ui/format.ts';
import { HistoryIcon, MicIcon } from '../../ui/icons.tsx';
import { LiveStatus, PageHeader, useStatus } from '../../ui/page-header.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { useLoadMore } from '../../ui/use-load-more.ts';
import { type SessionItem, type SessionPage, sessionTime, statusLabel } from '../history-data.ts';
import {
  type LiveRoom,
  type RemovalReport,
  type SessionView,
  removalWarning,
  sessionsPath,
  shortId,
} from './admin-data.ts';
import { AdminNotAllowed, AdminTabs } from './admin-tabs.tsx';
import { type UserDirectory, useDirectory, useDirectoryUser } from './user-directory.ts';

/** Live rooms as LiveKit sees them, and the sessions Attune recorded, with a way to end one. */
export function SessionsPage(props: { user: ApiUser }) {
  if (!canSeeAdminPages(props.user.role)) return <AdminNotAllowed title="Live sessions" />;
  return <Sessions />;
}

function Sessions() {
  const directory = useDirectory();
  const [status, setStatus] = useStatus();
  return (
    <div class="page">
      <AdminTabs current="admin-sessions" />
      <PageHeader title="Live sessions">
        Who is talking with the assistant now. Terminating a session removes the participant from
        its room and signs the user out on every device.
      </PageHeader>
      <LiveStatus message={status} />
      <Rooms />
      <SessionList directory={directory} onStatus={setStatus} />
    </div>
  );
}

function Rooms() {
  const { session } = useApp();
  const { state, retry, reload } = useAsync(
    () => session.request<{ rooms: LiveRoom[] }>({ method: 'GET', path: '/admin/rooms' }),
    [],
  );
  const [refreshing, setRefreshing] = useState(false);
  return (
    <section class="card card--flush" aria-labelledby="rooms-title">
      <div class="card__header card__header--padded">
        <h2 class="card__title" id="rooms-title">
          Rooms in LiveKit
        </h2>
        <button
          type="button"
          class="button button--secondary button--small"
          disabled={refreshing || state.status === 'loading'}
          onClick={() => {
            setRefreshing(true);
            void reload().finally(() => setRefreshing(false));
          }}
        >
          {refreshing ? <Spinner size="sm" /> : null}
          Refresh
        </button>
      </div>
      {state.status === 'loading' ? <LoadingBlock label="Asking LiveKit for its rooms…" /> : null}
      {state.status === 'failed' ? (
        <div class="card__body">
          <LoadFailed message={roomsError(state.error)} onRetry={() => void retry()} />
        </div>
      ) : null}
      {state.status === 'ready' && state.data.rooms.length === 0 ? (
        <EmptyState icon={<MicIcon size={28} />} title="No live rooms">
          <p>Nobody is in a LiveKit room right now.</p>
        </EmptyState>
      ) : null}
      {state.status === 'ready' && state.data.rooms.length > 0 ? (
        <ul class="room-list" aria-label="Live rooms">
          {state.data.rooms.map((room) => (
            <li key={room.name} class="room">
              <div class="room__head">
                <span class="room__name">{room.name}</span>
                <span class="card__meta">
                  {plural(room.num_participants, 'participant')}
                  {room.created_at
                    ? ` · opened ${formatRelative(room.created_at, Date.now())}`
                    : ''}
                </span>
              </div>
              {room.participants.length > 0 ? (
                <ul class="room__participants">
                  {room.participants.map((p) => (
                    <li key={p.identity}>
                      <span class="room__who">{p.name || p.identity}</span>
                      {p.kind === 'standard' ? null : (
                        <span class="role-badge">{participantKind(p.kind)}</span>
                      )}
                      {p.joined_at ? (
                        <span class="card__meta">
                          joined {formatRelative(p.joined_at, Date.now())}
                        </span>
                      ) : null}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** A participant that is not a person, as LiveKit names its kind: "agent" → "Agent", "sip" → "SIP". */
function participantKind(kind: string): string {
  if (kind === 'sip') return 'SIP';
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** LiveKit being down is the operator's problem to fix: say so plainly, with the service's detail. */
function roomsError(error: unknown): string {
  if (error instanceof AuthApiError && error.code === 'livekit_unavailable')
    return `LiveKit could not be reached, so live rooms cannot be listed. ${error.message}`;
  return errorMessage(error);
}

function SessionList(props: { directory: UserDirectory; onStatus: (message: string) => void }) {
  const { session } = useApp();
  const [view, setView] = useState<SessionView>('active');
  const { state, retry, setData } = useAsync(
    () => session.request<SessionPage>({ method: 'GET', path: sessionsPath(view) }),
    [view],
  );
  const [error, setError] = useState<string | undefined>();
  const more = useLoadMore({
    key: 'sessions',
    fetchPage: (cursor: string) =>
      session.request<SessionPage>({ method: 'GET', path: sessionsPath(view, cursor) }),
    setData,
    setError,
  });
  const [ending, setEnding] = useState<SessionItem | undefined>();
  const [endBusy, setEndBusy] = useState(false);
  const [endError, setEndError] = useState<string | undefined>();

  async function terminate() {
    if (!ending) return;
    setEndBusy(true);
    setEndError(undefined);
    try {
      const answer = await session.request<{ session: SessionItem; livekit: RemovalReport }>({
        method: 'POST',
        path: `/admin/sessions/${encodeURIComponent(ending.id)}/terminate`,
      });
      setData((current) => ({
        ...current,
        sessions:
          view === 'active'
            ? current.sessions.filter((s) => s.id !== ending.id)
            : current.sessions.map((s) => (s.id === ending.id ? answer.session : s)),
      }));
      const warning = removalWarning(answer.livekit);
      setError(warning ? `The session was ended, but ${warning}` : undefined);
      props.onStatus('The session was terminated.');
      setEnding(undefined);
    } catch (failure) {
      setEndError(errorMessage(failure));
    } finally {
      setEndBusy(false);
    }
  }

  return (
    <section class="card card--flush" aria-labelledby="sessions-title">
      <div class="card__header card__header--padded">
        <h2 class="card__title" id="sessions-title">
          Sessions
        </h2>
        <div class="segmented" role="radiogroup" aria-label="Which sessions">
          {(
            [
              ['active', 'Active now'],
              ['recent', 'Recent'],
            ] as const
          ).map(([value, label]) => (
            <label
              key={value}
              class={`segmented__option ${view === value ? 'segmented__option--on' : ''}`}
            >
              <input
                type="radio"
                name="session-view"
                value={value}
                checked={view === value}
                onChange={() => setView(value)}
              />
              <span>{label}</span>
            </label>
          ))}
        </div>
      </div>
      {error ? <ErrorAlert class="card__inset-alert">{error}</ErrorAlert> : null}
      {state.status === 'loading' ? <LoadingBlock label="Loading sessions…" /> : null}
      {state.status === 'failed' ? (
        <div class="card__body">
          <LoadFailed message={errorMessage(state.error)} onRetry={() => void retry()} />
        </div>
      ) : null}
      {state.status === 'ready' && state.data.sessions.length === 0 ? (
        <EmptyState
          icon={<HistoryIcon size={28} />}
          title={view === 'active' ? 'No active sessions' : 'No sessions yet'}
        >
          <p>
            {view === 'active'
              ? 'Nobody is in a voice session right now.'
              : 'Sessions appear here once people talk with the assistant.'}
          </p>
        </EmptyState>
      ) : null}
      {state.status === 'ready' && state.data.sessions.length > 0 ? (
        <ul class="admin-sessions" aria-label="Sessions">
          {state.data.sessions.map((item) => (
            <SessionRow
              key={item.id}
              item={item}
              directory={props.directory}
              onTerminate={() => {
                setEndError(undefined);
                setEnding(item);
              }}
            />
          ))}
        </ul>
      ) : null}
      {state.status === 'ready' && state.data.next_cursor ? (
        <div class="session-list__footer">
          <span class="session-list__count">
            {plural(state.data.sessions.length, 'session')} shown
          </span>
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
      <ConfirmDialog
        open={ending !== undefined}
        title="Terminate this session?"
        confirmLabel="Terminate"
        busy={endBusy}
        error={endError}
        onConfirm={() => void terminate()}
        onCancel={() => setEnding(undefined)}
      >
        <p>
          The participant is removed from <strong>{ending?.room_name}</strong> and the user is
          signed out on every device. They can sign in again.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function SessionRow(props: {
  item: SessionItem;
  directory: UserDirectory;
  onTerminate: () => void;
}) {
  const { item } = props;
  const user = useDirectoryUser(props.directory, item.user_id);
  const live = item.status === 'active' || item.status === 'issued';
  const who = user?.full_name ?? shortId(item.user_id);
  return (
    <li class="admin-session">
      <div class="admin-session__who">
        <span class="admin-session__name" title={item.user_id}>
          {who}
        </span>
        {user ? <span class="admin-session__email">{user.email}</span> : null}
      </div>
      <span class="admin-session__room" title="Room">
        {item.room_name}
      </span>
      <span class="admin-session__when">
        <time dateTime={sessionTime(item)} title={formatDateTime(sessionTime(item))}>
          {formatRelative(sessionTime(item), Date.now())}
        </time>
      </span>
      <span class="admin-session__state">
        {item.status === 'ended' ? (
          formatDuration(item.duration_seconds)
        ) : (
          <span class={`status-badge status-badge--${item.status}`}>
            {statusLabel(item.status)}
          </span>
        )}
      </span>
      <span class="admin-session__actions">
        {live ? (
          <button
            type="button"
            class="button button--danger-outline button--small"
            onClick={props.onTerminate}
            aria-label={`Terminate the session of ${who} in ${item.room_name}`}
          >
            Terminate
          </button>
        ) : null}
      </span>
    </li>
  );
}
