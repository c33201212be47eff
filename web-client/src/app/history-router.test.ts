import { describe, expect, it } from 'vitest';
import { HistoryRouter, type RouterWindow } from './history-router.ts';

/** A window whose history API moves a fake location, with hooks to fire popstate and clicks. */
function fakeWindow(start: string) {
  let url = new URL(start, 'http://127.0.0.1:8000');
  const popstate: (() => void)[] = [];
  const clicks: ((event: MouseEvent) => void)[] = [];
  const pushed: string[] = [];
  const win: RouterWindow = {
    location: {
      get pathname() {
        return url.pathname;
      },
      get search() {
        return url.search;
      },
      get hash() {
        return url.hash;
      },
      origin: 'http://127.0.0.1:8000',
    },
    history: {
      pushState: (_state, _title, to) => {
        url = new URL(String(to), url);
        pushed.push(`push ${String(to)}`);
      },
      replaceState: (_state, _title, to) => {
        url = new URL(String(to), url);
        pushed.push(`replace ${String(to)}`);
      },
    },
    addEventListener: (_type, listener) => popstate.push(listener),
    document: { addEventListener: (_type, listener) => clicks.push(listener) },
  };
  return {
    win,
    pushed,
    back(to: string) {
      url = new URL(to, url);
      for (const listener of popstate) listener();
    },
    click(href: string, over: Partial<MouseEvent> = {}) {
      let prevented = false;
      const anchor = { href: new URL(href, url).href, target: '', hasAttribute: () => false };
      const event = {
        button: 0,
        defaultPrevented: false,
        metaKey: false,
        ctrlKey: false,
        shiftKey: false,
        altKey: false,
        target: { closest: () => anchor },
        preventDefault: () => {
          prevented = true;
        },
        ...over,
      } as unknown as MouseEvent;
      for (const listener of clicks) listener(event);
      return prevented;
    },
  };
}

describe('HistoryRouter', () => {
  it('pushes and replaces paths and tells its listeners', () => {
    const fake = fakeWindow('/sign-in');
    const router = new HistoryRouter(fake.win);
    const seen: string[] = [];
    router.subscribe((location) => seen.push(`${location.pathname}${location.search}`));
    router.navigate('/memory');
    router.navigate('/sign-in?next=%2Fmemory', { replace: true });
    expect(fake.pushed).toEqual(['push /memory', 'replace /sign-in?next=%2Fmemory']);
    expect(seen).toEqual(['/memory', '/sign-in?next=%2Fmemory']);
    expect(router.location).toEqual({ pathname: '/sign-in', search: '?next=%2Fmemory' });
  });

  it('does not push the page it is already on', () => {
    const fake = fakeWindow('/memory');
    const router = new HistoryRouter(fake.win);
    router.navigate('/memory');
    expect(fake.pushed).toEqual([]);
  });

  it('follows the back and forward buttons', () => {
    const fake = fakeWindow('/memory');
    const router = new HistoryRouter(fake.win);
    const seen: string[] = [];
    router.subscribe((location) => seen.push(location.pathname));
    fake.back('/history');
    expect(seen).toEqual(['/history']);
  });

  it('handles clicks on links to its pages in place, and leaves the rest to the browser', () => {
    const fake = fakeWindow('/talk');
    const router = new HistoryRouter(fake.win);
    expect(fake.click('/history')).toBe(true);
    expect(router.location.pathname).toBe('/history');
    expect(fake.click('/docs')).toBe(false);
    expect(fake.click('/memory', { ctrlKey: true })).toBe(false);
    expect(router.location.pathname).toBe('/history');
  });
});
