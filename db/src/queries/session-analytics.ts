import { type SQL, and, desc, eq, gte, inArray, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { type SessionStatus, type UserSession, userSessions, users } from '../schema.ts';
import { type DurationStats, ascending, mergeAscending, statsOfSorted } from './duration-stats.ts';
import { type ReportDialect, SQLITE_REPORT_DIALECT } from './report-dialect.ts';

export type { DurationStats } from './duration-stats.ts';

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

const DAY_MS = 86_400_000;

/**
 * The UTC day number of an epoch-ms column: integer division, on SQLite and PostgreSQL alike. Spelt
 * as in the `…_day_idx` indexes' expressions (the literal inline, not a parameter), so the planner
 * reads those indexes for it.
 */
const dayNumber = (column: typeof userSessions.sessionStart | typeof userSessions.issuedAt) =>
  sql<number>`(${column} / ${sql.raw(String(DAY_MS))})`;

/** `YYYY-MM-DD` of a UTC day number (what `date(ms / 1000, 'unixepoch')` gives for it). */
const dayKey = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The period's day numbers, first to last: the range of a `…_day_idx` index to read. */
function dayRange(
  column: typeof userSessions.sessionStart | typeof userSessions.issuedAt,
  filter: SessionFilter,
): SQL {
  const first = Math.floor(filter.fromMs / DAY_MS);
  const last = Math.floor((filter.toMs - 1) / DAY_MS);
  return sql`${dayNumber(column)} >= ${first} AND ${dayNumber(column)} <= ${last}`;
}

const NO_TOKENS: TokenCounts = { issued: 0, joined: 0, expired: 0, pending: 0 };

function scoped(filter: SessionFilter): (SQL | undefined)[] {
  return [
    filter.userId === undefined ? undefined : eq(userSessions.userId, filter.userId),
    filter.roomName === undefined ? undefined : eq(userSessions.roomName, filter.roomName),
  ];
}

/** Sessions are grouped by the day they started; tokens by the day they were minted. */
const GROUPINGS: Record<
  ReportGrouping,
  { sessionKey: SQL; tokenKey: SQL; durationsIndex: string; tokensIndex: string }
> = {
  day: {
    sessionKey: dayNumber(userSessions.sessionStart),
    tokenKey: dayNumber(userSessions.issuedAt),
    durationsIndex: 'user_sessions_ended_day_idx',
    tokensIndex: 'user_sessions_issued_day_idx',
  },
  user: {
    sessionKey: sql`${userSessions.userId}`,
    tokenKey: sql`${userSessions.userId}`,
    durationsIndex: 'user_sessions_ended_user_idx',
    tokensIndex: 'user_sessions_user_status_idx',
  },
  room: {
    sessionKey: sql`${userSessions.roomName}`,
    tokenKey: sql`${userSessions.roomName}`,
    durationsIndex: 'user_sessions_ended_room_idx',
    tokensIndex: 'user_sessions_room_identity_idx',
  },
};

/**
 * The indexes the two reads go through. Each grouping has an index in its own key order, so groups
 * arrive one after another (no sort for GROUP BY) and each group's durations arrive ascending (no
 * sort for the percentiles). A user or room filter reads just that user's or room's entries.
 */
function indexesFor(filter: SessionFilter, groupBy: ReportGrouping) {
  if (filter.userId !== undefined) return GROUPINGS.user;
  if (filter.roomName !== undefined) return GROUPINGS.room;
  return GROUPINGS[groupBy];
}

interface DurationRow {
  key: string | number;
  durations: string | number[];
}

interface TokenRow {
  key: string | number;
  issued: number;
  joined: number;
  expired: number;
  pending: number;
}

const countsOf = (row: TokenRow): TokenCounts => ({
  issued: Number(row.issued),
  joined: Number(row.joined),
  expired: Number(row.expired),
  pending: Number(row.pending),
});

const before = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One group per key of either read, sorted by key as JavaScript orders them. Both reads come in key
 * order, so one pass merges them; should the database order keys otherwise (a collation), keys are
 * matched through a map and sorted instead.
 */
function mergeGroups(
  durationRows: readonly { key: string | number; durations: number[] }[],
  tokenRows: readonly TokenRow[],
  keyText: (key: string | number) => string,
): DurationGroup[] {
  const withDurations = (key: string, durations: number[]): DurationGroup => ({
    key,
    label: null,
    ...statsOfSorted(durations),
    tokens: NO_TOKENS,
  });
  const ascendingKeys = (rows: readonly { key: string | number }[]) =>
    rows.every((row, i) => i === 0 || before(rows[i - 1]!.key, row.key) < 0);
  if (!ascendingKeys(durationRows) || !ascendingKeys(tokenRows)) {
    const byKey = new Map<string, DurationGroup>();
    for (const row of durationRows)
      byKey.set(keyText(row.key), withDurations(keyText(row.key), row.durations));
    for (const row of tokenRows) {
      const key = keyText(row.key);
      const group = byKey.get(key) ?? withDurations(key, []);
      byKey.set(key, { ...group, tokens: countsOf(row) });
    }
    return [...byKey.values()].sort((a, b) => before(a.key, b.key));
  }
  const groups: DurationGroup[] = [];
  let [d, t] = [0, 0];
  while (d < durationRows.length || t < tokenRows.length) {
    const order =
      d === durationRows.length
        ? 1
        : t === tokenRows.length
          ? -1
          : before(durationRows[d]!.key, tokenRows[t]!.key);
    if (order <= 0) {
      const row = durationRows[d++]!;
      const group = withDurations(keyText(row.key), row.durations);
      if (order === 0) group.tokens = countsOf(tokenRows[t++]!);
      groups.push(group);
    } else {
      const row = tokenRows[t++]!;
      groups.push({ ...withDurations(keyText(row.key), []), tokens: countsOf(row) });
    }
  }
  return groups;
}

/**
 * Durations of the sessions that started in the period and have ended (count, total, mean, p50,
 * p90, p99, max), per day, user or room and overall, plus what became of the tokens minted in the
 * period. Two reads, each through a covering index in the order it needs: each group's durations
 * (ascending, as a JSON array), and the token counts per group; the figures are computed here,
 * the overall ones from all groups' durations together. Well under a second over a million
 * sessions; still, run it off the event loop (the auth service uses a worker).
 */
export function sessionDurationReport(
  db: Db,
  filter: SessionFilter,
  groupBy: ReportGrouping,
  dialect: ReportDialect = SQLITE_REPORT_DIALECT,
): SessionReport {
  const grouping = GROUPINGS[groupBy];
  const indexes = indexesFor(filter, groupBy);
  const { durationSeconds, sessionStart, issuedAt, status } = userSessions;
  const ended = and(
    sql`${status} = 'ended'`,
    isNotNull(durationSeconds),
    gte(sessionStart, filter.fromMs),
    lt(sessionStart, filter.toMs),
    indexes.durationsIndex === GROUPINGS.day.durationsIndex
      ? dayRange(sessionStart, filter)
      : undefined,
    ...scoped(filter),
  );
  const minted = and(
    gte(issuedAt, filter.fromMs),
    lt(issuedAt, filter.toMs),
    indexes.tokensIndex === GROUPINGS.day.tokensIndex ? dayRange(issuedAt, filter) : undefined,
    ...scoped(filter),
  );
  const durationRows = db.all<DurationRow>(sql`
    SELECT ${grouping.sessionKey} AS key, ${dialect.valuesOf(sql`${durationSeconds}`)} AS durations
    FROM ${dialect.sessionsThrough(indexes.durationsIndex)}
    WHERE ${ended}
    GROUP BY ${grouping.sessionKey}
    ORDER BY ${grouping.sessionKey}`);
  const tokenRows = db.all<TokenRow>(sql`
    SELECT ${grouping.tokenKey} AS key, count(*) AS issued, count(${sessionStart}) AS joined,
      count(CASE WHEN ${status} = 'expired' THEN 1 END) AS expired,
      count(CASE WHEN ${status} = 'issued' THEN 1 END) AS pending
    FROM ${dialect.sessionsThrough(indexes.tokensIndex)}
    WHERE ${minted}
    GROUP BY ${grouping.tokenKey}
    ORDER BY ${grouping.tokenKey}`);

  const durationLists = durationRows.map((row) => ({
    // node-postgres returns bigint as text: day numbers become numbers before they are compared.
    key: groupBy === 'day' ? Number(row.key) : row.key,
    durations: ascending(
      typeof row.durations === 'string'
        ? (JSON.parse(row.durations) as number[])
        : row.durations.map(Number),
    ),
  }));
  const groups = mergeGroups(
    durationLists,
    groupBy === 'day' ? tokenRows.map((row) => ({ ...row, key: Number(row.key) })) : tokenRows,
    groupBy === 'day' ? (key) => dayKey(Number(key)) : String,
  );
  const tokens = { ...NO_TOKENS };
  for (const { tokens: counts } of groups) {
    tokens.issued += counts.issued;
    tokens.joined += counts.joined;
    tokens.expired += counts.expired;
    tokens.pending += counts.pending;
  }
  if (groupBy === 'user') {
    const emails = emailsOf(
      db,
      groups.map((g) => g.key),
    );
    for (const group of groups) group.label = emails.get(group.key) ?? null;
  }
  // Every ended session of the period is in exactly one group.
  const overall = statsOfSorted(mergeAscending(durationLists.map((g) => g.durations)));
  return { groups, overall, tokens };
}

/** The email of each of `ids`, looked up in chunks (a statement takes a bounded number of values). */
function emailsOf(db: Db, ids: readonly string[]): Map<string, string> {
  const emails = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 5_000) {
    const rows = db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(inArray(users.id, ids.slice(i, i + 5_000)))
      .all();
    for (const row of rows) emails.set(row.id, row.email);
  }
  return emails;
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
