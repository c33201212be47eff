import { describe, expect, it } from 'vitest';
import {
  AGENT_SETUP_HINT,
  type DevProcess,
  type DevStackInput,
  LIVEKIT_INSTALL_MESSAGE,
  lineSplitter,
  planDevStack,
  readyMessage,
} from './dev-stack.ts';

const NODE = '/opt/node/bin/node';
const VITE = '/repo/web-client/node_modules/vite/bin/vite.js';
const LIVEKIT = '/usr/local/bin/livekit-server';
const AGENT_API = {
  host: '127.0.0.1',
  port: 8001,
  secret: 'the-auth-service-agent-secret-0123456789',
};

function plan(env: DevStackInput['env'], onPath: Record<string, string> = {}) {
  const looked: string[] = [];
  const result = planDevStack({
    env,
    node: NODE,
    viteBin: VITE,
    agentApi: AGENT_API,
    pathLookup: (command) => {
      looked.push(command);
      return onPath[command];
    },
  });
  return { ...result, looked };
}

function processNamed(processes: DevProcess[], name: string): DevProcess {
  const found = processes.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no ${name} process in the plan`);
  return found;
}

interface LivekitConfig {
  port: number;
  keys?: Record<string, string>;
  webhook: { api_key: string; urls: string[] };
}

/** The configuration livekit-server gets through --config-body (JSON, which is YAML too). */
function livekitConfig(livekit: DevProcess): LivekitConfig {
  const at = livekit.args.indexOf('--config-body');
  expect(at).toBeGreaterThanOrEqual(0);
  return JSON.parse(livekit.args[at + 1]!) as LivekitConfig;
}

describe('planDevStack', () => {
  it('runs the auth service under node --watch, Vite for the web client and the agent, from the sources', () => {
    const { processes } = plan({});
    const auth = processNamed(processes, 'auth');
    expect(auth.command).toBe(NODE);
    expect(auth.args).toEqual([
      '--watch',
      '--watch-preserve-output',
      '--conditions=@attune/source',
      '--import',
      'tsx',
      'auth-service/src/server.ts',
    ]);
    expect(auth.cwd).toBe('.');
    expect(auth.readyUrl).toBe('http://127.0.0.1:8000/ready');
    expect(auth.startFailure?.test("Failed running 'auth-service/src/server.ts'")).toBe(true);

    const web = processNamed(processes, 'web');
    expect(web.command).toBe(NODE);
    expect(web.args).toEqual([VITE, '--port', '5173', '--strictPort']);
    expect(web.cwd).toBe('web-client');
    expect(web.env.ATTUNE_AUTH_URL).toBe('http://127.0.0.1:8000');
    expect(web.readyUrl).toBe('http://127.0.0.1:5173');

    const agent = processNamed(processes, 'agent');
    expect(agent.command).toBe(NODE);
    expect(agent.args).toEqual([
      '--conditions=@attune/source',
      '--import',
      'tsx',
      'agent/src/main.ts',
    ]);
    // The agent reaches users' data through the auth service's internal agent API, with its secret.
    expect(agent.env).toMatchObject({
      ATTUNE_API_URL: 'http://127.0.0.1:8001',
      AGENT_API_SECRET: AGENT_API.secret,
    });
    // …and none of the auth service's own secrets, whatever the developer exported.
    expect(agent.withheld).toEqual(
      expect.arrayContaining(['JWT_SECRET', 'DATABASE_PATH', 'ADMIN_PASSWORD']),
    );
  });

  it('stops the stack only when the auth service exits', () => {
    const { processes } = plan({}, { 'livekit-server': LIVEKIT });
    expect(Object.fromEntries(processes.map((p) => [p.name, p.onExit]))).toEqual({
      auth: 'stop-stack',
      web: 'keep-running',
      agent: 'keep-running',
      livekit: 'keep-running',
    });
  });

  it('starts livekit-server --dev from the PATH, sending its webhooks to the auth service', () => {
    const result = plan({}, { 'livekit-server': LIVEKIT });
    expect(result.looked).toContain('livekit-server');
    const livekit = processNamed(result.processes, 'livekit');
    expect(livekit.command).toBe(LIVEKIT);
    expect(livekit.args[0]).toBe('--dev');
    expect(livekit.args).not.toContain('--bind'); // --dev alone stays on loopback with the dev keys
    const config = livekitConfig(livekit);
    expect(config.port).toBe(7880);
    expect(config.keys).toBeUndefined();
    expect(config.webhook).toEqual({
      api_key: 'devkey',
      urls: ['http://127.0.0.1:8000/livekit/webhook'],
    });
    expect(result.webhookUrl).toBe('http://127.0.0.1:8000/livekit/webhook');
    expect(result.notices.join('\n')).not.toContain('not on the PATH');
  });

  it('follows PORT and HOST: the webhook, the Vite proxy and the readiness check use the same address', () => {
    const result = plan(
      { PORT: '9123', HOST: '0.0.0.0', WEB_PORT: '6001' },
      { 'livekit-server': LIVEKIT },
    );
    expect(result.authUrl).toBe('http://127.0.0.1:9123');
    expect(livekitConfig(processNamed(result.processes, 'livekit')).webhook.urls).toEqual([
      'http://127.0.0.1:9123/livekit/webhook',
    ]);
    const web = processNamed(result.processes, 'web');
    expect(web.env.ATTUNE_AUTH_URL).toBe('http://127.0.0.1:9123');
    expect(web.args).toEqual([VITE, '--port', '6001', '--strictPort']);
    expect(result.webUrl).toBe('http://127.0.0.1:6001');
    expect(processNamed(result.processes, 'auth').readyUrl).toBe('http://127.0.0.1:9123/ready');

    expect(plan({ HOST: '::1', PORT: '9124' }).authUrl).toBe('http://[::1]:9124');
    expect(
      plan({ ATTUNE_AUTH_URL: 'http://10.0.0.5:8000' }).processes.find((p) => p.name === 'web')?.env
        .ATTUNE_AUTH_URL,
    ).toBe('http://10.0.0.5:8000');
  });

  it('treats empty variables as unset, like the services do', () => {
    const result = plan(
      { PORT: '', HOST: '', WEB_PORT: '', LIVEKIT_URL: '', LIVEKIT_API_KEY: '' },
      { 'livekit-server': LIVEKIT },
    );
    expect(result.authUrl).toBe('http://127.0.0.1:8000');
    expect(result.webUrl).toBe('http://127.0.0.1:5173');
    expect(livekitConfig(processNamed(result.processes, 'livekit')).webhook.api_key).toBe('devkey');
  });

  it('gives livekit-server the same keys as the services when they are not the dev keys', () => {
    const env = {
      LIVEKIT_API_KEY: 'APIlocal',
      LIVEKIT_API_SECRET: 'a-secret-of-at-least-thirty-two-characters',
      LIVEKIT_URL: 'ws://127.0.0.1:7890',
    };
    const livekit = processNamed(plan(env, { 'livekit-server': LIVEKIT }).processes, 'livekit');
    const config = livekitConfig(livekit);
    expect(config.keys).toBeUndefined();
    expect(livekit.env).toEqual({
      LIVEKIT_KEYS: 'APIlocal: a-secret-of-at-least-thirty-two-characters',
    });
    expect(livekit.args.join(' ')).not.toContain('a-secret-of-at-least');
    expect(config.webhook.api_key).toBe('APIlocal');
    expect(config.port).toBe(7890);
    expect(livekit.args.slice(0, 5)).toEqual(['--dev', '--bind', '127.0.0.1', '--bind', '::1']);
  });

  it('without livekit-server on the PATH: says how to install it and starts the rest', () => {
    const result = plan({});
    expect(result.looked).toContain('livekit-server');
    expect(result.processes.map((p) => p.name)).toEqual(['auth', 'web', 'agent']);
    expect(result.notices).toContain(LIVEKIT_INSTALL_MESSAGE);
    const notice = result.notices.join('\n');
    expect(notice).toContain('curl -sSL https://get.livekit.io | bash');
    expect(notice).toContain('brew install livekit');
    expect(notice).toContain(
      'docker run --rm -p 7880:7880 -p 7881:7881 -p 7882:7882/udp livekit/livekit-server --dev --bind 0.0.0.0',
    );
  });

  it('does not start livekit-server when LIVEKIT_URL points at another machine', () => {
    const result = plan(
      { LIVEKIT_URL: 'wss://attune.livekit.cloud' },
      { 'livekit-server': LIVEKIT },
    );
    expect(result.processes.map((p) => p.name)).toEqual(['auth', 'web', 'agent']);
    expect(result.notices.join('\n')).toContain('wss://attune.livekit.cloud');
    expect(result.notices).not.toContain(LIVEKIT_INSTALL_MESSAGE);
  });

  it('after the agent stops, says what to set when no language model is configured', () => {
    const hint = processNamed(plan({}).processes, 'agent').exitHint;
    expect(hint).toBe(AGENT_SETUP_HINT);
    expect(hint).toContain('OPENAI_API_KEY');
    expect(hint).toContain('SPEECH=local');
    expect(hint).toContain('espeak-ng');
    for (const env of [
      { OPENAI_API_KEY: 'sk-x' },
      { LLM_API_KEY: 'k' },
      { LLM_BASE_URL: 'http://localhost:11434/v1' },
    ]) {
      expect(processNamed(plan(env).processes, 'agent').exitHint).not.toBe(AGENT_SETUP_HINT);
    }
  });
});

describe('readyMessage', () => {
  it('points at the Vite dev server while it runs, and at the auth service otherwise', () => {
    const stack = plan({ PORT: '9000', WEB_PORT: '6000' });
    const up = readyMessage(stack, true);
    expect(up).toContain('Open http://127.0.0.1:6000');
    expect(up).toContain('http://127.0.0.1:9000');
    expect(readyMessage(stack, false)).toContain('Open http://127.0.0.1:9000');
    expect(readyMessage(stack, false)).not.toContain('6000');
  });
});

describe('lineSplitter', () => {
  it('hands over whole lines only, across chunks, and the last partial line on flush', () => {
    const lines: string[] = [];
    const splitter = lineSplitter((line) => lines.push(line));
    splitter.push('one\ntw');
    expect(lines).toEqual(['one']);
    splitter.push('o\r\nthree\n\nfou');
    expect(lines).toEqual(['one', 'two', 'three', '']);
    splitter.flush();
    expect(lines).toEqual(['one', 'two', 'three', '', 'fou']);
    splitter.flush();
    expect(lines).toHaveLength(5);
  });
});
