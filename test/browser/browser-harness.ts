import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { expect } from 'vitest';
import {
  type SmtpSink,
  type TestServer,
  startSmtpSink,
  startTestServer,
} from '@attune/auth-service/testing';
import { buildWebClient } from '@attune/web-client/build';

/** Debian's chromium (apt-get install chromium); `npx playwright install` cannot download here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** A microphone for the Talk page: Chromium's fake device, granted without a prompt. */
export const FAKE_MICROPHONE_FLAGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export const ARTIFACTS_DIR = new URL('../artifacts/', import.meta.url).pathname;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

let built: Promise<string> | undefined;

/** The web client built once per test process into a temp folder (never the checkout's dist). */
export function builtWebClient(): Promise<string> {
  built ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'attune-web-client-'));
    await buildWebClient(outDir, { quiet: true });
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    return outDir;
  })();
  return built;
}

/** The real auth service on loopback serving the real built client. */
export async function startWebServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({ WEB_CLIENT_DIR: await builtWebClient(), ...env });
}

export interface MailingWebServer {
  server: TestServer;
  /** The real SMTP server on loopback the service sends to (`SMTP_URL`). */
  sink: SmtpSink;
  /** `PUBLIC_URL`: the origin mailed links start with, and where a browser opens the service. */
  publicUrl: string;
  close(): Promise<void>;
}

/**
 * The web server with a real SMTP sink and mailed links a browser can open. The service learns
 * `PUBLIC_URL` before it listens (on a random port), so the public origin is a TCP pass-through on
 * a port taken first, in front of the service as a reverse proxy would be: the links in the mails
 * are opened exactly as mailed.
 */
export async function startMailingWebServer(
  env: Record<string, string> = {},
): Promise<MailingWebServer> {
  // The service's port, known once it listens (after PUBLIC_URL had to be given).
  const service = { port: 0 };
  const sockets = new Set<Socket>();
  const front = createServer((client) => {
    const upstream = connect(service.port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const publicUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const sink = await startSmtpSink();
  const server = await startWebServer({ SMTP_URL: sink.url, PUBLIC_URL: publicUrl, ...env });
  service.port = Number(new URL(server.baseUrl).port);
  return {
    server,
    sink,
    publicUrl,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await server.close();
      await sink.close();
    },
  };
}

export async function launchChromium(extraFlags: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (test/system-packages.sh does it as root)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
  });
}

/** A fresh browser profile (no cookies) at desktop size; page errors fail the test that reads them. */
export async function newPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; pageErrors: Error[] }> {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  return { context, page, pageErrors };
}

/**
 * Saves the page as test/artifacts/<name>-desktop.png and <name>-phone.png (full page), checks the
 * page does not scroll sideways at phone width, then returns to desktop size.
 */
export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}-${label}.png`), fullPage: true });
  }
  // A string, not a function: the bench imports this file and compiles without the DOM types.
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - window.innerWidth',
  );
  await page.setViewportSize(DESKTOP);
  expect(overflow, `${name} scrolls sideways on a phone`).toBeLessThanOrEqual(0);
}

/**
 * Signs the browser context in the way the page does (JSON login asking for the refresh cookie),
 * so the next page load restores the session from the httpOnly cookie; faster than the form.
 */
export async function signInContext(
  context: BrowserContext,
  user: { email: string; password: string },
  baseUrl: string,
): Promise<void> {
  const response = await context.request.post(`${baseUrl}/auth/login`, {
    headers: { 'x-refresh-cookie': '1' },
    data: { email: user.email, password: user.password },
  });
  expect(response.status()).toBe(200);
}

/** Polls `condition` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The page's title heading. */
export const heading = (page: Page, name: string) =>
  page.getByRole('heading', { level: 1, name, exact: true });
/** A status message the page announced (its toasts are read out through a live region). */
export const toast = (page: Page, text: string | RegExp) =>
  page.getByRole('status').filter({ hasText: text });
