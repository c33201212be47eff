import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../testing/test-server.ts';

// The auth service serving a built web client: a stand-in build in a temp folder (the real
// Vite build is served to Chromium in test/browser/).

const PAGE =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head><body><main id="app"></main></body></html>';
const SCRIPT = 'console.log("attune");';
const BIG_SCRIPT = `export const words = ${JSON.stringify(Array.from({ length: 2000 }, (_, i) => `word-${i % 50}`))};`;
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** A GET whose body is not decoded (fetch always decodes). */
function rawGet(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(`${baseUrl}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

let dir: string;
let server: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), PAGE);
  writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'app-big.js'), BIG_SCRIPT);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, '.source-hash'), 'abc\n');
  server = await startTestServer({
    WEB_CLIENT_DIR: dir,
    LIVEKIT_URL: 'wss://attune-demo.livekit.cloud',
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the web client', () => {
  it('answers every page path with index.html, its CSP and no caching', async () => {
    for (const path of [
      '/',
      '/talk',
      '/memory',
      '/history',
      '/dashboard',
      '/sign-in',
      '/no-such-page',
    ]) {
      const response = await server.fetch(path, { headers: HTML });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(PAGE);
    }
    const csp =
      (await server.fetch('/', { headers: HTML })).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // The LiveKit project's host and, for LiveKit Cloud, its region hosts.
    expect(csp).toContain(
      "connect-src 'self' wss://attune-demo.livekit.cloud https://attune-demo.livekit.cloud wss://*.livekit.cloud https://*.livekit.cloud",
    );
  });

  it('compresses as the client accepts (brotli, then gzip) and revalidates by ETag', async () => {
    const big = await server.fetch('/assets/app-big.js', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(big.headers.get('content-encoding')).toBe('br');
    expect(big.headers.get('vary')).toBe('Accept-Encoding');
    expect(await big.text()).toBe(BIG_SCRIPT); // fetch decodes it
    const raw = await rawGet(server.baseUrl, '/assets/app-big.js', { 'accept-encoding': 'gzip' });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(raw.body).toString()).toBe(BIG_SCRIPT);
    expect(raw.body.length).toBeLessThan(BIG_SCRIPT.length / 10);
    const plain = await rawGet(server.baseUrl, '/assets/app-big.js', {
      'accept-encoding': 'br;q=0, identity',
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(BIG_SCRIPT);

    const etag = big.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await server.fetch('/assets/app-big.js', { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('serves a rebuilt file at once, and forgets a removed one', async () => {
    writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /admin\n');
    const first = await server.fetch('/robots.txt');
    expect(await first.text()).toContain('/admin');
    writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\nAllow: /\n');
    utimesSync(join(dir, 'robots.txt'), new Date(), new Date(Date.now() + 5_000));
    const second = await server.fetch('/robots.txt');
    expect(await second.text()).toContain('Allow: /');
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    rmSync(join(dir, 'robots.txt'));
    expect((await server.fetch('/robots.txt')).status).toBe(404);
  });

  it('serves the hashed assets for a year and other files without caching', async () => {
    const script = await server.fetch('/assets/app-1a2b3c.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe(SCRIPT);
    const icon = await server.fetch('/favicon.svg');
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('leaves the API as it was: JSON 404s, 405s and 401s, never the page', async () => {
    const missingFile = await server.fetch('/assets/missing.js');
    expect(missingFile.status).toBe(404);
    expect(await missingFile.json()).toMatchObject({ error: { code: 'not_found' } });
    // A page path asked for by an API client (no text/html) is the API's 404.
    const jsonClient = await server.fetch('/talk', { headers: { accept: 'application/json' } });
    expect(jsonClient.status).toBe(404);
    expect(await jsonClient.json()).toMatchObject({ error: { code: 'not_found' } });
    // GET on a path the API routes for other methods only: 405, even from a browser.
    const wrongMethod = await server.fetch('/me', { headers: HTML });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('DELETE');
    const api = await server.fetch('/auth/me', { headers: HTML });
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    // Other methods on page paths are not the page either.
    expect((await server.fetch('/talk', { method: 'POST', headers: HTML })).status).toBe(404);
    // The internal agent API's paths are not pages here, even asked for from a browser.
    const agentApi = await server.fetch('/agent/v1/participants/resolve', { headers: HTML });
    expect(agentApi.status).toBe(404);
    expect(await agentApi.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves nothing outside the build and no dot files', async () => {
    const dotFile = await server.fetch('/.source-hash');
    expect(dotFile.status).toBe(404);
    expect(await dotFile.text()).not.toContain('abc');
    // Whatever a climbing path becomes, the answer is the page or a 4xx, never the file.
    for (const path of [
      '/assets/../../../../etc/passwd',
      '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%5c..%5cpasswd.txt',
    ]) {
      const response = await server.fetch(path, { headers: HTML });
      expect(response.status, path).toBeLessThan(500);
      const text = await response.text();
      expect(text, path).not.toContain('root:');
      if (response.status === 200) expect(text, path).toBe(PAGE);
    }
  });
});

describe('the API rate limit', () => {
  it('does not count page and file requests', async () => {
    const limited = await startTestServer({
      WEB_CLIENT_DIR: dir,
      RATE_LIMIT_GENERAL_PER_MINUTE: '2',
    });
    try {
      for (let i = 0; i < 5; i += 1) {
        expect((await limited.fetch('/assets/app-1a2b3c.js')).status).toBe(200);
        expect((await limited.fetch('/memory', { headers: HTML })).status).toBe(200);
      }
      // API calls still are: the third in the minute is refused.
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await limited.fetch('/auth/me')).status);
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('without a build', () => {
  it('says how to build the client instead of serving a page', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'attune-web-empty-'));
    const unbuilt = await startTestServer({ WEB_CLIENT_DIR: empty });
    try {
      const response = await unbuilt.fetch('/', { headers: HTML });
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('web_client_not_built');
      expect(body.error.message).toContain('pnpm --filter @attune/web-client build');
      expect((await unbuilt.fetch('/health')).status).toBe(200);
    } finally {
      await unbuilt.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
