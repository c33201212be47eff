import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiUser, AuthApiError } from '../api/auth-api.ts';
import { useApp } from '../app/app-context.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { errorMessage, formErrors } from '../ui/error-message.ts';
import { EmptyState, ErrorAlert, LoadFailed, LoadingBlock, Spinner } from '../ui/feedback.tsx';
import { Field } from '../ui/field.tsx';
import { formatDateTime, formatRelative, plural } from '../ui/format.ts';
import {
  DownloadIcon,
  LockIcon,
  MemoryIcon,
  PencilIcon,
  PlusIcon,
  TrashIcon,
} from '../ui/icons.tsx';
import { LiveStatus, PageHeader, useStatus } from '../ui/page-header.tsx';
import { saveBlob } from '../ui/save-file.ts';
import { useAsync } from '../ui/use-async.ts';
import { type Preference, sortPreferences, upsertPreference } from './memory-data.ts';

/** What the assistant remembers (view, edit, add, delete), and the export of all one's data. */
export function MemoryPage(props: { user: ApiUser }) {
  const [status, setStatus] = useStatus();
  const guest = props.user.role === 'guest';
  return (
    <div class="page">
      <PageHeader title="Memory">
        What your assistant remembers about you. It reads these at the start of every conversation.
      </PageHeader>
      <LiveStatus message={status} />
      {guest ? <GuestMemory /> : <Preferences onStatus={setStatus} />}
      <ExportCard onStatus={setStatus} />
    </div>
  );
}

function GuestMemory() {
  return (
    <section class="card" aria-labelledby="guest-memory-title">
      <div class="empty-state">
        <div class="empty-state__icon">
          <LockIcon size={28} />
        </div>
        <h2 class="empty-state__title" id="guest-memory-title">
          Guests have no memory
        </h2>
        <div class="empty-state__text">
          <p>
            The assistant forgets guests when they leave. Sign up to keep preferences, like the
            units you use or how long you like answers.
          </p>
        </div>
        <a class="button button--primary" href="/sign-up">
          Create an account
        </a>
      </div>
    </section>
  );
}

function Preferences(props: { onStatus: (message: string) => void }) {
  const { session } = useApp();
  const { state, retry, setData } = useAsync(
    () =>
      session
        .request<{ preferences: Preference[] }>({ method: 'GET', path: '/me/preferences' })
        .then((body) => sortPreferences(body.preferences)),
    [],
  );
  const [deleting, setDeleting] = useState<Preference | undefined>();
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | undefined>();

  async function save(key: string, value: string): Promise<Preference> {
    const saved = await session.request<Preference>({
      method: 'PUT',
      path: `/me/preferences/${encodeURIComponent(key)}`,
      body: { value },
    });
    setData((list) => upsertPreference(list, saved));
    return saved;
  }

  async function confirmDelete() {
    if (!deleting) return;
    setDeleteBusy(true);
    setDeleteError(undefined);
    try {
      await session.request({
        method: 'DELETE',
        path: `/me/preferences/${encodeURIComponent(deleting.key)}`,
      });
    } catch (error) {
      // Already gone is what the user wanted.
      if (!(error instanceof AuthApiError && error.status === 404)) {
        setDeleteError(errorMessage(error));
        setDeleteBusy(false);
        return;
      }
    }
    const key = deleting.key;
    setData((list) => list.filter((p) => p.key !== key));
    props.onStatus(`Forgot “${key}”.`);
    setDeleting(undefined);
    setDeleteBusy(false);
    // The row (and its Delete button) is gone: keep keyboard focus in the list's card.
    window.setTimeout(() => document.getElementById('preferences-title')?.focus(), 0);
  }

  if (state.status === 'loading') {
    return (
      <section class="card">
        <LoadingBlock label="Loading what the assistant remembers…" />
      </section>
    );
  }
  if (state.status === 'failed') {
    if (state.error instanceof AuthApiError && state.error.code === 'guest_no_memory')
      return <GuestMemory />;
    return (
      <section class="card">
        <LoadFailed message={errorMessage(state.error)} onRetry={() => void retry()} />
      </section>
    );
  }
  const preferences = state.data;
  return (
    <section class="card" aria-labelledby="preferences-title">
      <div class="card__header">
        <h2 class="card__title" id="preferences-title" tabIndex={-1}>
          Preferences
        </h2>
        <span class="card__meta">{plural(preferences.length, 'item')}</span>
      </div>
      {preferences.length === 0 ? (
        <EmptyState icon={<MemoryIcon size={28} />} title="Nothing remembered yet">
          <p>
            Tell the assistant things you want it to keep, like{' '}
            <q>Remember that I prefer metric units</q>, and they appear here. You can also add one
            yourself below.
          </p>
        </EmptyState>
      ) : (
        <ul class="pref-list" aria-label="Preferences">
          {preferences.map((preference) => (
            <PreferenceRow
              key={preference.key}
              preference={preference}
              onSave={(value) =>
                save(preference.key, value).then(() => props.onStatus(`Saved “${preference.key}”.`))
              }
              onDelete={() => {
                setDeleteError(undefined);
                setDeleting(preference);
              }}
            />
          ))}
        </ul>
      )}
      <AddPreference
        onAdd={async (key, value) => {
          const saved = await save(key, value);
          props.onStatus(`Remembered “${saved.key}”.`);
        }}
      />
      <ConfirmDialog
        open={deleting !== undefined}
        title="Forget this preference?"
        confirmLabel="Forget it"
        busy={deleteBusy}
        error={deleteError}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(undefined)}
      >
        <p>
          The assistant will no longer know <strong>{deleting?.key}</strong>:{' '}
          <q>{deleting?.value}</q>.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function PreferenceRow(props: {
  preference: Preference;
  onSave: (value: string) => Promise<void>;
  onDelete: () => void;
}) {
  const { preference } = props;
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(preference.value);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const input = useRef<HTMLInputElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  useEffect(() => {
    if (editing) input.current?.select();
    else if (wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  function cancel() {
    setValue(preference.value);
    setError(undefined);
    setEditing(false);
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (value.trim() === preference.value) return cancel();
    if (!value.trim()) return setError('Enter a value, or delete the preference instead.');
    setBusy(true);
    setError(undefined);
    try {
      await props.onSave(value.trim());
      setEditing(false);
    } catch (failure) {
      setError(formErrors(failure, []).summary);
    } finally {
      setBusy(false);
    }
  }

  const updated = (
    <time
      class="pref__updated"
      dateTime={preference.updated_at}
      title={formatDateTime(preference.updated_at)}
    >
      Updated {formatRelative(preference.updated_at, Date.now())}
    </time>
  );

  if (editing) {
    const inputId = `pref-edit-${preference.key.replace(/\W+/g, '-')}`;
    return (
      <li class="pref pref--editing">
        <form class="pref__edit" onSubmit={(event) => void submit(event)} noValidate>
          <label class="pref__key" for={inputId}>
            {preference.key}
          </label>
          <input
            ref={input}
            id={inputId}
            class="input"
            value={value}
            maxLength={500}
            onInput={(event) => setValue(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.preventDefault();
                cancel();
              }
            }}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? `${inputId}-error` : undefined}
          />
          <div class="pref__actions">
            <button type="submit" class="button button--primary button--small" disabled={busy}>
              {busy ? <Spinner size="sm" /> : null}
              Save
            </button>
            <button
              type="button"
              class="button button--ghost button--small"
              onClick={cancel}
              disabled={busy}
            >
              Cancel
            </button>
          </div>
          {error ? (
            <p class="field__error pref__error" id={`${inputId}-error`} role="alert">
              {error}
            </p>
          ) : null}
        </form>
      </li>
    );
  }
  return (
    <li class="pref">
      <span class="pref__key">{preference.key}</span>
      <span class="pref__value">{preference.value}</span>
      {updated}
      <div class="pref__actions">
        <button
          ref={editButton}
          type="button"
          class="icon-button"
          onClick={() => setEditing(true)}
          aria-label={`Edit ${preference.key}`}
          title="Edit"
        >
          <PencilIcon />
        </button>
        <button
          type="button"
          class="icon-button icon-button--danger"
          onClick={props.onDelete}
          aria-label={`Delete ${preference.key}`}
          title="Delete"
        >
          <TrashIcon />
        </button>
      </div>
    </li>
  );
}

function AddPreference(props: { onAdd: (key: string, value: string) => Promise<void> }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [issues, setIssues] = useState<Record<string, string>>({});
  const keyInput = useRef<HTMLInputElement>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!key.trim()) missing.key = 'Name what to remember.';
    if (!value.trim()) missing.value = 'Enter a value.';
    setIssues(missing);
    setError(undefined);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      await props.onAdd(key.trim(), value.trim());
      setKey('');
      setValue('');
      keyInput.current?.focus();
    } catch (failure) {
      const shown = formErrors(failure, ['key', 'value']);
      setIssues(shown.fields);
      setError(shown.summary);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="pref-add"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-labelledby="pref-add-title"
    >
      <h3 class="pref-add__title" id="pref-add-title">
        Add a preference
      </h3>
      <div class="pref-add__fields">
        <Field
          label="Name"
          inputRef={keyInput}
          placeholder="units"
          maxLength={64}
          value={key}
          onValue={setKey}
          error={issues.key}
        />
        <Field
          label="Value"
          class="field--grow"
          placeholder="metric"
          maxLength={500}
          value={value}
          onValue={setValue}
          error={issues.value}
        />
        <button type="submit" class="button button--secondary pref-add__submit" disabled={busy}>
          {busy ? <Spinner size="sm" /> : <PlusIcon />}
          Add
        </button>
      </div>
      {error && !(issues.key || issues.value) ? (
        <ErrorAlert class="pref-add__error">{error}</ErrorAlert>
      ) : null}
    </form>
  );
}

function ExportCard(props: { onStatus: (message: string) => void }) {
  const { session } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  async function exportData() {
    setBusy(true);
    setError(undefined);
    try {
      const { blob, filename } = await session.download({ method: 'GET', path: '/me/export' });
      saveBlob(blob, filename ?? 'attune-export.json');
      props.onStatus('Your data was downloaded.');
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="card card--row" aria-labelledby="export-title">
      <div class="card__text">
        <h2 class="card__title" id="export-title">
          Your data
        </h2>
        <p class="card__lead">
          Download everything Attune keeps about you (your account, preferences, sessions and
          transcripts) as one JSON file.
        </p>
        {error ? <ErrorAlert>{error}</ErrorAlert> : null}
      </div>
      <button
        type="button"
        class="button button--secondary"
        onClick={() => void exportData()}
        disabled={busy}
      >
        {busy ? <Spinner size="sm" /> : <DownloadIcon />}
        Export my data
      </button>
    </section>
  );
}
