/**
 * What `pnpm dev` runs, decided from the environment and the PATH alone, with no side effects, so
 * that scripts/dev-stack.test.ts can check every choice. scripts/dev.ts carries the plan out.
 */

export type DevProcessName = 'auth' | 'web' | 'agent' | 'livekit';

export interface DevProcess {
  name: DevProcessName;
  /** Program and arguments, spawned without a shell. */
  command: string;
  args: string[];
  /** Working directory, relative to the repository root. */
  cwd: string;
  /** Added to the environment `pnpm dev` runs in. */
  env: Record<string, string>;
  /** Left out of that environment: the auth service's own secrets never reach the agent. */
  withheld?: string[];
  /** When it exits on its own: `stop-stack` ends everything, `keep-running` leaves the rest up. */
  onExit: 'stop-stack' | 'keep-running';
  /** Printed after it exits on its own with a failure. */
  exitHint: string;
  /**
   * An output line meaning it failed to start. `node --watch` does not exit when its program
   * crashes (it waits for a file to change), so a service that never came up is seen by this line.
   */
  startFailure?: RegExp;
  /** Answers 2xx once the process is serving. */
  readyUrl?: string;
}

export interface DevStackPlan {
  processes: DevProcess[];
  /** Printed before anything starts. */
  notices: string[];
  /** The auth service, as the browser and the other processes reach it. */
  authUrl: string;
  /** The Vite dev server: the web client with live reload. */
  webUrl: string;
  /** Where LiveKit sends its webhooks (when `pnpm dev` starts livekit-server). */
  webhookUrl: string;
}

export interface DevStackInput {
  /** The environment `pnpm dev` runs in. Empty values count as unset, as in the services. */
  env: Record<string, string | undefined>;
  /** Full path of an executable found on the PATH, or undefined. */
  pathLookup: (command: string) => string | undefined;
  /** The Node binary that runs the TypeScript entries (process.execPath). */
  node: string;
  /** Vite's command-line script (web-client/node_modules/vite/bin/vite.js). */
  viteBin: string;
  /**
   * The auth service's internal agent API as its own configuration has it (scripts/dev.ts loads
   * it): the agent is handed its URL and secret, so it never waits for the secret file.
   */
  agentApi: { host: string; port: number; secret: string };
}

/** Node flags that run a package from its TypeScript sources (tsx, and the sources' exports). */
export const FROM_SOURCES = ['--conditions=@attune/source', '--import', 'tsx'];

/**
 * Settings only the auth service may hold: with JWT_SECRET an agent could sign session
 * credentials for any session, with the rest reach the database or act as an administrator.
 */
export const AUTH_SERVICE_SECRETS = [
  'JWT_SECRET',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
  'METRICS_TOKEN',
  'DATABASE_PATH',
  'DATABASE_URL',
];

export const DEFAULT_AUTH_PORT = 8000;
export const DEFAULT_WEB_PORT = 5173;
export const DEFAULT_LIVEKIT_URL = 'ws://localhost:7880';
export const WEBHOOK_PATH = '/livekit/webhook';
const DEV_LIVEKIT_API_KEY = 'devkey';
const DEV_LIVEKIT_API_SECRET = 'secret';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]']);

export const LIVEKIT_INSTALL_MESSAGE = [
  'livekit-server is not on the PATH, so the stack runs without it: signing in works, talking does not. Install it with',
  '  Linux:  curl -sSL https://get.livekit.io | bash',
  '  macOS:  brew install livekit',
  'and run `pnpm dev` again. Or run it in Docker (its webhooks then do not reach the auth service, so session',
  'durations are not recorded; `docker compose up --build` runs the whole stack wired together):',
  '  docker run --rm -p 7880:7880 -p 7881:7881 -p 7882:7882/udp livekit/livekit-server --dev --bind 0.0.0.0',
].join('\n');

/** After the agent stopped while no language model is configured (its own message says what is missing). */
export const AGENT_SETUP_HINT =
  'The agent is not running; the rest of the stack is. To talk to it, set OPENAI_API_KEY (or LLM_API_KEY, or LLM_BASE_URL ' +
  'for an OpenAI-compatible server such as Ollama) and run `pnpm dev` again; add SPEECH=local for offline speech ' +
  '(espeak-ng and pocketsphinx) instead of OpenAI speech.';
const AGENT_STOPPED_HINT =
  'The agent stopped (see its output above); the rest of the stack keeps running.';

function setting(env: DevStackInput['env'], name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The host part of a URL reaching a server bound to `host` (an any-address is reached on loopback). */
function reachableHost(host: string | undefined): string {
  if (host === undefined || ANY_ADDRESS.has(host)) return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The LiveKit URL the services use points at this machine (then `pnpm dev` runs livekit-server). */
function isLocalLivekit(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return true; // the services refuse a malformed LIVEKIT_URL with their own message
  }
}

function livekitProcess(
  input: DevStackInput,
  binary: string,
  livekitUrl: string,
  webhookUrl: string,
): DevProcess {
  const apiKey = setting(input.env, 'LIVEKIT_API_KEY') ?? DEV_LIVEKIT_API_KEY;
  const apiSecret = setting(input.env, 'LIVEKIT_API_SECRET') ?? DEV_LIVEKIT_API_SECRET;
  const port = Number(new URL(livekitUrl).port || 7880);
  const customKeys = apiKey !== DEV_LIVEKIT_API_KEY || apiSecret !== DEV_LIVEKIT_API_SECRET;
  // livekit-server reads YAML; JSON is YAML too, and needs no quoting rules of its own.
  const config = { port, webhook: { api_key: apiKey, urls: [webhookUrl] } };
  // With keys of its own, --dev no longer limits itself to loopback; keep it there.
  const bind = customKeys ? ['--bind', '127.0.0.1', '--bind', '::1'] : [];
  return {
    name: 'livekit',
    command: binary,
    args: ['--dev', ...bind, '--config-body', JSON.stringify(config)],
    cwd: '.',
    // The key pair goes in livekit-server's LIVEKIT_KEYS variable, never on its command line, where
    // any local user could read the secret with `ps`.
    env: customKeys ? { LIVEKIT_KEYS: `${apiKey}: ${apiSecret}` } : {},
    onExit: 'keep-running',
    exitHint: 'livekit-server stopped; the rest of the stack keeps running, but talking needs it.',
  };
}

/** The processes `pnpm dev` starts, and what it prints first. */
export function planDevStack(input: DevStackInput): DevStackPlan {
  const { env, node } = input;
  const authPort = setting(env, 'PORT') ?? String(DEFAULT_AUTH_PORT);
  const authUrl = `http://${reachableHost(setting(env, 'HOST'))}:${authPort}`;
  const webPort = setting(env, 'WEB_PORT') ?? String(DEFAULT_WEB_PORT);
  const webUrl = `http://127.0.0.1:${webPort}`;
  const webhookUrl = `${authUrl}${WEBHOOK_PATH}`;
  const notices: string[] = [];
  const languageModelSet = ['OPENAI_API_KEY', 'LLM_API_KEY', 'LLM_BASE_URL'].some(
    (name) => setting(env, name) !== undefined,
  );

  const processes: DevProcess[] = [
    {
      name: 'auth',
      command: node,
      // --watch restarts it when one of its source files changes; keep the other processes' output on screen.
      args: ['--watch', '--watch-preserve-output', ...FROM_SOURCES, 'auth-service/src/server.ts'],
      cwd: '.',
      env: {},
      onExit: 'stop-stack',
      exitHint: 'Stopping the whole stack: everything else talks to the auth service.',
      startFailure: /^Failed running '/,
      readyUrl: `${authUrl}/ready`,
    },
    {
      name: 'web',
      command: node,
      // `pnpm --filter @attune/web-client dev`, minus the pnpm and shell layers, so signals reach Vite itself.
      args: [input.viteBin, '--port', webPort, '--strictPort'],
      cwd: 'web-client',
      env: { ATTUNE_AUTH_URL: setting(env, 'ATTUNE_AUTH_URL') ?? authUrl },
      onExit: 'keep-running',
      exitHint: `The Vite dev server stopped; ${authUrl} still serves the last built client. Set WEB_PORT if ${webPort} is taken.`,
      readyUrl: webUrl,
    },
    {
      name: 'agent',
      command: node,
      args: [...FROM_SOURCES, 'agent/src/main.ts'],
      cwd: '.',
      env: {
        ATTUNE_API_URL: `http://${reachableHost(input.agentApi.host)}:${input.agentApi.port}`,
        AGENT_API_SECRET: input.agentApi.secret,
      },
      withheld: AUTH_SERVICE_SECRETS,
      onExit: 'keep-running',
      exitHint: languageModelSet ? AGENT_STOPPED_HINT : AGENT_SETUP_HINT,
    },
  ];

  const livekitUrl = setting(env, 'LIVEKIT_URL') ?? DEFAULT_LIVEKIT_URL;
  if (!isLocalLivekit(livekitUrl)) {
    notices.push(
      `Using the LiveKit server at ${livekitUrl} (LIVEKIT_URL); not starting livekit-server.`,
    );
  } else {
    const binary = input.pathLookup('livekit-server');
    if (binary === undefined) notices.push(LIVEKIT_INSTALL_MESSAGE);
    else processes.push(livekitProcess(input, binary, livekitUrl, webhookUrl));
  }
  return { processes, notices, authUrl, webUrl, webhookUrl };
}

/** What to print once the stack answers: which URL to open. */
export function readyMessage(plan: DevStackPlan, webClientUp: boolean): string {
  const lines = webClientUp
    ? [
        `Open ${plan.webUrl}: the web client with live reload (its API calls go through to the auth service).`,
        `The auth service at ${plan.authUrl} serves the last built client (pnpm --filter @attune/web-client build).`,
      ]
    : [
        `Open ${plan.authUrl}: the auth service, serving the last built client (pnpm --filter @attune/web-client build).`,
      ];
  return [...lines, 'Ctrl-C stops everything.'].join('\n');
}

/**
 * Cuts a stream of text into whole lines for `onLine`; a line split across chunks is held back
 * until it is complete, and `flush` hands over a last line without a newline.
 */
export function lineSplitter(onLine: (line: string) => void): {
  push: (chunk: string) => void;
  flush: () => void;
} {
  let pending = '';
  return {
    push(chunk) {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
    },
    flush() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}
