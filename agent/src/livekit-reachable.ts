import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The host and port a LiveKit WebSocket URL connects to. */
function endpointOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'wss:' ? 443 : 80;
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
}

/** Whether something accepts TCP connections at the URL's host and port. */
export function isListening(url: string, timeoutMs = 2_000): Promise<boolean> {
  const { host, port } = endpointOf(url);
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Waits until the LiveKit server answers, saying once, plainly, what it waits for and how to
 * start one. The framework would otherwise log a JSON warning with a stack trace on every retry
 * and give up after ten.
 */
export async function waitForLiveKit(
  url: string,
  say: (line: string) => void,
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  if (await isListening(url)) return;
  say(
    `Waiting for the LiveKit server at ${url}: nothing answers there yet. Start one with ` +
      '`livekit-server --dev` (or set LIVEKIT_URL to yours); the agent registers as soon as it answers.',
  );
  while (!(await isListening(url))) {
    await sleep(options.pollMs ?? 2_000, undefined, { signal: options.signal });
  }
  say(`LiveKit answers at ${url}; registering the agent.`);
}
