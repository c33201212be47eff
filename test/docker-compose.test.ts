// docker-compose.yaml and the Dockerfile, checked for what would otherwise only fail at deploy
// time (no Docker daemon here): the services and build targets exist, only the auth service has
// the database and the agent reaches it through the internal agent API, livekit-server, the auth
// service and the agent agree on the keys, LiveKit's webhooks reach the auth service, and each
// service's own configuration loader accepts the environment the file gives it, in development
// and in production.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAgentConfig } from '@attune/agent';
import { loadConfig } from '@attune/auth-service';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE = readFileSync(join(ROOT, 'docker-compose.yaml'), 'utf8');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const tempDir = mkdtempSync(join(tmpdir(), 'attune-compose-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

type Env = Record<string, string | undefined>;

/**
 * Compose's variable interpolation: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, and
 * ${NAME:?message}, which stops compose with the message when NAME is unset or empty.
 */
function interpolate(value: unknown, env: Env): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
      (_match, token: string, braced?: string, bare?: string) => {
        if (token === '$') return '$';
        if (bare !== undefined) return env[bare] ?? '';
        const form = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-|:\?)(.*))?$/s.exec(braced ?? '');
        if (!form) throw new Error(`interpolation this test does not know: \${${braced}}`);
        const [, name, operator, fallback] = form;
        const set = env[name!];
        if (operator === ':-') return set === undefined || set === '' ? fallback! : set;
        if (operator === '-') return set === undefined ? fallback! : set;
        if (operator === ':?' && (set === undefined || set === '')) {
          throw new Error(`compose refuses to start: ${name}: ${fallback}`);
        }
        return set ?? '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [interpolate(key, env), interpolate(item, env)]),
    );
  }
  return value;
}

interface Service {
  image?: string;
  build?: string | { context?: string; target?: string };
  command?: string | string[];
  environment?: Record<string, string | number | null> | string[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  ports?: (string | number | { target: number; published?: string | number; protocol?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function compose(env: Env): ComposeFile {
  return interpolate(parse(COMPOSE), env) as ComposeFile;
}

function service(file: ComposeFile, name: string): Service {
  const found = file.services[name];
  if (!found) throw new Error(`docker-compose.yaml has no service "${name}"`);
  return found;
}

/** A service's environment as a map; empty values count as unset, as both services read them. */
function environment(entry: Service): Record<string, string> {
  const pairs = Array.isArray(entry.environment)
    ? entry.environment.map(
        (line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const,
      )
    : Object.entries(entry.environment ?? {}).map(
        ([key, value]) => [key, value === null ? '' : String(value)] as const,
      );
  return Object.fromEntries(pairs.filter(([, value]) => value !== ''));
}

/** Named-volume mounts of a service: volume name → mount point. */
function namedMounts(entry: Service): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const volume of entry.volumes ?? []) {
    if (typeof volume === 'string') {
      const [source, target] = volume.split(':');
      if (source && target && !source.startsWith('.') && !source.startsWith('/'))
        mounts.set(source, target);
    } else if ((volume.type ?? 'volume') === 'volume' && volume.source) {
      mounts.set(volume.source, volume.target);
    }
  }
  return mounts;
}

/** Container ports a service publishes, as `7882/udp` or `8000` (tcp). */
function publishedPorts(entry: Service): Set<string> {
  const ports = new Set<string>();
  for (const port of entry.ports ?? []) {
    if (typeof port === 'object') {
      ports.add(port.protocol === 'udp' ? `${port.target}/udp` : String(port.target));
      continue;
    }
    const [mapping, protocol] = String(port).split('/');
    const container = mapping!.split(':').at(-1)!;
    ports.add(protocol === 'udp' ? `${container}/udp` : container);
  }
  return ports;
}

function buildTarget(entry: Service): string | undefined {
  return typeof entry.build === 'object' ? entry.build.target : undefined;
}

/** The Dockerfile's stages, by name, with their instructions. */
function dockerfileStages(): Map<string, string> {
  const stages = new Map<string, string>();
  const parts = DOCKERFILE.split(/^(?=FROM\s)/im).filter((part) => /^FROM\s/i.test(part));
  for (const part of parts) {
    const name = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(part)?.[1];
    if (name) stages.set(name.toLowerCase(), part);
  }
  return stages;
}

interface LivekitConfig {
  port?: number;
  keys?: Record<string, string>;
  webhook?: { api_key?: string; urls?: string[] };
}

/** livekit-server's configuration, given as YAML in LIVEKIT_CONFIG (or --config-body). */
function livekitConfig(file: ComposeFile): LivekitConfig {
  const livekit = service(file, 'livekit');
  const command =
    typeof livekit.command === 'string' ? livekit.command.split(/\s+/) : (livekit.command ?? []);
  const inline = command.indexOf('--config-body');
  const body = inline >= 0 ? command[inline + 1] : environment(livekit).LIVEKIT_CONFIG;
  if (!body)
    throw new Error('livekit-server gets no configuration (LIVEKIT_CONFIG or --config-body)');
  return parse(body) as LivekitConfig;
}

const DEVELOPMENT: Env = { OPENAI_API_KEY: 'sk-from-dot-env', AGENT_API_SECRET: 'a'.repeat(48) };
const PRODUCTION: Env = {
  NODE_ENV: 'production',
  JWT_SECRET: 'j'.repeat(48),
  AGENT_API_SECRET: 'g'.repeat(48),
  LIVEKIT_API_KEY: 'APIprodKey1',
  LIVEKIT_API_SECRET: 's'.repeat(43),
  LIVEKIT_PUBLIC_URL: 'wss://livekit.example.org',
  SMTP_URL: 'smtps://attune:mail-password@smtp.example.org:465',
  PUBLIC_URL: 'https://attune.example.org',
  OPENAI_API_KEY: 'sk-from-dot-env',
  AGENT_NAME: 'attune-prod',
};

describe('docker-compose.yaml', () => {
  it('runs livekit-server, the auth service and the agent; the Dockerfile has their build targets', () => {
    const file = compose(DEVELOPMENT);
    // What `docker compose up` starts: the services in no profile.
    const started = Object.entries(file.services).filter(([, entry]) => !entry.profiles);
    expect(started.map(([name]) => name).sort()).toEqual(['agent', 'auth', 'livekit']);
    expect(service(file, 'livekit').image).toMatch(/^livekit\/livekit-server(:|$)/);
    const stages = dockerfileStages();
    for (const name of ['auth', 'agent']) {
      const target = buildTarget(service(file, name));
      expect(target, `${name}'s build target`).toBeDefined();
      expect(stages.has(target!.toLowerCase()), `FROM … AS ${target} in the Dockerfile`).toBe(true);
    }
  });

  it('lets livekit-server be reached from the other containers and from browsers', () => {
    const file = compose(DEVELOPMENT);
    const livekit = service(file, 'livekit');
    const command = Array.isArray(livekit.command)
      ? livekit.command
      : String(livekit.command).split(/\s+/);
    expect(command.join(' ')).toContain('--bind 0.0.0.0');
    const port = livekitConfig(file).port ?? 7880;
    expect([...publishedPorts(livekit)].sort()).toEqual([String(port), '7881', '7882/udp'].sort());
    for (const name of ['auth', 'agent']) {
      const url = new URL(environment(service(file, name)).LIVEKIT_URL!);
      expect(url.hostname, `${name}'s LIVEKIT_URL`).toBe('livekit');
      expect(Number(url.port), `${name}'s LIVEKIT_URL`).toBe(port);
    }
    const publicUrl = new URL(environment(service(file, 'auth')).LIVEKIT_PUBLIC_URL!);
    expect(publicUrl.hostname).toBe('localhost');
    expect(publishedPorts(livekit).has(publicUrl.port)).toBe(true);
  });

  it('publishes the LiveKit API and the auth service on this machine only (the dev keys are public)', () => {
    const file = compose(DEVELOPMENT);
    // Each binding as the short syntax writes it; a long-syntax entry shows as its JSON, which
    // matches none of the bindings expected here.
    const hostBindings = (name: string) =>
      (service(file, name).ports ?? []).map((port) =>
        typeof port === 'object' ? JSON.stringify(port) : String(port),
      );
    expect(hostBindings('livekit')).toContain(
      `127.0.0.1:${livekitConfig(file).port ?? 7880}:${livekitConfig(file).port ?? 7880}`,
    );
    expect(hostBindings('auth')).toEqual(['127.0.0.1:8000:8000']);
  });

  it('gives the database to the auth service alone; the agent reaches it through the internal agent API', () => {
    const file = compose(DEVELOPMENT);
    const auth = service(file, 'auth');
    const agent = service(file, 'agent');
    const databasePath = environment(auth).DATABASE_PATH!;
    expect(databasePath).toMatch(/^\//);
    const directory = posix.dirname(databasePath);
    const volume = [...namedMounts(auth)].find(([, target]) => target === directory)?.[0];
    expect(volume, `a named volume mounted at ${directory} in auth`).toBeDefined();
    expect(Object.keys(file.volumes ?? {})).toContain(volume);

    expect(agent.volumes ?? []).toEqual([]);
    expect(environment(agent).DATABASE_PATH).toBeUndefined();
    const internal = new URL(environment(agent).ATTUNE_API_URL!);
    expect(internal.hostname).toBe('auth');
    expect(internal.port).toBe(environment(auth).INTERNAL_PORT);
    expect(environment(auth).INTERNAL_HOST).toBe('0.0.0.0');
    // On the compose network only: the internal port is never published to the host.
    expect(publishedPorts(auth).has(internal.port)).toBe(false);
    expect(environment(agent).AGENT_API_SECRET).toBe(environment(auth).AGENT_API_SECRET);
    expect(environment(auth).AGENT_API_SECRET).toBe(DEVELOPMENT.AGENT_API_SECRET);
  });

  it('refuses to start without AGENT_API_SECRET, saying what to set', () => {
    expect(() => compose({ OPENAI_API_KEY: 'sk-x' })).toThrow(
      /AGENT_API_SECRET: set AGENT_API_SECRET in \.env \(openssl rand -base64 48\)/,
    );
  });

  it('sends LiveKit webhooks to the auth service, signed with a key the auth service has', () => {
    for (const env of [DEVELOPMENT, PRODUCTION]) {
      const file = compose(env);
      const config = livekitConfig(file);
      const auth = environment(service(file, 'auth'));
      const authPort = auth.PORT ?? '8000';
      expect(publishedPorts(service(file, 'auth')).has(authPort)).toBe(true);
      expect(config.webhook?.urls?.length).toBeGreaterThan(0);
      for (const url of config.webhook!.urls!) {
        const target = new URL(url);
        expect(target.protocol).toBe('http:');
        expect(target.hostname).toBe('auth');
        expect(target.port || '80').toBe(authPort);
        expect(target.pathname).toBe('/livekit/webhook');
      }
      expect(config.webhook?.api_key).toBe(auth.LIVEKIT_API_KEY);
    }
  });

  it('gives livekit-server, the auth service and the agent the same LiveKit keys and agent name', () => {
    for (const env of [DEVELOPMENT, PRODUCTION]) {
      const file = compose(env);
      const keys = livekitConfig(file).keys ?? {};
      const auth = environment(service(file, 'auth'));
      const agent = environment(service(file, 'agent'));
      expect(auth.LIVEKIT_API_KEY).toBe(env.LIVEKIT_API_KEY ?? 'devkey');
      for (const side of [auth, agent]) {
        expect(side.LIVEKIT_API_KEY).toBe(auth.LIVEKIT_API_KEY);
        expect(side.LIVEKIT_API_SECRET).toBe(auth.LIVEKIT_API_SECRET);
        expect(keys[side.LIVEKIT_API_KEY!]).toBe(side.LIVEKIT_API_SECRET);
      }
      expect(agent.AGENT_NAME).toBe(auth.AGENT_NAME);
    }
  });

  it('has health checks for what the agent waits for', () => {
    const file = compose(DEVELOPMENT);
    const stages = dockerfileStages();
    const dependsOn = service(file, 'agent').depends_on;
    expect(dependsOn && !Array.isArray(dependsOn)).toBe(true);
    const conditions = dependsOn as Record<string, { condition?: string }>;
    expect(conditions.auth?.condition).toBe('service_healthy');
    expect(conditions.livekit?.condition).toBe('service_healthy');
    for (const [name, { condition }] of Object.entries(conditions)) {
      if (condition !== 'service_healthy') continue;
      const entry = service(file, name);
      const target = buildTarget(entry);
      const inImage =
        target !== undefined && /^HEALTHCHECK\s/im.test(stages.get(target.toLowerCase()) ?? '');
      expect(Boolean(entry.healthcheck?.test) || inImage, `${name} has a health check`).toBe(true);
    }
    // The auth image's check asks /ready, the agent image's asks the worker's health port.
    expect(stages.get('auth')).toMatch(/HEALTHCHECK[\s\S]*\/ready/);
    expect(stages.get('agent')).toMatch(/HEALTHCHECK[\s\S]*AGENT_HEALTH_PORT/);
  });

  it('has a replicas profile: two auth services on one PostgreSQL and Redis behind nginx', () => {
    const file = compose({ ...DEVELOPMENT, ATTUNE_AUTH_HOST: 'proxy' });
    const profiled = Object.entries(file.services).filter(([, entry]) =>
      entry.profiles?.includes('replicas'),
    );
    expect(profiled.map(([name]) => name).sort()).toEqual([
      'auth-a',
      'auth-b',
      'postgres',
      'proxy',
      'redis',
    ]);
    const replicas = ['auth-a', 'auth-b'].map((name) => {
      const env = environment(service(file, name));
      return loadConfig({ ...env, DATABASE_PATH: join(tempDir, `${name}.db`) });
    });
    for (const config of replicas) {
      expect(config.database).toMatchObject({ engine: 'postgres', poolSize: 10 });
      expect(config.rateLimit?.store.kind).toBe('redis');
      expect(config.trustedProxies).toEqual(['172.29.0.10']);
    }
    // Both share the development secrets' folder, so a token of one verifies on the other.
    expect(namedMounts(service(file, 'auth-a'))).toEqual(namedMounts(service(file, 'auth-b')));
    expect(replicas[0]!.jwtSecret).toBe(replicas[1]!.jwtSecret);
    // LiveKit's webhooks and the agent go through the proxy to the replicas.
    expect(livekitConfig(file).webhook?.urls).toEqual(['http://proxy:8000/livekit/webhook']);
    expect(environment(service(file, 'agent')).ATTUNE_API_URL).toBe('http://proxy:8001');
    expect([...publishedPorts(service(file, 'proxy'))]).toEqual(['8000']);
    expect(service(file, 'proxy').ports).toEqual(['127.0.0.1:8080:8000']);
  });

  it("is accepted by the services' own configuration loaders in development and in production", () => {
    // The auth service writes a development JWT secret beside its database: point that at a temp dir.
    const database = { DATABASE_PATH: join(tempDir, 'attune.db') };

    const dev = compose(DEVELOPMENT);
    const devAuth = loadConfig({ ...environment(service(dev, 'auth')), ...database });
    expect(devAuth.nodeEnv).toBe('development');
    expect(devAuth.livekit.url).toBe('ws://livekit:7880');
    expect(devAuth.livekit.publicUrl).toBe('ws://localhost:7880');
    // The Dockerfile puts the built client at /app/web-client/dist, beside /app/auth-service.
    expect(relative(ROOT, devAuth.webClientDir)).toBe(join('web-client', 'dist'));
    const devAgent = loadAgentConfig(environment(service(dev, 'agent')));
    expect(devAgent.production).toBe(false);
    expect(devAgent.attuneApi).toMatchObject({
      url: 'http://auth:8001',
      secret: devAuth.agentApi.secret,
    });
    expect(devAuth.agentApi).toMatchObject({ host: '0.0.0.0', port: 8001 });
    // Without SMTP_URL mail lands beside the database on the volume; links open the published port.
    expect(devAuth.mail).toMatchObject({ smtpUrl: null, outboxDir: join(tempDir, 'mail') });
    expect(devAuth.publicUrl).toBe('http://localhost:8000');

    const prod = compose(PRODUCTION);
    const prodAuth = loadConfig({ ...environment(service(prod, 'auth')), ...database });
    expect(prodAuth.nodeEnv).toBe('production');
    expect(prodAuth.livekit.publicUrl).toBe('wss://livekit.example.org');
    expect(prodAuth.livekit.url).toBe('ws://livekit:7880');
    expect(prodAuth.livekit.agentName).toBe('attune-prod');
    expect(prodAuth.mail.smtpUrl).toBe(PRODUCTION.SMTP_URL);
    expect(prodAuth.publicUrl).toBe('https://attune.example.org');
    const prodAgent = loadAgentConfig(environment(service(prod, 'agent')));
    expect(prodAgent.production).toBe(true);
    expect(prodAgent.agentName).toBe('attune-prod');

    // And production without real keys is refused, as the file's comments say.
    const careless = compose({
      NODE_ENV: 'production',
      OPENAI_API_KEY: 'sk-x',
      AGENT_API_SECRET: 'a'.repeat(48),
    });
    expect(() => loadConfig({ ...environment(service(careless, 'auth')), ...database })).toThrow(
      /development keys/,
    );
    expect(() => loadAgentConfig(environment(service(careless, 'agent')))).toThrow(
      /development keys/,
    );
  });
});

describe('Dockerfile', () => {
  it('ships the built web client where the auth service looks for it', () => {
    const auth = dockerfileStages().get('auth')!;
    expect(auth).toMatch(/COPY --from=\S+ \/app\/web-client\/dist \/app\/web-client\/dist/);
    expect(auth).toMatch(/^USER node$/m);
    expect(dockerfileStages().get('agent')).toMatch(/^USER node$/m);
    expect(DOCKERFILE).toMatch(/pnpm --filter @attune\/web-client build/);
    expect(dockerfileStages().get('agent')).toMatch(/espeak-ng pocketsphinx pocketsphinx-en-us/);
  });

  it('runs compiled JavaScript with plain node, with only production dependencies and no sources', () => {
    const stages = dockerfileStages();
    for (const [image, runtime, entry] of [
      ['auth', 'auth-runtime', 'dist/server.js'],
      ['agent', 'agent-runtime', 'dist/main.js'],
    ] as const) {
      const final = stages.get(image)!;
      expect(final).toMatch(new RegExp(`CMD \\["node", "${entry.replace('.', '\\.')}"`));
      expect(final).not.toMatch(/tsx/);
      expect(final).toMatch(new RegExp(`COPY --from=${runtime} /app /app`));
      const shipped = stages.get(runtime)!;
      expect(shipped).toMatch(/pnpm install --frozen-lockfile --prod/);
      // Only compiled output (and the migrations) come from the build stage, never src/ or tests.
      for (const copy of shipped.match(/^COPY --from=\S+ \S+/gm) ?? []) {
        expect(copy).toMatch(/\/(dist|migrations)$/);
      }
    }
    // The agent image has nothing of the database.
    expect(stages.get('agent-build')).not.toMatch(/COPY db/);
    expect(stages.get('agent-runtime')).not.toMatch(/db\//);
  });
});
