import { type SQL, and, desc, eq, gte, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { type SessionStatus, type UserSession, userSessions, users } from '../schema.ts';

export const REPORT_GROUPINGS = ['day', 'user', 'room'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

export interface SessionFilter {
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
  userId?: string | undefined;
  roomName?: string | undefined;
}

/** Duration statistics of ended sessions, in seconds. Percentiles interpolate linearly between ranks. */
export interface DurationStats {
  sessions: number;
  totalSeconds: number;
  meanSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
  p99Seconds: number | null;
  maxSeconds: number | null;
}

export interface DurationGroup extends DurationStats {
  /** The day (YYYY-MM-DD, UTC), user id or room name. */
  key: string;
  /** The user's email when grouped by user. */
  label: string | null;
  /** Tokens minted in this group (by the day they were minted, when grouped by day). */
  tokens: TokenCounts;
}

/** Tokens minted in the period, by what became of them. */
export interface TokenCounts {
  issued: number;
  joined: number;
  /** Never used before they expired. */
  expired: number;
  /** Not used yet, still within their lifetime. */
  pending: number;
}

export interface SessionReport {
  groups: DurationGroup[];
  overall: DurationStats;
  tokens: TokenCounts;
}

/**
 * Duration aggregates over the rows where `counted` holds (aggregates skip the NULL the CASE gives
 * for the others), so one scan can compute them beside other figures.
 */
function durationStats(counted: SQL) {
  const duration = sql`CASE WHEN ${counted} THEN ${userSessions.durationSeconds} END`;
  return {
    sessions: sql<number>`coalesce(sum(CASE WHEN ${counted} THEN 1 ELSE 0 END), 0)`,
    totalSeconds: sql<number>`coalesce(sum(${duration}), 0)`,
    meanSeconds: sql<number | null>`avg(${duration})`,
    p50Seconds: sql<number | null>`percentile(${duration}, 50)`,
    p90Seconds: sql<number | null>`percentile(${duration}, 90)`,
    p99Seconds: sql<number | null>`percentile(${duration}, 99)`,
    maxSeconds: sql<number | null>`max(${duration})`,
  };
}

/** Token outcomes over the rows where `counted` holds. */
function tokenCounts(counted: SQL) {
  return {
    issued: sql<number>`coalesce(sum(CASE WHEN ${counted} THEN 1 ELSE 0 END), 0)`,
    joined: sql<number>`coalesce(sum(CASE WHEN ${counted} AND ${userSessions.sessionStart} IS NOT NULL THEN 1 ELSE 0 END), 0)`,
    expired: sql<number>`coalesce(sum(CASE WHEN ${counted} AND ${userSessions.status} = 'expired' THEN 1 ELSE 0 END), 0)`,
    pending: sql<number>`coalesce(sum(CASE WHEN ${counted} AND ${userSessions.status} = 'issued' THEN 1 ELSE 0 END), 0)`,
  };
}

/** Sessions are grouped by the day they started; tokens by the day they were minted. */
const GROUP_KEYS: Record<ReportGrouping, { sessions: SQL<string>; tokens: SQL<string> }> = {
  day: {
    sessions: sql<string>`date(${userSessions.sessionStart} / 1000, 'unixepoch')`,
    tokens: sql<string>`date(${userSessions.issuedAt} / 1000, 'unixepoch')`,
  },
  user: {
    sessions: sql<string>`${userSessions.userId}`,
    tokens: sql<string>`${userSessions.userId}`,
  },
  room: {
    sessions: sql<string>`${userSessions.roomName}`,
    tokens: sql<string>`${userSessions.roomName}`,
  },
};

const NO_TOKENS: TokenCounts = { issued: 0, joined: 0, expired: 0, pending: 0 };
const NO_SESSIONS: DurationStats = {
  sessions: 0,
  totalSeconds: 0,
  meanSeconds: null,
  p50Seconds: null,
  p90Seconds: null,
  p99Seconds: null,
  maxSeconds: null,
};

function scoped(filter: SessionFilter): (SQL | undefined)[] {
  return [
    filter.userId === undefined ? undefined : eq(userSessions.userId, filter.userId),
    filter.roomName === undefined ? undefined : eq(userSessions.roomName, filter.roomName),
  ];
}

/**
 * `column` within the period, read by scanning the table rather than through an index: a report's
 * period usually covers much of the table, and through an index every row costs a random read of
 * its table page (measured: about 4 times slower over a million sessions). The unary `+` is
 * SQLite's way of saying "not this index".
 */
function inPeriod(
  column: typeof userSessions.sessionStart | typeof userSessions.issuedAt,
  filter: SessionFilter,
): SQL {
  return sql`+${column} >= ${filter.fromMs} AND +${column} < ${filter.toMs}`;
}

/**
 * Durations of the sessions that started in the period and have ended (count, total, mean, p50,
 * p90, p99, max), per day, user or room and overall, plus what became of the tokens minted in the
 * period. Reads every matching row: run it off the event loop (the auth service uses a worker).
 */
export function sessionDurationReport(
  db: Db,
  filter: SessionFilter,
  groupBy: ReportGrouping,
): SessionReport {
  const ended = sql`(${userSessions.status} = 'ended' AND ${inPeriod(userSessions.sessionStart, filter)})`;
  const minted = sql`(${inPeriod(userSessions.issuedAt, filter)})`;
  const relevant = and(or(ended, minted), ...scoped(filter));
  const keys = GROUP_KEYS[groupBy];
  // The email is looked up once per group, not joined to every row.
  const label =
    groupBy === 'user'
      ? sql<
          string | null
        >`(SELECT ${users.email} FROM ${users} WHERE ${users.id} = ${userSessions.userId})`
      : sql<string | null>`NULL`;

  let groups: DurationGroup[];
  if (groupBy !== 'day') {
    // Users and rooms: sessions and tokens share the key, so one scan gives both.
    groups = db
      .select({
        key: keys.sessions.as('group_key'),
        label: label.as('label'),
        ...durationStats(ended),
        ...tokenCounts(minted),
      })
      .from(userSessions)
      .where(relevant)
      .groupBy(keys.sessions)
      .all()
      .map(({ issued, joined, expired, pending, ...stats }) => ({
        ...stats,
        tokens: { issued, joined, expired, pending },
      }));
  } else {
    // Days: sessions count on the day they started, tokens on the day they were minted.
    const byKey = new Map<string, DurationGroup>();
    const sessionRows = db
      .select({
        key: keys.sessions.as('group_key'),
        label: label.as('label'),
        ...durationStats(ended),
      })
      .from(userSessions)
      .where(relevant)
      .groupBy(keys.sessions)
      .all();
    for (const { key, label: text, ...stats } of sessionRows) {
      if (stats.sessions > 0) byKey.set(key, { key, label: text, ...stats, tokens: NO_TOKENS });
    }
    const tokenRows = db
      .select({
        key: keys.tokens.as('group_key'),
        label: label.as('label'),
        ...tokenCounts(minted),
      })
      .from(userSessions)
      .where(relevant)
      .groupBy(keys.tokens)
      .all();
    for (const { key, label: text, ...counts } of tokenRows) {
      if (counts.issued === 0) continue;
      const group = byKey.get(key) ?? { key, label: text, ...NO_SESSIONS, tokens: NO_TOKENS };
      byKey.set(key, { ...group, tokens: counts });
    }
    groups = [...byKey.values()];
  }
  groups = groups
    .filter((g) => g.sessions > 0 || g.tokens.issued > 0)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const { issued, joined, expired, pending, ...overall } = db
    .select({ ...durationStats(ended), ...tokenCounts(minted) })
    .from(userSessions)
    .where(relevant)
    .get()!;
  return { groups, overall, tokens: { issued, joined, expired, pending } };
}

export interface SessionPageCursor {
  issuedAt: number;
  id: string;
}

export interface SessionPage {
  sessions: UserSession[];
  /** Pass back to get the next page; null on the last one. */
  next: SessionPageCursor | null;
}

/**
 * Sessions issued in the period, newest first, a page at a time (keyset pagination: stable while
 * new sessions arrive). `userId` scopes the listing to one user.
 */
export function listSessions(
  db: Db,
  query: {
    filter: Partial<SessionFilter>;
    status?: SessionStatus | undefined;
    /** Only sessions someone joined (a start exists), leaving out tokens nobody used. */
    joinedOnly?: boolean | undefined;
    limit: number;
    after?: SessionPageCursor | undefined;
  },
): SessionPage {
  const { filter, status, joinedOnly, limit, after } = query;
  const rows = db
    .select()
    .from(userSessions)
    .where(
      and(
        filter.fromMs === undefined ? undefined : gte(userSessions.issuedAt, filter.fromMs),
        filter.toMs === undefined ? undefined : lt(userSessions.issuedAt, filter.toMs),
        status === undefined ? undefined : eq(userSessions.status, status),
        joinedOnly ? isNotNull(userSessions.sessionStart) : undefined,
        ...scoped({ fromMs: 0, toMs: 0, ...filter }),
        after === undefined
          ? undefined
          : or(
              lt(userSessions.issuedAt, after.issuedAt),
              and(eq(userSessions.issuedAt, after.issuedAt), lt(userSessions.id, after.id)),
            ),
      ),
    )
    .orderBy(desc(userSessions.issuedAt), desc(userSessions.id))
    .limit(limit + 1)
    .all();
  const sessions = rows.slice(0, limit);
  const last = sessions.at(-1);
  return {
    sessions,
    next: rows.length > limit && last ? { issuedAt: last.issuedAt, id: last.id } : null,
  };
}
