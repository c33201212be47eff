import { useMemo, useState } from 'preact/hooks';
import { useApp } from '../app/app-context.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { errorMessage } from '../ui/error-message.ts';
import { EmptyState, ErrorAlert, LoadFailed, LoadingBlock, Spinner } from '../ui/feedback.tsx';
import { formatDateTime, formatDuration, formatTime, plural } from '../ui/format.ts';
import { ChevronDownIcon, HistoryIcon, TrashIcon } from '../ui/icons.tsx';
import { LiveStatus, PageHeader, useStatus } from '../ui/page-header.tsx';
import { useAsync } from '../ui/use-async.ts';
import {
  type HistoryPage as HistoryPageBody,
  type SessionItem,
  type SessionPage,
  TranscriptIndex,
  type Turn,
  sessionTime,
  statusLabel,
  wasJoined,
} from './history-data.ts';

const SESSIONS_PER_PAGE = 25;
const GROUPS_PER_PAGE = 20;

/** Past voice sessions with their durations; each opens to its transcript. */
export function HistoryPage() {
  const { session } = useApp();
  const transcripts = useMemo(
    () =>
      new TranscriptIndex((cursor) =>
        session.request<HistoryPageBody>({
          method: 'GET',
          path: `/me/history?limit=${GROUPS_PER_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        }),
      ),
    [session],
  );
  const [showUnused, setShowUnused] = useState(false);
  // Unless asked for, the service leaves out the rooms nobody joined (each sign-in mints one), so
  // every page of the list is full.
  const loadSessions = (cursor: string | null) =>
    session.request<SessionPage>({
      method: 'GET',
      path: `/me/sessions?limit=${SESSIONS_PER_PAGE}${showUnused ? '' : '&joined=true'}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    });
  const { state, retry, setData } = useAsync(() => loadSessions(null), [showUnused]);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<string | undefined>();
  const [status, setStatus] = useStatus();
  const [confirming, setConfirming] = useState(false);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | undefined>();
  /** Bumped when the history is deleted, so open transcripts load again (empty). */
  const [generation, setGeneration] = useState(0);

  async function loadMore(cursor: string) {
    setMoreBusy(true);
    setMoreError(undefined);
    try {
      const page = await loadSessions(cursor);
      setData((current) => ({
        sessions: [...current.sessions, ...page.sessions],
        next_cursor: page.next_cursor,
      }));
    } catch (error) {
      setMoreError(errorMessage(error));
    } finally {
      setMoreBusy(false);
    }
  }

  async function deleteHistory() {
    setDeleteBusy(true);
    setDeleteError(undefined);
    try {
      await session.request({ method: 'DELETE', path: '/me/history' });
      transcripts.reset();
      setGeneration((g) => g + 1);
      setConfirming(false);
      setStatus('Your conversation history was deleted.');
    } catch (error) {
      setDeleteError(errorMessage(error));
    } finally {
      setDeleteBusy(false);
    }
  }

  const header = (
    <PageHeader
      title="History"
      actions={
        <button
          type="button"
          class="button button--danger-outline"
          onClick={() => {
            setDeleteError(undefined);
            setConfirming(true);
          }}
        >
          <TrashIcon />
          Delete history
        </button>
      }
    >
      Your voice sessions, newest first. Open one to read what was said.
    </PageHeader>
  );

  const dialog = (
    <ConfirmDialog
      open={confirming}
      title="Delete your conversation history?"
      confirmLabel="Delete history"
      busy={deleteBusy}
      error={deleteError}
      onConfirm={() => void deleteHistory()}
      onCancel={() => setConfirming(false)}
    >
      <p>
        Every transcript is erased and the assistant will no longer recall past conversations. Your
        preferences and the list of sessions stay.
      </p>
    </ConfirmDialog>
  );

  if (state.status !== 'ready') {
    return (
      <div class="page">
        {header}
        <section class="card">
          {state.status === 'loading' ? (
            <LoadingBlock label="Loading your sessions…" />
          ) : (
            <LoadFailed message={errorMessage(state.error)} onRetry={() => void retry()} />
          )}
        </section>
        {dialog}
      </div>
    );
  }

  const shown = state.data.sessions;
  return (
    <div class="page">
      {header}
      <LiveStatus message={status} />
      <section class="card card--flush" aria-labelledby="sessions-title">
        <div class="card__header card__header--padded">
          <h2 class="card__title" id="sessions-title">
            Sessions
          </h2>
          <label class="checkbox">
            <input
              type="checkbox"
              checked={showUnused}
              onChange={(event) => setShowUnused(event.currentTarget.checked)}
            />
            <span>Show rooms never joined</span>
          </label>
        </div>
        {shown.length === 0 ? (
          <EmptyState icon={<HistoryIcon size={28} />} title="No conversations yet">
            <p>
              When you talk with the assistant, each conversation appears here with how long it
              lasted and what was said.
            </p>
            <p>
              <a class="button button--primary" href="/talk">
                Start talking
              </a>
            </p>
          </EmptyState>
        ) : (
          <ul class="session-list">
            {shown.map((item) => (
              <SessionRow key={`${item.id}-${generation}`} item={item} transcripts={transcripts} />
            ))}
          </ul>
        )}
        {shown.length > 0 || state.data.next_cursor ? (
          <div class="session-list__footer">
            <span class="session-list__count">{plural(shown.length, 'session')} shown</span>
            {state.data.next_cursor ? (
              <button
                type="button"
                class="button button--secondary"
                disabled={moreBusy}
                onClick={() => void loadMore(state.data.next_cursor!)}
              >
                {moreBusy ? <Spinner size="sm" /> : null}
                Load more
              </button>
            ) : null}
          </div>
        ) : null}
        {moreError ? <ErrorAlert class="session-list__error">{moreError}</ErrorAlert> : null}
      </section>
      {dialog}
    </div>
  );
}

function SessionRow(props: { item: SessionItem; transcripts: TranscriptIndex }) {
  const { item, transcripts } = props;
  const [open, setOpen] = useState(false);
  const [turns, setTurns] = useState<Turn[] | undefined>(() => transcripts.peek(item.id));
  const [error, setError] = useState<string | undefined>();
  const joined = wasJoined(item);
  const panelId = `transcript-${item.id}`;

  function load() {
    setError(undefined);
    transcripts.find(item.id).then(setTurns, (failure: unknown) => setError(errorMessage(failure)));
  }

  function toggle() {
    const next = !open;
    setOpen(next);
    if (next && turns === undefined) load();
  }

  const when = formatDateTime(sessionTime(item), { nowMs: Date.now() });
  const summary = (
    <>
      <span class="session__when">
        <time dateTime={sessionTime(item)}>{when}</time>
      </span>
      <span class="session__duration">
        {item.status === 'ended' ? (
          formatDuration(item.duration_seconds)
        ) : (
          <span class={`status-badge status-badge--${item.status}`}>
            {statusLabel(item.status)}
          </span>
        )}
      </span>
      <span class="session__room" title="Room">
        {item.room_name}
      </span>
    </>
  );

  if (!joined) {
    return (
      <li class="session session--unused">
        <div class="session__summary">{summary}</div>
      </li>
    );
  }
  return (
    <li class={`session ${open ? 'session--open' : ''}`}>
      <button
        type="button"
        class="session__summary session__toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={toggle}
      >
        {summary}
        <span class="visually-hidden">{open ? 'Hide transcript' : 'Show transcript'}</span>
        <ChevronDownIcon class="session__chevron" />
      </button>
      <div class="session__transcript" id={panelId} hidden={!open}>
        {open ? (
          error ? (
            <LoadFailed message={error} onRetry={load} />
          ) : turns === undefined ? (
            <LoadingBlock label="Loading the transcript…" />
          ) : turns.length === 0 ? (
            <p class="transcript__none">No transcript was kept for this session.</p>
          ) : (
            <ol class="transcript" aria-label={`Transcript of ${when}`}>
              {turns.map((turn, i) => (
                <li key={i} class={`turn turn--${turn.role}`}>
                  <span class="turn__who">{turn.role === 'user' ? 'You' : 'Assistant'}</span>
                  <p class="turn__text">{turn.text}</p>
                  <time class="turn__time" dateTime={turn.created_at}>
                    {formatTime(turn.created_at)}
                  </time>
                </li>
              ))}
            </ol>
          )
        ) : null}
      </div>
    </li>
  );
}
