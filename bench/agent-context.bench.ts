import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { UserMemory, buildInstructions, loadUserContext, resolveSessionUser } from '@attune/agent';
import { insertUser, insertUserSession, savePreference } from '@attune/db';
import { insertSyntheticTurns, openTempDatabase } from '@attune/db/testing';

export interface AgentContextBenchResult {
  turns: number;
  preferences: number;
  iterations: number;
  /** Preferences + bounded history read and the instructions built, per session start. */
  contextLoadP50Ms: number;
  contextLoadP99Ms: number;
  contextLoadMaxMs: number;
  historyTurnsLoaded: number;
  instructionsChars: number;
  memory: {
    processRssWithOneSessionMb: number;
    processRssBeforeSessionMb: number;
    firstSessionHeapMb: number;
    marginalSessionHeapMb: number;
    marginalSessionRssMb: number;
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** User-context load for a user with `turns` stored turns, and one session's memory footprint. */
export async function benchAgentContext(options: {
  turns: number;
  iterations: number;
}): Promise<AgentContextBenchResult> {
  const database = openTempDatabase();
  try {
    const user = insertUser(
      database.db,
      { email: 'long@example.org', fullName: 'Long History', passwordHash: 'unused' },
      0,
    )!;
    const session = insertUserSession(
      database.db,
      { userId: user.id, roomName: 'bench-room', participantIdentity: user.id },
      0,
    );
    for (let i = 0; i < 20; i += 1) {
      savePreference(
        database.db,
        { userId: user.id, key: `preference ${i}`, value: `value ${i}`, maxPerUser: 100 },
        0,
      );
    }
    insertSyntheticTurns(database.connection, {
      userId: user.id,
      count: options.turns,
      startMs: 1_700_000_000_000,
    });

    const resolved = resolveSessionUser(
      database.db,
      {
        identity: user.id,
        attributes: { 'attune.user_id': user.id, 'attune.session_id': session.id },
      },
      'bench-room',
    );
    if (!resolved.ok) throw new Error(`bench user did not resolve: ${resolved.reason}`);
    const memory = new UserMemory(database, resolved.user, {
      historyMaxTurns: 40,
      historyMaxChars: 4_000,
      maxPreferences: 100,
    });

    const timings: number[] = [];
    let instructions = '';
    let historyTurnsLoaded = 0;
    for (let i = 0; i < options.iterations; i += 1) {
      const started = process.hrtime.bigint();
      const context = loadUserContext(resolved.user, memory);
      instructions = buildInstructions(context);
      timings.push(Number(process.hrtime.bigint() - started) / 1e6);
      historyTurnsLoaded = context.history.length;
    }
    timings.sort((a, b) => a - b);

    const child = fileURLToPath(new URL('./agent-session-memory.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', child, database.path, JSON.stringify(resolved.user)],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), maxBuffer: 1024 * 1024 },
    );
    const memoryLine = stdout.trim().split('\n').at(-1) ?? '{}';

    return {
      turns: options.turns,
      preferences: 20,
      iterations: options.iterations,
      contextLoadP50Ms: round3(percentile(timings, 50)),
      contextLoadP99Ms: round3(percentile(timings, 99)),
      contextLoadMaxMs: round3(timings.at(-1)!),
      historyTurnsLoaded,
      instructionsChars: instructions.length,
      memory: JSON.parse(memoryLine) as AgentContextBenchResult['memory'],
    };
  } finally {
    database.remove();
  }
}
