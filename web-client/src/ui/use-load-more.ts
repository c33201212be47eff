import { useState } from 'preact/hooks';
import { errorMessage } from './error-message.ts';

/** A list answer: the items under `key` and where the next page starts (null: none left). */
export type Paged<K extends string, Cursor> = { [P in K]: unknown[] } & {
  next_cursor: Cursor | null;
};

/** The list so far with `page` after it: its items appended, its cursor taken. */
export function appendPage<K extends string, Cursor, T extends Paged<K, Cursor>>(
  key: K,
  current: T,
  page: T,
): T {
  return { ...current, [key]: [...current[key], ...page[key]], next_cursor: page.next_cursor };
}

export interface LoadMoreOptions<K extends string, Cursor, T extends Paged<K, Cursor>> {
  /** Which field of the answer holds the items. */
  key: K;
  /** The page after `cursor`. */
  fetchPage: (cursor: Cursor) => Promise<T>;
  /** `useAsync`'s `setData`: where the appended list goes. */
  setData: (update: (data: T) => T) => void;
  /** The page's error line, cleared when a page is asked for and set when it fails. */
  setError: (message: string | undefined) => void;
  setBusy: (busy: boolean) => void;
}

/** Fetches the page after `cursor` and appends it, reporting busy and a failure as it goes. */
export async function loadNextPage<K extends string, Cursor, T extends Paged<K, Cursor>>(
  options: LoadMoreOptions<K, Cursor, T>,
  cursor: Cursor,
): Promise<void> {
  options.setBusy(true);
  options.setError(undefined);
  try {
    const page = await options.fetchPage(cursor);
    options.setData((current) => appendPage(options.key, current, page));
  } catch (error) {
    options.setError(errorMessage(error));
  } finally {
    options.setBusy(false);
  }
}

/**
 * A list's "Load more" button: `loadMore(cursor)` appends the next page to what `useAsync` holds.
 * The error goes to the caller's own error line, which a page may share with its other actions.
 */
export function useLoadMore<K extends string, Cursor, T extends Paged<K, Cursor>>(
  options: Omit<LoadMoreOptions<K, Cursor, T>, 'setBusy'>,
) {
  const [busy, setBusy] = useState(false);
  return { busy, loadMore: (cursor: Cursor) => loadNextPage({ ...options, setBusy }, cursor) };
}
