import { isClientRoute } from './routes.ts';

/** The parts of a click the router looks at. */
export interface ClickLike {
  button: number;
  defaultPrevented: boolean;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The parts of an `<a>` the router looks at. */
export interface AnchorLike {
  href: string;
  target: string;
  hasAttribute(name: string): boolean;
}

/**
 * The path a link click should navigate to inside the page (history API), or undefined when the
 * browser should handle it: modified or non-primary clicks (new tab/window), `target`, `download`,
 * `rel=external`, other origins, and same-origin paths that are not the client's pages (/docs,
 * /openapi.json, files).
 */
export function inPageNavigation(
  click: ClickLike,
  anchor: AnchorLike,
  origin: string,
): string | undefined {
  if (click.defaultPrevented || click.button !== 0) return undefined;
  if (click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return undefined;
  if ((anchor.target && anchor.target !== '_self') || anchor.hasAttribute('download'))
    return undefined;
  if (anchor.hasAttribute('data-native-link')) return undefined;
  let url: URL;
  try {
    url = new URL(anchor.href, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || !isClientRoute(url.pathname)) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}
