import { describe, expect, it } from 'vitest';
import { type AnchorLike, type ClickLike, inPageNavigation } from './link-clicks.ts';

const ORIGIN = 'http://127.0.0.1:8000';
const click = (over: Partial<ClickLike> = {}): ClickLike => ({
  button: 0,
  defaultPrevented: false,
  metaKey: false,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  ...over,
});
const anchor = (href: string, attributes: Record<string, string> = {}): AnchorLike => ({
  href: new URL(href, ORIGIN).href,
  target: attributes.target ?? '',
  hasAttribute: (name) => name in attributes,
});

describe('inPageNavigation', () => {
  it('takes plain clicks on links to the client’s pages', () => {
    expect(inPageNavigation(click(), anchor('/memory'), ORIGIN)).toBe('/memory');
    expect(inPageNavigation(click(), anchor('/sign-up?next=%2Fhistory'), ORIGIN)).toBe(
      '/sign-up?next=%2Fhistory',
    );
    expect(inPageNavigation(click(), anchor('/talk', { target: '_self' }), ORIGIN)).toBe('/talk');
  });

  it('leaves new-tab, modified and non-primary clicks to the browser', () => {
    for (const modifier of [
      { metaKey: true },
      { ctrlKey: true },
      { shiftKey: true },
      { altKey: true },
      { button: 1 },
      { defaultPrevented: true },
    ]) {
      expect(inPageNavigation(click(modifier), anchor('/memory'), ORIGIN)).toBeUndefined();
    }
    expect(
      inPageNavigation(click(), anchor('/memory', { target: '_blank' }), ORIGIN),
    ).toBeUndefined();
    expect(inPageNavigation(click(), anchor('/memory', { download: '' }), ORIGIN)).toBeUndefined();
    expect(
      inPageNavigation(click(), anchor('/memory', { 'data-native-link': '' }), ORIGIN),
    ).toBeUndefined();
  });

  it('leaves other origins and the service’s own pages alone', () => {
    expect(inPageNavigation(click(), anchor('https://livekit.io/'), ORIGIN)).toBeUndefined();
    expect(
      inPageNavigation(click(), anchor('http://127.0.0.1:9000/memory'), ORIGIN),
    ).toBeUndefined();
    expect(inPageNavigation(click(), anchor('/docs'), ORIGIN)).toBeUndefined();
    expect(inPageNavigation(click(), anchor('/openapi.json'), ORIGIN)).toBeUndefined();
  });
});
