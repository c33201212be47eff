import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUserRole } from '@attune/db';
import { referenceDurationStats } from '@attune/db/testing';
import {
  type RegisteredUser,
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  signWebhook,
  startTestServer,
  webhookEvent,
} from '../../testing/index.ts';

let server: TestServer;
let analyst: RegisteredUser;
let plain: RegisteredUser;
let ana: RegisteredUser;
let ben: RegisteredUser;

const DAY_S = 86_400;
const T0 = Date.UTC(2026, 9, 5) / 1000; // seconds
const FROM = '2026-10-05';
const TO = '2026-10-08';

/** [user, day offset, start second of that day, duration in seconds]. */
const PLAN: [() => RegisteredUser, number, number, number][] = [
  [() => ana, 0, 3_600, 120],
  [() => ana, 0, 7_200, 45],
  [() => ana, 1, 600, 1_800],
  [() => ben, 0, 9_000, 300],
  [() => ben, 1, 100, 61],
  [() => ben, 2, 50_000, 999],
  [() => ben, 2, 60_000, 5],
  [() => ana, 5, 100, 700], // outside the period
];

interface Played {
  userId: string;
  day: string;
  room: string;
  duration: number;
}
const played: Played[] = [];

async function deliver(event: ReturnType<typeof webhookEvent>) {
  const { body, headers } = await signWebhook(
    event,
    server.config.livekit.apiKey,
    server.config.livekit.apiSecret,
  );
  const response = await server.fetch('/livekit/webhook', { method: 'POST', headers, body });
  if (response.status !== 200) throw new Error(`webhook refused: ${response.status}`);
}

/** A real session: token minted through the API, joined and left as LiveKit reports it. */
async function playSession(
  user: RegisteredUser,
  startS: number,
  duration: number,
): Promise<Played> {
  const minted = (await (await jsonPost(server, '/auth/token', {}, user.accessToken)).json()) as {
    session_id: string;
    room_name: string;
  };
  const participant = {
    identity: user.id,
    attributes: { 'attune.user_id': user.id, 'attune.session_id': minted.session_id },
    joinedAtMs: startS * 1000,
  };
  await deliver(
    webhookEvent({
      event: 'participant_joined',
      room: minted.room_name,
      createdAtSeconds: startS,
      participant,
    }),
  );
  await deliver(
    webhookEvent({
      event: 'participant_left',
      room: minted.room_name,
      createdAtSeconds: startS + duration,
      participant,
    }),
  );
  return {
    userId: user.id,
    day: new Date(startS * 1000).toISOString().slice(0, 10),
    room: minted.room_name,
    duration,
  };
}

beforeAll(async () => {
  server = await startTestServer();
  [analyst, plain, ana, ben] = await Promise.all([
    registerUser(server),
    registerUser(server),
    registerUser(server),
    registerUser(server),
  ]);
  setUserRole(server.database.db, analyst.id, 'analyst');
  for (const [who, day, second, duration] of PLAN)
    played.push(await playSession(who(), T0 + day * DAY_S + second, duration));
});
afterAll(async () => {
  await server.close();
});

/** The report's figures computed independently, in the API's field names. */
function expected(durations: number[]) {
  const r = referenceDurationStats(durations);
  return {
    sessions: r.sessions,
    total_seconds: r.totalSeconds,
    mean_seconds: r.meanSeconds,
    p50_seconds: r.p50Seconds,
    p90_seconds: r.p90Seconds,
    p99_seconds: r.p99Seconds,
    max_seconds: r.maxSeconds,
  };
}

type Stats = ReturnType<typeof expected>;
const inPeriod = () => played.filter((p) => p.day >= FROM && p.day < TO);

describe('GET /analytics/sessions', () => {
  it('gives an analyst the durations per day, equal to figures computed independently', async () => {
    const response = await authedGet(
      server,
      `/analytics/sessions?from=${FROM}&to=${TO}&group_by=day`,
      analyst.accessToken,
    );
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      groups: (Stats & { key: string })[];
      overall: Stats & { tokens: unknown };
    };
    const days = [...new Set(inPeriod().map((p) => p.day))].sort();
    expect(report.groups.map((g) => g.key)).toEqual(days);
    for (const group of report.groups) {
      const want = expected(
        inPeriod()
          .filter((p) => p.day === group.key)
          .map((p) => p.duration),
      );
      for (const [field, value] of Object.entries(want))
        expect(group[field as keyof Stats], `${group.key} ${field}`).toBeCloseTo(value, 6);
    }
    const overall = expected(inPeriod().map((p) => p.duration));
    for (const [field, value] of Object.entries(overall))
      expect(report.overall[field as keyof Stats], field).toBeCloseTo(value, 6);
  });

  it('groups per user with their email, and filters to one user or one room', async () => {
    const byUser = (await (
      await authedGet(
        server,
        `/analytics/sessions?from=${FROM}&to=${TO}&group_by=user`,
        analyst.accessToken,
      )
    ).json()) as {
      groups: (Stats & { key: string; label: string })[];
    };
    const benGroup = byUser.groups.find((g) => g.key === ben.id)!;
    expect(benGroup.label).toBe(ben.email);
    const want = expected(
      inPeriod()
        .filter((p) => p.userId === ben.id)
        .map((p) => p.duration),
    );
    for (const [field, value] of Object.entries(want))
      expect(benGroup[field as keyof Stats], field).toBeCloseTo(value, 6);

    const onlyAna = (await (
      await authedGet(
        server,
        `/analytics/sessions?from=${FROM}&to=${TO}&user=${ana.id}`,
        analyst.accessToken,
      )
    ).json()) as {
      overall: Stats;
    };
    expect(onlyAna.overall.sessions).toBe(inPeriod().filter((p) => p.userId === ana.id).length);

    const room = inPeriod()[0]!.room;
    const oneRoom = (await (
      await authedGet(
        server,
        `/analytics/sessions?from=${FROM}&to=${TO}&room=${room}&group_by=room`,
        analyst.accessToken,
      )
    ).json()) as {
      groups: (Stats & { key: string })[];
    };
    expect(oneRoom.groups.map((g) => [g.key, g.sessions])).toEqual([[room, 1]]);
  });

  it('gives CSV that parses back to the same numbers', async () => {
    const query = `from=${FROM}&to=${TO}&group_by=user`;
    const json = (await (
      await authedGet(server, `/analytics/sessions?${query}`, analyst.accessToken)
    ).json()) as {
      groups: (Stats & { key: string; tokens: { issued: number } })[];
      overall: Stats;
    };
    const response = await authedGet(
      server,
      `/analytics/sessions?${query}&format=csv`,
      analyst.accessToken,
    );
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parse<Record<string, string | number>>(await response.text(), {
      columns: true,
      cast: true,
    });
    expect(rows.map((r) => r.group)).toEqual([...json.groups.map((g) => g.key), 'overall']);
    for (const [i, group] of [...json.groups, json.overall].entries()) {
      const row = rows[i]!;
      expect(row.sessions).toBe(group.sessions);
      expect(row.total_seconds).toBe(group.total_seconds);
      expect(row.max_seconds).toBe(group.max_seconds);
      for (const field of ['mean_seconds', 'p50_seconds', 'p90_seconds', 'p99_seconds'] as const) {
        expect(row[field], field).toBeCloseTo(group[field], 2);
      }
    }
    expect(rows.find((r) => r.group === ana.id)?.tokens_issued).toBe(
      json.groups.find((g) => g.key === ana.id)?.tokens.issued,
    );
  });

  it('is for analysts and admins only', async () => {
    const path = `/analytics/sessions?from=${FROM}&to=${TO}`;
    expect((await authedGet(server, path, plain.accessToken)).status).toBe(403);
    expect((await server.fetch(path)).status).toBe(401);
    setUserRole(server.database.db, plain.id, 'admin');
    expect((await authedGet(server, path, plain.accessToken)).status).toBe(200);
    setUserRole(server.database.db, plain.id, 'user');
    expect((await authedGet(server, path, plain.accessToken)).status).toBe(403);
  });

  it('refuses a bad query with a 400 that names the problem', async () => {
    for (const query of [
      'group_by=week',
      'from=yesterday',
      'from=2026-10-08&to=2026-10-01',
      'format=xml',
      'color=blue',
      'from=2026-02-30',
    ]) {
      const response = await authedGet(server, `/analytics/sessions?${query}`, analyst.accessToken);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(
        /validation_failed|period_invalid/,
      );
    }
  });
});

describe('GET /analytics/sessions/list', () => {
  it('pages through every session in the period, newest first', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await authedGet(
          server,
          `/analytics/sessions/list?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          analyst.accessToken,
        )
      ).json()) as {
        sessions: { id: string; issued_at: string; duration_seconds: number | null }[];
        next_cursor: string | null;
      };
      expect(page.sessions.length).toBeLessThanOrEqual(3);
      ids.push(...page.sessions.map((s) => s.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(PLAN.length);
  });

  it('refuses a forged cursor and a plain user', async () => {
    expect(
      (await authedGet(server, '/analytics/sessions/list?cursor=bm9wZQ', analyst.accessToken))
        .status,
    ).toBe(400);
    expect((await authedGet(server, '/analytics/sessions/list', plain.accessToken)).status).toBe(
      403,
    );
  });
});

describe('GET /me/sessions', () => {
  it('lists the caller’s own sessions with their durations, and never anyone else’s', async () => {
    const response = await authedGet(server, '/me/sessions?limit=100', ben.accessToken);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      sessions: { user_id: string; duration_seconds: number | null; status: string }[];
    };
    expect(body.sessions.every((s) => s.user_id === ben.id)).toBe(true);
    const durations = body.sessions
      .filter((s) => s.status === 'ended')
      .map((s) => s.duration_seconds)
      .sort();
    expect(durations).toEqual(
      played
        .filter((p) => p.userId === ben.id)
        .map((p) => p.duration)
        .sort(),
    );
  });

  it('with joined=true leaves out the tokens nobody used (the one each sign-in mints)', async () => {
    const all = (await (
      await authedGet(server, '/me/sessions?limit=100', ben.accessToken)
    ).json()) as { sessions: { id: string }[] };
    const joined = (await (
      await authedGet(server, '/me/sessions?limit=100&joined=true', ben.accessToken)
    ).json()) as {
      sessions: { id: string; status: string; session_start: string | null }[];
    };
    const bensPlayed = played.filter((p) => p.userId === ben.id);
    // The registration minted one more session that nobody joined.
    expect(all.sessions).toHaveLength(bensPlayed.length + 1);
    expect(joined.sessions).toHaveLength(bensPlayed.length);
    expect(joined.sessions.every((s) => s.status === 'ended' && s.session_start !== null)).toBe(
      true,
    );
    expect((await authedGet(server, '/me/sessions?joined=yes', ben.accessToken)).status).toBe(400);
  });

  it('takes no user parameter and needs a sign-in', async () => {
    expect((await authedGet(server, `/me/sessions?user=${ana.id}`, ben.accessToken)).status).toBe(
      400,
    );
    expect((await server.fetch('/me/sessions')).status).toBe(401);
  });
});
