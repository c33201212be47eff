import { useState } from 'preact/hooks';
import type { ApiUser } from '../../api/auth-api.ts';
import { useApp } from '../../app/app-context.ts';
import { canSeeAdminPages } from '../../app/routes.ts';
import { errorMessage } from '../../ui/error-message.ts';
import { EmptyState, ErrorAlert, LoadFailed, LoadingBlock, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { HistoryIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { useLoadMore } from '../../ui/use-load-more.ts';
import {
  AUDIT_ACTIONS,
  type AuditEntry,
  type AuditFilters,
  type AuditPage as AuditPageBody,
  actionLabel,
  auditPath,
  auditPeriodProblem,
  detailText,
  shortId,
} from './admin-data.ts';
import { AdminNotAllowed, AdminTabs } from './admin-tabs.tsx';
import { type UserDirectory, useDirectory, useDirectoryUser } from './user-directory.ts';

const NO_FILTERS: AuditFilters = { action: '', user: '', from: '', to: '' };

/** The audit log, newest first: who did what to whom, filtered by action, user and period. */
export function AuditPage(props: { user: ApiUser }) {
  if (!canSeeAdminPages(props.user.role)) return <AdminNotAllowed title="Audit log" />;
  return <Audit />;
}

function Audit() {
  const { session } = useApp();
  const directory = useDirectory();
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [problem, setProblem] = useState<string | undefined>();
  const { state, retry, setData } = useAsync(
    () => session.request<AuditPageBody>({ method: 'GET', path: auditPath(filters) }),
    [filters],
  );
  const [moreError, setMoreError] = useState<string | undefined>();
  const more = useLoadMore({
    key: 'entries',
    fetchPage: (cursor: number) =>
      session.request<AuditPageBody>({ method: 'GET', path: auditPath(filters, cursor) }),
    setData,
    setError: setMoreError,
  });

  function apply(event: Event) {
    event.preventDefault();
    const wrong = auditPeriodProblem(draft);
    setProblem(wrong);
    if (!wrong) setFilters({ ...draft });
  }

  const filtered = Object.values(filters).some(Boolean);
  return (
    <div class="page">
      <AdminTabs current="admin-audit" />
      <PageHeader title="Audit log">
        Sign-ins, account changes and admin actions, newest first. Dates are UTC days.
      </PageHeader>
      <form class="filters card" aria-label="Filter the audit log" onSubmit={apply}>
        <Field
          label="Action"
          name="action"
          list="audit-actions"
          placeholder="Any action"
          maxLength={64}
          value={draft.action}
          onValue={(action) => setDraft({ ...draft, action })}
        />
        <datalist id="audit-actions">
          {AUDIT_ACTIONS.map((action) => (
            <option key={action} value={action}>
              {actionLabel(action)}
            </option>
          ))}
        </datalist>
        <Field
          label="User id"
          name="user"
          placeholder="Actor or target"
          maxLength={64}
          value={draft.user}
          onValue={(user) => setDraft({ ...draft, user })}
        />
        <Field
          label="From"
          type="date"
          name="from"
          value={draft.from}
          onValue={(from) => setDraft({ ...draft, from })}
          error={problem}
        />
        <Field
          label="To"
          type="date"
          name="to"
          value={draft.to}
          onValue={(to) => setDraft({ ...draft, to })}
        />
        <div class="filters__buttons">
          <button type="submit" class="button button--secondary">
            Apply
          </button>
          {filtered ? (
            <button
              type="button"
              class="button button--ghost"
              onClick={() => {
                setDraft(NO_FILTERS);
                setFilters(NO_FILTERS);
                setProblem(undefined);
              }}
            >
              Clear
            </button>
          ) : null}
        </div>
      </form>

      <section class="card card--flush" aria-labelledby="audit-title">
        <div class="card__header card__header--padded">
          <h2 class="card__title" id="audit-title">
            Entries
          </h2>
          {state.status === 'ready' ? (
            <span class="card__meta">
              {state.data.entries.length} shown{state.data.next_cursor ? ', more below' : ''}
            </span>
          ) : null}
        </div>
        {state.status === 'loading' ? <LoadingBlock label="Loading the audit log…" /> : null}
        {state.status === 'failed' ? (
          <div class="card__body">
            <LoadFailed message={errorMessage(state.error)} onRetry={() => void retry()} />
          </div>
        ) : null}
        {state.status === 'ready' && state.data.entries.length === 0 ? (
          <EmptyState icon={<HistoryIcon size={28} />} title="No entries">
            <p>{filtered ? 'Nothing matches these filters.' : 'Nothing has been recorded yet.'}</p>
          </EmptyState>
        ) : null}
        {state.status === 'ready' && state.data.entries.length > 0 ? (
          <ol class="audit-list" aria-label="Audit entries">
            {state.data.entries.map((entry) => (
              <AuditRow key={entry.id} entry={entry} directory={directory} />
            ))}
          </ol>
        ) : null}
        {state.status === 'ready' && state.data.next_cursor ? (
          <div class="session-list__footer">
            <span class="session-list__count">Older entries match.</span>
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
        {moreError ? <ErrorAlert class="card__inset-alert">{moreError}</ErrorAlert> : null}
      </section>
    </div>
  );
}

function AuditRow(props: { entry: AuditEntry; directory: UserDirectory }) {
  const { entry } = props;
  const detail = detailText(entry.detail);
  return (
    <li class="audit-entry">
      <time class="audit-entry__at" dateTime={entry.at}>
        {formatDateTime(entry.at, { nowMs: Date.now() })}
      </time>
      <span class={`audit-entry__action audit-action audit-action--${actionTone(entry.action)}`}>
        {actionLabel(entry.action)}
      </span>
      <span class="audit-entry__who">
        <UserRef directory={props.directory} id={entry.actor_id} empty="System" />
        {entry.target && entry.target !== entry.actor_id ? (
          <>
            <span class="audit-entry__arrow" aria-label="on">
              →
            </span>
            <UserRef directory={props.directory} id={entry.target} empty="" />
          </>
        ) : null}
      </span>
      <span class="audit-entry__detail">
        {entry.ip ? <span class="mono">{entry.ip}</span> : null}
        {entry.ip && detail ? ' · ' : ''}
        {detail}
      </span>
    </li>
  );
}

/** Failures and destructive actions stand out; the rest stay quiet. */
function actionTone(action: string): 'danger' | 'warn' | 'plain' {
  if (/failure|reuse|deleted|terminated/.test(action)) return 'danger';
  if (/status|role|lockout|unlock|reset/.test(action)) return 'warn';
  return 'plain';
}

function UserRef(props: { directory: UserDirectory; id: string | null; empty: string }) {
  const user = useDirectoryUser(props.directory, props.id);
  if (!props.id) return <span class="audit-entry__user">{props.empty}</span>;
  return (
    <span class="audit-entry__user" title={props.id}>
      {user ? user.full_name : props.id.includes('@') ? props.id : shortId(props.id)}
    </span>
  );
}
