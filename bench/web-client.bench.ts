import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { registerUser } from '@attune/auth-service/testing';
import {
  builtWebClient,
  launchChromium,
  newPage,
  startWebServer,
} from '../test/browser/browser-harness.ts';
import { type LoadResult, runLoad } from './load.ts';

export interface WebClientBenchResult {
  /** Each built file under assets/ (no source maps): bytes as served and gzipped. */
  assets: { file: string; bytes: number; gzipBytes: number }[];
  totals: { js: { bytes: number; gzipBytes: number }; css: { bytes: number; gzipBytes: number } };
  /** The auth service serving the build (autocannon, separate process). */
  serving: { page: LoadResult; script: LoadResult };
  /** Headless Chromium on loopback, a fresh profile per load; medians and worst of `loads`. */
  browser: {
    loads: number;
    signInPageMs: { median: number; max: number };
    signInToTalkMs: { median: number; max: number };
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]!
    : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
};

/** What a visitor downloads, how fast the service serves it, and how soon the pages are usable. */
export async function benchWebClient(options: {
  durationSeconds: number;
  connections: number;
  loads: number;
}): Promise<WebClientBenchResult> {
  const dir = await builtWebClient();
  const assets = readdirSync(join(dir, 'assets'))
    .filter((file) => !file.endsWith('.map'))
    .map((file) => {
      const content = readFileSync(join(dir, 'assets', file));
      return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
    });
  const sum = (extension: string) =>
    assets
      .filter((asset) => asset.file.endsWith(extension))
      .reduce(
        (total, asset) => ({
          bytes: total.bytes + asset.bytes,
          gzipBytes: total.gzipBytes + asset.gzipBytes,
        }),
        { bytes: 0, gzipBytes: 0 },
      );

  const server = await startWebServer({ LOG_LEVEL: 'silent', RATE_LIMIT_ENABLED: 'false' });
  try {
    const entry = /src="\/assets\/([^"]+\.js)"/.exec(
      readFileSync(join(dir, 'index.html'), 'utf8'),
    )?.[1];
    if (!entry) throw new Error('no entry script in index.html');
    const load = { connections: options.connections, durationSeconds: options.durationSeconds };
    // As a browser asks: HTML for the page, compressed bodies for both.
    const page = await runLoad({
      ...load,
      url: `${server.baseUrl}/talk`,
      headers: { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' },
    });
    const script = await runLoad({
      ...load,
      url: `${server.baseUrl}/assets/${entry}`,
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });

    const email = 'bench-browser@example.org';
    const password = 'bench browser password';
    await registerUser(server, { email, password });
    const browser = await launchChromium();
    const signInPage: number[] = [];
    const signInToTalk: number[] = [];
    try {
      for (let i = 0; i < options.loads; i += 1) {
        const { context, page: tab } = await newPage(browser);
        let started = performance.now();
        await tab.goto(`${server.baseUrl}/sign-in`);
        await tab.getByLabel('Email').waitFor();
        signInPage.push(Math.round(performance.now() - started));
        await tab.getByLabel('Email').fill(email);
        await tab.getByLabel('Password').fill(password);
        started = performance.now();
        await tab.getByRole('button', { name: 'Sign in' }).click();
        await tab.getByRole('button', { name: 'Talk', exact: true }).waitFor();
        signInToTalk.push(Math.round(performance.now() - started));
        await context.close();
      }
    } finally {
      await browser.close();
    }
    return {
      assets,
      totals: { js: sum('.js'), css: sum('.css') },
      serving: { page, script },
      browser: {
        loads: options.loads,
        signInPageMs: { median: median(signInPage), max: Math.max(...signInPage) },
        signInToTalkMs: { median: median(signInToTalk), max: Math.max(...signInToTalk) },
      },
    };
  } finally {
    await server.close();
  }
}
