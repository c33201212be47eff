import { describe, expect, it } from 'vitest';
import { AuthApiError } from '../api/auth-api.ts';
import { errorMessage } from './error-message.ts';
import { appendPage, loadNextPage } from './use-load-more.ts';

interface Page {
  items: string[];
  next_cursor: string | null;
}

describe('appendPage', () => {
  it("appends the page's items and takes its cursor", () => {
    const current: Page = { items: ['a', 'b'], next_cursor: 'c1' };
    const page: Page = { items: ['c'], next_cursor: 'c2' };
    expect(appendPage('items', current, page)).toEqual({
      items: ['a', 'b', 'c'],
      next_cursor: 'c2',
    });
    expect(current).toEqual({ items: ['a', 'b'], next_cursor: 'c1' });
  });

  it('ends the list when the last page has no cursor', () => {
    expect(
      appendPage('items', { items: ['a'], next_cursor: 'c1' }, { items: [], next_cursor: null }),
    ).toEqual({ items: ['a'], next_cursor: null });
  });
});

/** Runs loadNextPage on `start` with recording setters; answers the calls in order and the data. */
async function run(start: Page, fetchPage: (cursor: string) => Promise<Page>) {
  const calls: unknown[] = [];
  let data = start;
  await loadNextPage(
    {
      key: 'items',
      fetchPage: (cursor) => {
        calls.push(['fetch', cursor]);
        return fetchPage(cursor);
      },
      setData: (update) => {
        data = update(data);
        calls.push(['data']);
      },
      setError: (message) => calls.push(['error', message]),
      setBusy: (busy) => calls.push(['busy', busy]),
    },
    'c1',
  );
  return { calls, data };
}

describe('loadNextPage', () => {
  it('clears the error, fetches the page after the cursor, appends it and ends busy', async () => {
    const { calls, data } = await run({ items: ['a'], next_cursor: 'c1' }, () =>
      Promise.resolve({ items: ['b'], next_cursor: null }),
    );
    expect(calls).toEqual([
      ['busy', true],
      ['error', undefined],
      ['fetch', 'c1'],
      ['data'],
      ['busy', false],
    ]);
    expect(data).toEqual({ items: ['a', 'b'], next_cursor: null });
  });

  it('shows why the page failed and leaves the list as it was', async () => {
    const failure = new AuthApiError(503, 'unavailable', 'The service is down');
    const { calls, data } = await run({ items: ['a'], next_cursor: 'c1' }, () =>
      Promise.reject(failure),
    );
    expect(calls).toEqual([
      ['busy', true],
      ['error', undefined],
      ['fetch', 'c1'],
      ['error', errorMessage(failure)],
      ['busy', false],
    ]);
    expect(data).toEqual({ items: ['a'], next_cursor: 'c1' });
  });
});
