import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { type TestServer, startTestServer } from '@attune/auth-service/testing';
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
 * Saves the page as test/artifacts/<name>-desktop.png and <name>-phone.png (full page), then
 * returns to desktop size.
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
  await page.setViewportSize(DESKTOP);
}
