import { inPageNavigation } from './link-clicks.ts';

export interface AppLocation {
  pathname: string;
  search: string;
}

/** The few window facilities the router uses. */
export interface RouterWindow {
  location: { pathname: string; search: string; hash: string; origin: string };
  history: Pick<History, 'pushState' | 'replaceState'>;
  addEventListener(type: 'popstate', listener: () => void): void;
  document: { addEventListener(type: 'click', listener: (event: MouseEvent) => void): void };
}

/**
 * A tiny router on the history API: `navigate` pushes (or replaces) a path, the back and forward
 * buttons fire popstate, and clicks on same-origin links to the client's pages are handled here
 * instead of loading the page again.
 */
export class HistoryRouter {
  #location: AppLocation;
  readonly #listeners = new Set<(location: AppLocation) => void>();

  constructor(private readonly win: RouterWindow) {
    this.#location = this.#read();
    win.addEventListener('popstate', () => this.#update());
    win.document.addEventListener('click', (event) => {
      const anchor = (event.target as Element | null)?.closest?.('a');
      if (!anchor) return;
      const to = inPageNavigation(event, anchor, win.location.origin);
      if (to === undefined) return;
      event.preventDefault();
      this.navigate(to);
    });
  }

  get location(): AppLocation {
    return this.#location;
  }

  subscribe(listener: (location: AppLocation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  navigate(to: string, options: { replace?: boolean } = {}): void {
    const here = `${this.win.location.pathname}${this.win.location.search}${this.win.location.hash}`;
    if (to === here && !options.replace) return;
    if (options.replace) this.win.history.replaceState(null, '', to);
    else this.win.history.pushState(null, '', to);
    this.#update();
  }

  #read(): AppLocation {
    return { pathname: this.win.location.pathname, search: this.win.location.search };
  }

  #update(): void {
    const next = this.#read();
    if (next.pathname === this.#location.pathname && next.search === this.#location.search) return;
    this.#location = next;
    for (const listener of this.#listeners) listener(next);
  }
}
