import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier } from 'livekit-server-sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type RegisteredUser, type TestServer, registerUser } from '@attune/auth-service/testing';
import { type UserSession, findUserSession, listSessions } from '@attune/db';
import {
  FAKE_MICROPHONE_FLAGS,
  launchChromium,
  newPage,
  screenshotBothWidths,
  startWebServer,
} from './browser-harness.ts';

/**
 * The Talk page in real Chromium against the real auth service. No LiveKit server can run here,
 * so a stand-in plays its signalling endpoint: an HTTP server on loopback that accepts the
 * page's WebSocket (recording the URL, and so the token, it was opened with) and then fails it
 * the way a broken server would. It also answers livekit-client's /validate probe.
 */

interface SignalConnection {
  url: URL;
  socket: WebSocket;
}

interface StandInSignalling {
  port: number;
  url: string;
  connections: SignalConnection[];
  validateRequests: string[];
  nextConnection(): Promise<SignalConnection>;
  close(): Promise<void>;
}

async function startStandInSignalling(): Promise<StandInSignalling> {
  const connections: SignalConnection[] = [];
  const validateRequests: string[] = [];
  const waiting: ((connection: SignalConnection) => void)[] = [];
  const http: Server = createServer((request, response) => {
    // livekit-client asks <url>/rtc[/v1]/validate after a failed connection to learn why.
    validateRequests.push(request.url ?? '');
    response.writeHead(500, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
    response.end('stand-in signalling server: connection failed');
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const connection = { url: new URL(request.url ?? '/', 'ws://127.0.0.1'), socket };
    connections.push(connection);
    waiting.shift()?.(connection);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    connections,
    validateRequests,
    nextConnection: () => new Promise((resolve) => waiting.push(resolve)),
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function sessionsOf(server: TestServer, userId: string): UserSession[] {
  return listSessions(server.database.db, { filter: { userId }, limit: 100 }).sessions;
}

/** Signs in through the page's own form (so the page holds its cookie and in-memory token), then opens /talk. */
async function signInAndOpenTalk(
  page: Page,
  server: TestServer,
  user: RegisteredUser,
): Promise<void> {
  await page.goto(`${server.baseUrl}/sign-in?next=/talk`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${server.baseUrl}/talk`);
  await page.getByRole('heading', { level: 1, name: 'Talk' }).waitFor();
}

/** Collects Content-Security-Policy violations the page reports in its console. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

const talkButton = (page: Page) => page.getByRole('button', { name: 'Talk', exact: true });
/** After a failed attempt the same button offers to try again. */
const tryAgainButton = (page: Page) => page.getByRole('button', { name: 'Try again', exact: true });

describe('Talk page (Chromium, stand-in LiveKit signalling)', () => {
  let signalling: StandInSignalling;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    signalling = await startStandInSignalling();
    [server, browser] = await Promise.all([
      startWebServer({ LIVEKIT_URL: signalling.url }),
      launchChromium(FAKE_MICROPHONE_FLAGS),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await signalling?.close();
  });

  it("opens the LiveKit WebSocket with this user's room token, and says clearly when the connection fails", async () => {
    const user = await registerUser(server, { full_name: 'Ada Lovelace' });
    const { context, page, pageErrors } = await newPage(browser);
    const csp = watchCsp(page);
    await signInAndOpenTalk(page, server, user);
    await expect(talkButton(page).isEnabled()).resolves.toBe(true);
    await page.getByText('Ready when you are').waitFor();
    await screenshotBothWidths(page, 'talk-idle');

    const sessionsBefore = sessionsOf(server, user.id).length;
    const opened = signalling.nextConnection();
    await talkButton(page).click();
    const connection = await opened;

    // livekit-client 2.23 opens <livekit_url>/rtc/v1 (and only falls back to /rtc when /validate says 404).
    expect(connection.url.pathname).toBe('/rtc/v1');
    const token = connection.url.searchParams.get('access_token');
    expect(token).toBeTruthy();
    const claims = await new TokenVerifier('devkey', 'secret').verify(token!);
    expect(claims.sub).toBe(user.id);
    expect(claims.video?.roomJoin).toBe(true);
    expect(claims.attributes?.['attune.user_id']).toBe(user.id);

    // The room in the token is the room the service recorded for the session it minted now.
    const sessionId = claims.attributes?.['attune.session_id'];
    expect(sessionId).toBeTruthy();
    const recorded = findUserSession(server.database.db, user.id, sessionId!);
    expect(recorded).toBeDefined();
    expect(recorded?.roomName).toBe(claims.video?.room);
    expect(recorded?.participantIdentity).toBe(user.id);
    expect(sessionsOf(server, user.id)).toHaveLength(sessionsBefore + 1);
    expect(sessionsOf(server, user.id)[0]?.id).toBe(sessionId);

    // While the server has not answered, the page says it is connecting and offers to cancel.
    await page.getByRole('button', { name: 'Cancel' }).waitFor();
    await expect(page.locator('.talk-connection').textContent()).resolves.toContain('Connecting…');
    await expect(page.locator('.talk-room code').first().textContent()).resolves.toBe(
      recorded?.roomName,
    );
    // The microphone meter follows Chromium's fake microphone (Web Audio analyser, animated each frame).
    await page.waitForFunction(
      () =>
        Number(
          document
            .querySelector<HTMLElement>('.talk-mic__meter')
            ?.style.getPropertyValue('--mic-level'),
        ) > 0.05,
      undefined,
      {
        timeout: 5_000,
      },
    );
    await screenshotBothWidths(page, 'talk-connecting');

    // The server drops the connection.
    connection.socket.terminate();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    await expect(alert.textContent()).resolves.toContain(
      `The connection to the LiveKit server at ${signalling.url} failed. Is livekit-server running? (livekit-server --dev)`,
    );
    await expect(alert.textContent()).resolves.not.toMatch(/\bat .*\.(js|ts):\d+/); // no stack trace
    await tryAgainButton(page).waitFor();
    await expect(tryAgainButton(page).isEnabled()).resolves.toBe(true);
    await expect(page.locator('.talk-connection').textContent()).resolves.toContain(
      'Not connected',
    );
    await expect(page.getByRole('button', { name: 'Cancel' }).count()).resolves.toBe(0);
    // The meter stopped with the microphone.
    await expect(page.locator('.talk-mic__meter').isVisible()).resolves.toBe(false);
    await expect(
      page
        .locator('.talk-mic__meter')
        .evaluate((meter: HTMLElement) => meter.style.getPropertyValue('--mic-level')),
    ).resolves.toBe('0.000');
    await screenshotBothWidths(page, 'talk-error-connection-failed');

    // Try again really goes back to the server, with a fresh session.
    const again = signalling.nextConnection();
    await tryAgainButton(page).click();
    const second = await again;
    const secondClaims = await new TokenVerifier('devkey', 'secret').verify(
      second.url.searchParams.get('access_token')!,
    );
    expect(secondClaims.sub).toBe(user.id);
    expect(secondClaims.attributes?.['attune.session_id']).not.toBe(sessionId);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await talkButton(page).waitFor();
    await expect(page.getByRole('alert').count()).resolves.toBe(0);

    expect(csp).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('names the LiveKit URL when nothing listens there', async () => {
    const port = await closedPort();
    const unreachable = await startWebServer({ LIVEKIT_URL: `ws://127.0.0.1:${port}` });
    try {
      const user = await registerUser(unreachable);
      const { context, page, pageErrors } = await newPage(browser);
      const csp = watchCsp(page);
      await signInAndOpenTalk(page, unreachable, user);
      await talkButton(page).click();
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 20_000 });
      await expect(alert.textContent()).resolves.toContain(
        `Could not reach the LiveKit server at ws://127.0.0.1:${port}. Is livekit-server running? (livekit-server --dev)`,
      );
      await expect(tryAgainButton(page).isEnabled()).resolves.toBe(true);
      await screenshotBothWidths(page, 'talk-error-unreachable');
      expect(csp).toEqual([]);
      expect(pageErrors).toEqual([]);
      await context.close();
    } finally {
      await unreachable.close();
    }
  }, 60_000);
});

describe('Talk page with the microphone denied (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // A microphone exists (fake device) but permission prompts are denied, as when a user blocks it.
    [server, browser] = await Promise.all([
      startWebServer({ LIVEKIT_URL: 'ws://127.0.0.1:9' }),
      launchChromium(['--use-fake-device-for-media-stream', '--deny-permission-prompts']),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('explains how to allow the microphone, and mints no session', async () => {
    const user = await registerUser(server);
    const { context, page, pageErrors } = await newPage(browser);
    await signInAndOpenTalk(page, server, user);
    const sessionsBefore = sessionsOf(server, user.id).length;

    await talkButton(page).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    const text = await alert.textContent();
    expect(text).toContain('Microphone access is blocked');
    expect(text).toMatch(/site settings.*Microphone.*Allow/);
    await expect(tryAgainButton(page).isEnabled()).resolves.toBe(true);
    expect(sessionsOf(server, user.id)).toHaveLength(sessionsBefore);
    await screenshotBothWidths(page, 'talk-microphone-denied');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
