/**
 * `pnpm dev`: the whole stack for development. The auth service (restarted when its sources
 * change), the web client on Vite's dev server (live reload), the agent, and `livekit-server --dev`
 * when it is on the PATH, sending its webhooks to the auth service. What runs is decided by
 * planDevStack (scripts/dev-stack.ts); this file starts it, prefixes each process's output with its
 * name, and stops everything on Ctrl-C / SIGTERM, or when the auth service dies.
 *
 * Every process gets a process group of its own, so one signal reaches it and its children (Vite's
 * workers, the agent's job processes, the server under `node --watch`) exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@attune/auth-service/config';
import {
  type DevProcess,
  type DevStackPlan,
  lineSplitter,
  planDevStack,
  readyMessage,
} from './dev-stack.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** How long the processes get to stop after the signal before they are killed. */
const STOP_GRACE_MS = 10_000;
const READY_POLL_MS = 500;

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
const COLORS: Record<string, string> = {
  dev: '1',
  auth: '36',
  web: '35',
  agent: '33',
  livekit: '32',
};
const NAME_WIDTH = Math.max(...Object.keys(COLORS).map((name) => name.length));

function prefix(name: string): string {
  const padded = name.padEnd(NAME_WIDTH);
  return useColor ? `\x1b[${COLORS[name] ?? '0'}m${padded}\x1b[0m | ` : `${padded} | `;
}

function say(text: string): void {
  for (const line of text.split('\n')) process.stdout.write(`${prefix('dev')}${line}\n`);
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Vite's command-line script, as the web client's own `vite` dependency provides it. */
function viteCli(): string {
  const requireFromWebClient = createRequire(join(ROOT, 'web-client', 'package.json'));
  const manifestPath = requireFromWebClient.resolve('vite/package.json');
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin: string | Record<string, string>;
  };
  const script = typeof bin === 'string' ? bin : bin.vite;
  if (script === undefined) throw new Error(`no vite command in ${manifestPath}`);
  return join(dirname(manifestPath), script);
}

let viteBin: string;
try {
  viteBin = viteCli();
} catch (error) {
  say(
    `Cannot find Vite for the web client (${(error as Error).message}); run \`pnpm install\` first.`,
  );
  process.exit(1);
}

/**
 * The auth service's own reading of this environment: where its internal agent API listens and
 * the agent secret (generated beside the database in development), for the agent to be given.
 */
function authServiceConfig() {
  try {
    return loadConfig(process.env);
  } catch (error) {
    say(`The auth service cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
}

const { agentApi } = authServiceConfig();
const plan: DevStackPlan = planDevStack({
  env: process.env,
  pathLookup: findOnPath,
  node: process.execPath,
  viteBin,
  agentApi: { host: agentApi.host, port: agentApi.port, secret: agentApi.secret },
});
const running = new Map<string, ChildProcess>();
const ready = new Set<string>();
let stopping = false;
let exitCode = 0;
let killTimer: NodeJS.Timeout | undefined;

/** Signals a process and everything it started (its process group). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function stopAll(signal: NodeJS.Signals): void {
  if (!stopping) {
    stopping = true;
    killTimer = setTimeout(() => {
      say(
        `Still running after ${STOP_GRACE_MS / 1000} s: ${[...running.keys()].join(', ')}; killing.`,
      );
      for (const child of running.values()) signalGroup(child, 'SIGKILL');
    }, STOP_GRACE_MS);
  }
  for (const child of running.values()) signalGroup(child, signal);
  finishIfDone();
}

function finishIfDone(): void {
  if (!stopping || running.size > 0) return;
  if (killTimer) clearTimeout(killTimer);
  say(exitCode === 0 ? 'Stopped.' : 'Stopped after a failure.');
  process.exit(exitCode);
}

function failStack(message: string): void {
  if (stopping) return;
  say(message);
  exitCode = 1;
  stopAll('SIGTERM');
}

/** `env` without the variables named. */
function withoutNames(env: NodeJS.ProcessEnv, names: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

function start(planned: DevProcess): void {
  const child = spawn(planned.command, planned.args, {
    cwd: resolve(ROOT, planned.cwd),
    env: withoutNames(
      { ...process.env, ...(useColor ? { FORCE_COLOR: '1' } : {}), ...planned.env },
      planned.withheld ?? [],
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  running.set(planned.name, child);
  const shown = [planned.command, ...planned.args].map((arg) =>
    arg.startsWith(ROOT) ? relative(ROOT, arg) : arg,
  );
  say(`started ${planned.name} (pid ${child.pid ?? '?'}): ${shown.join(' ')}`);

  const onLine = (write: (text: string) => void) => (line: string) => {
    write(`${prefix(planned.name)}${line}\n`);
    if (planned.startFailure?.test(line) && !ready.has(planned.name)) {
      failStack(`${planned.name} failed to start (see above). ${planned.exitHint}`);
    }
  };
  const out = lineSplitter(onLine((text) => process.stdout.write(text)));
  const err = lineSplitter(onLine((text) => process.stderr.write(text)));
  child.stdout.setEncoding('utf8').on('data', out.push);
  child.stderr.setEncoding('utf8').on('data', err.push);

  let ended = false;
  const onEnd = (how: string, failed: boolean) => {
    if (ended) return;
    ended = true;
    out.flush();
    err.flush();
    running.delete(planned.name);
    if (!stopping) {
      if (planned.onExit === 'stop-stack') failStack(`${planned.name} ${how}. ${planned.exitHint}`);
      else say(failed ? `${planned.name} ${how}. ${planned.exitHint}` : `${planned.name} ${how}.`);
    }
    finishIfDone();
  };
  // Whatever it started and left behind (their open pipes would also hold back 'close').
  child.on('exit', () => signalGroup(child, 'SIGKILL'));
  child.on('error', (error) => onEnd(`could not be started (${error.message})`, true));
  child.on('close', (code, signal) =>
    onEnd(
      signal ? `was stopped by ${signal}` : `exited with code ${code ?? '?'}`,
      signal !== null || code !== 0,
    ),
  );
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Says which URL to open once the auth service (and the web client, if still running) answer. */
async function announceWhenReady(): Promise<void> {
  const watched = plan.processes.filter((planned) => planned.readyUrl !== undefined);
  while (!stopping) {
    for (const planned of watched) {
      if (
        !ready.has(planned.name) &&
        running.has(planned.name) &&
        (await answers(planned.readyUrl!))
      )
        ready.add(planned.name);
    }
    if (stopping) return;
    const waiting = watched.filter(
      (planned) => !ready.has(planned.name) && running.has(planned.name),
    );
    if (ready.has('auth') && waiting.length === 0) {
      say(readyMessage(plan, ready.has('web') && running.has('web')));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    interrupts += 1;
    if (interrupts > 1) {
      say('Killing everything now.');
      for (const child of running.values()) signalGroup(child, 'SIGKILL');
      return;
    }
    say(`${signal}: stopping ${[...running.keys()].join(', ')}…`);
    stopAll(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}
// Never leave a process behind, whatever ends this one.
process.on('exit', () => {
  for (const child of running.values()) signalGroup(child, 'SIGKILL');
});

for (const notice of plan.notices) say(notice);
for (const planned of plan.processes) start(planned);
void announceWhenReady();
