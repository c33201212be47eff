// Agents on several machines, no database among them: the auth service on one host, two agent
// workers on two others (network namespaces joined by a bridge), each agent running as a user who
// cannot read the database file. Scripted conversations of two people run on both agent hosts at
// once; the auth service is stopped in the middle and started again. Afterwards the database
// holds each turn and preference for the right person, in order, none twice, nothing crossed.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConversationTurn, type UserPreference, openReadOnlyDatabase } from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import { HostProcess } from './host-process.ts';
import {
  type HostNetwork,
  createHostNetwork,
  whyNoNetworkNamespaces,
} from './network-namespaces.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FROM_SOURCES = ['--conditions=@attune/source', '--import', 'tsx'];
const AGENT_API_SECRET = 'multi-host-agent-secret-of-enough-length';
const JWT_SECRET = 'multi-host-jwt-secret-of-enough-length-too';
/** The unprivileged user the agents run as (Debian's `nobody`). */
const AGENT_UID = 65534;

const unavailable = whyNoNetworkNamespaces();
if (unavailable) console.warn(`skipping the multi-host test: ${unavailable}`);

interface Participant {
  name: string;
  userId: string;
  sessionId: string;
  room_name: string;
  identity: string;
  attributes: Record<string, string>;
}

describe.skipIf(unavailable !== null)('agents on any number of hosts', () => {
  let network: HostNetwork;
  let dataDir: string;
  let viewDir: string;
  let homeDir: string;
  const processes: HostProcess[] = [];

  /** Runs `command` in the host's namespace (as root unless `asAgent`), from the repository. */
  function onHost(host: string, command: string[], env: Record<string, string>, asAgent = false) {
    const { namespace } = network.hosts[host]!;
    const base = { PATH: process.env.PATH ?? '', HOME: homeDir, ...env };
    // The agent sees the repository through a bind mount of its own under /tmp (whatever folders
    // above the checkout are private), and runs as `nobody`: it can read the code, not the data.
    const args = asAgent
      ? [
          'netns',
          'exec',
          namespace,
          'unshare',
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          `mount --bind "$REPO" "$VIEW" && cd "$VIEW" && exec setpriv --reuid=${AGENT_UID} --regid=${AGENT_UID} --clear-groups "$@"`,
          'agent-host',
          ...command,
        ]
      : ['netns', 'exec', namespace, ...command];
    const child = spawn('ip', args, {
      cwd: REPO,
      env: { ...base, REPO, VIEW: viewDir },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const running = new HostProcess(child);
    processes.push(running);
    return running;
  }

  const auth = () => network.hosts.auth!;
  const databaseFile = () => join(dataDir, 'attune.db');

  function startAuthService(): HostProcess {
    const { address } = auth();
    return onHost('auth', [process.execPath, ...FROM_SOURCES, 'auth-service/src/server.ts'], {
      DATABASE_PATH: databaseFile(),
      HOST: address,
      PORT: '8000',
      INTERNAL_HOST: address,
      INTERNAL_PORT: '8001',
      JWT_SECRET,
      AGENT_API_SECRET,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
    });
  }

  async function waitUntilListening(service: HostProcess): Promise<void> {
    // LOG_LEVEL=warn keeps request lines out; the listening lines are logged at info, so ask /ready.
    const probe = onHost(
      'browser',
      [process.execPath, '-e', readyProbe(`http://${auth().address}:8000/ready`)],
      {},
    );
    expect(await probe.exited, probe.output.join('\n')).toBe(0);
    expect(service.child.exitCode).toBeNull();
  }

  beforeAll(() => {
    network = createHostNetwork(['auth', 'agent1', 'agent2', 'browser']);
    dataDir = mkdtempSync(join(tmpdir(), 'attune-multihost-data-')); // mode 700, owned by root
    viewDir = mkdtempSync(join(tmpdir(), 'attune-multihost-view-'));
    chmodSync(viewDir, 0o755);
    homeDir = mkdtempSync(join(tmpdir(), 'attune-multihost-home-'));
    mkdirSync(join(homeDir, '.cache'), { recursive: true });
    chmodSync(homeDir, 0o777);
  });

  afterAll(async () => {
    for (const running of processes) running.stop('SIGKILL');
    await Promise.all(processes.map((running) => running.exited));
    network?.destroy();
    for (const dir of [dataDir, viewDir, homeDir])
      if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores each conversation for the right user, across a restart of the auth service, once', async () => {
    let service = startAuthService();
    await waitUntilListening(service);

    const browser = onHost(
      'browser',
      [process.execPath, ...FROM_SOURCES, 'test/multi-host/browser-host.ts'],
      {
        ATTUNE_PUBLIC_URL: `http://${auth().address}:8000`,
      },
    );
    expect(await browser.exited, browser.output.join('\n')).toBe(0);
    const [alice, bob] = JSON.parse(browser.output.find((line) => line.startsWith('['))!) as [
      Participant,
      Participant,
    ];

    const agentEnv = (participant: Participant, other: Participant) => ({
      ATTUNE_API_URL: `http://${auth().address}:8001`,
      AGENT_API_SECRET,
      PARTICIPANT: JSON.stringify(participant),
      OTHER_USER_ID: other.userId,
      DATABASE_FILE: databaseFile(),
    });
    const agentCommand = [process.execPath, ...FROM_SOURCES, 'test/multi-host/agent-host.ts'];
    const agents = [
      onHost('agent1', agentCommand, agentEnv(alice, bob), true),
      onHost('agent2', agentCommand, agentEnv(bob, alice), true),
    ];

    // Both conversations run at once on their own hosts; neither agent can read the database.
    const talked = await Promise.all(agents.map((agent) => agent.event('talked')));
    expect(talked.map((event) => event.sessionId)).toEqual([alice.sessionId, bob.sessionId]);
    expect(talked.map((event) => event.databaseRead)).toEqual(['EACCES', 'EACCES']);

    // The auth service goes away mid-conversation; the agents keep talking, their turns wait.
    service.stop('SIGTERM');
    expect(await service.exited).toBe(0);
    agents.forEach((agent) => agent.send('go on'));
    const buffered = await Promise.all(agents.map((agent) => agent.event('buffered')));
    expect(buffered.map((event) => event.pending)).toEqual([4, 4]);
    expect(storedTurns(alice).length).toBe(4);

    service = startAuthService();
    await waitUntilListening(service);
    agents.forEach((agent) => agent.send('go on'));
    const done = await Promise.all(agents.map((agent) => agent.event('done')));
    expect(done.map((event) => event.unsent)).toEqual([0, 0]);
    expect(done.map((event) => event.ended)).toEqual([true, true]);
    await Promise.all(agents.map((agent) => agent.exited));

    // Every turn, in order, once, in the session of the person who said it.
    for (const person of [alice, bob]) {
      const n = person.name;
      expect(storedTurns(person)).toEqual([
        { role: 'user', text: `Remember that my favourite colour is ${n} blue` },
        { role: 'assistant', text: `I will remember that, ${n}.` },
        { role: 'user', text: `${n} says 1` },
        { role: 'assistant', text: `${n} hears 1` },
        { role: 'user', text: `${n} says 2` },
        { role: 'assistant', text: `${n} hears 2` },
        { role: 'user', text: `${n} says 3` },
        { role: 'assistant', text: `${n} hears 3` },
        { role: 'user', text: `${n} says 4` },
        { role: 'assistant', text: `${n} hears 4` },
      ]);
    }
    // Each preference for its own user, though each model named the other user.
    const tables = readTables();
    const preferences = (tables.user_preferences as UserPreference[]).map((p) => [
      p.userId,
      p.key,
      p.value,
    ]);
    expect(preferences.sort()).toEqual(
      [
        [alice.userId, 'favourite colour', 'Alice blue'],
        [bob.userId, 'favourite colour', 'Bob blue'],
      ].sort(),
    );
    // No turn of anyone's landed outside its own user's session.
    for (const turn of tables.conversation_turns as ConversationTurn[]) {
      const owner = [alice, bob].find((person) => person.sessionId === turn.sessionId);
      expect(owner?.userId).toBe(turn.userId);
    }
    const ended = (
      tables.user_sessions as { id: string; status: string; endReason: string | null }[]
    )
      .filter((session) => [alice.sessionId, bob.sessionId].includes(session.id))
      .map((session) => [session.status, session.endReason]);
    expect(ended).toEqual([
      ['ended', 'user_initiated'],
      ['ended', 'user_initiated'],
    ]);
  }, 180_000);

  function readTables() {
    const database = openReadOnlyDatabase(databaseFile());
    try {
      return snapshotTables(database.db);
    } finally {
      database.close();
    }
  }

  function storedTurns(person: Participant) {
    return (readTables().conversation_turns as ConversationTurn[])
      .filter((turn) => turn.sessionId === person.sessionId)
      .sort((a, b) => a.id - b.id)
      .map(({ role, text }) => ({ role, text }));
  }
});

/** A script for `node -e` that waits (up to 30 s) until `url` answers 200, then exits 0. */
function readyProbe(url: string): string {
  return `(async () => { for (let i = 0; i < 150; i++) { try { if ((await fetch(${JSON.stringify(url)})).ok) process.exit(0); } catch {} await new Promise((r) => setTimeout(r, 200)); } process.exit(1); })();`;
}
