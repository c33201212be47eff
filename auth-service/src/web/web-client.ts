import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, MiddlewareHandler } from 'hono';
import { AGENT_API_BASE_PATH } from '@attune/contract';
import type { AppEnv } from '../app-env.ts';
import { apiError } from '../http/error-catalog.ts';
import type { RouteTable } from '../http/route-table.ts';
import { contentSecurityPolicy } from './content-security-policy.ts';
import { type StaticFile, createStaticFiles, negotiate } from './static-files.ts';

export interface WebClientOptions {
  /** The Vite build (web-client/dist). */
  dir: string;
  /** The LiveKit URL the page connects to; the page's CSP allows exactly that origin. */
  livekitUrl: string;
  /** The API's routes: a path the API knows is never answered with the page. */
  routes: RouteTable;
}

/** Hashed file names never change content, so browsers may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Dot files (the build's source hash) are neither files nor pages. */
const HIDDEN_SEGMENT = /\/\./;

/** A path that names a file (`/assets/index-1a2b.js`, `/favicon.svg`) rather than a page. */
const FILE_PATH = /\/[^/]*\.[a-z0-9]+$/i;

export function isWebClientBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

/**
 * Serves the built web client: its files, and index.html for every page path (`/`, `/talk`,
 * `/memory`, …) so the client's router can take over. Only GET and HEAD on paths the API does not
 * route, and pages only to requests that accept HTML; everything else falls through to the API's
 * own 404/405 JSON answers.
 */
export function webClient(options: WebClientOptions): MiddlewareHandler<AppEnv> {
  const csp = contentSecurityPolicy(options.livekitUrl);
  const files = createStaticFiles(options.dir);

  /**
   * One file of the build, from memory (revalidated against the folder, so a rebuild shows at
   * once), compressed as the client accepts, with an ETag. The page is index.html with its CSP.
   */
  const send = (c: Context<AppEnv>, file: StaticFile, cacheControl: string, page: boolean) => {
    c.header('Cache-Control', cacheControl);
    c.header('ETag', file.etag);
    c.header('Vary', 'Accept-Encoding');
    if (page) {
      c.header('Content-Security-Policy', csp);
      c.header('Permissions-Policy', 'microphone=(self), camera=(), geolocation=()');
    }
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304);
    const { body, encoding } = negotiate(file, c.req.header('accept-encoding'));
    c.header('Content-Type', file.contentType);
    if (encoding) c.header('Content-Encoding', encoding);
    return c.body(body as Uint8Array<ArrayBuffer>, 200);
  };

  return async (c, next) => {
    const { method, path } = c.req;
    if (method !== 'GET' && method !== 'HEAD') return next();
    const isFile = FILE_PATH.test(path) && path !== '/index.html';
    // The cheap tests first: an API call (JSON, no file name) never scans the route table here.
    if (!isFile && !(c.req.header('accept') ?? '').includes('text/html')) return next();
    // The internal agent API's paths are never pages here, even asked for as HTML: this port
    // answers them with a plain 404, like any path it does not serve.
    if (path.startsWith(`${AGENT_API_BASE_PATH}/`)) return next();
    if (HIDDEN_SEGMENT.test(path) || options.routes.allowedMethods(path).length > 0) return next();
    if (isFile) {
      const file = await files.get(path);
      return file
        ? send(c, file, path.startsWith('/assets/') ? IMMUTABLE : 'no-cache', false)
        : next();
    }
    const page = await files.get('/index.html');
    if (!page) {
      throw apiError('web_client_not_built');
    }
    return send(c, page, 'no-cache', true);
  };
}
