import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type AsyncState<T> =
  { status: 'loading' } | { status: 'ready'; data: T } | { status: 'failed'; error: unknown };

/**
 * Runs `load` on mount (and when `deps` change), keeping the latest answer only. `reload()` runs
 * it again without flashing the loading state; `setData` replaces the data after a local change.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback((quiet: boolean) => {
    const mine = ++generation.current;
    if (!quiet) setState({ status: 'loading' });
    return loadRef.current().then(
      (data) => {
        if (mine === generation.current) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (mine === generation.current) setState({ status: 'failed', error });
      },
    );
  }, []);

  useEffect(() => {
    void run(false);
    return () => {
      generation.current += 1;
    };
  }, deps);

  const setData = useCallback((update: (data: T) => T) => {
    setState((current) =>
      current.status === 'ready' ? { status: 'ready', data: update(current.data) } : current,
    );
  }, []);

  return { state, reload: () => run(true), retry: () => run(false), setData };
}
