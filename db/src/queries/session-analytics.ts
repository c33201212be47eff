import { type SQL, and, desc, eq, gte, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { type SessionStatus, type UserSession, userSessions, users } from '../schema.ts';
import {
  DurationListReader,
  type DurationStats,
  DurationTally,
  NO_SESSIONS,
  statsOfSorted,
} from './duration-stats.ts';
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
  {
    sessionKey: SQL;
    tokenKey: SQL;
    durationsIndex: string;
    tokensIndex: string;
    /** The tokens index orders by status right after the key: counting per status is cheaper. */
    tokensByStatus: boolean;
  }
> = {
  day: {
    sessionKey: dayNumber(userSessions.sessionStart),
    tokenKey: dayNumber(userSessions.issuedAt),
    durationsIndex: 'user_sessions_ended_day_idx',
    tokensIndex: 'user_sessions_issued_day_idx',
    tokensByStatus: true,
  },
  user: {
    sessionKey: sql`${userSessions.userId}`,
    tokenKey: sql`${userSessions.userId}`,
    durationsIndex: 'user_sessions_ended_user_idx',
    tokensIndex: 'user_sessions_user_status_idx',
    tokensByStatus: true,
  },
  room: {
    sessionKey: sql`${userSessions.roomName}`,
    tokenKey: sql`${userSessions.roomName}`,
    durationsIndex: 'user_sessions_ended_room_idx',
    tokensIndex: 'user_sessions_room_identity_idx',
    tokensByStatus: false,
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

export interface DurationRow {
  key: string | number;
  label: string | null;
  durations: string | number[];
}

export interface TokenRow {
  key: string | number;
  label: string | null;
  issued: number | string;
  joined: number | string;
  expired: number | string;
  pending: number | string;
}

/** A group's token counts, keyed by the group's key as text. */
interface KeyedCounts {
  key: string;
  label: string | null;
  counts: TokenCounts;
}

const before = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One entry per key: the rows of one key (one per status, when counted so) come one after
 * another in the answer, and are summed.
 */
function countsPerKey(rows: readonly TokenRow[], keyText: (key: string | number) => string) {
  const perKey: KeyedCounts[] = [];
  let last: KeyedCounts | undefined;
  for (const row of rows) {
    const key = keyText(row.key);
    if (last?.key !== key) {
      last = { key, label: row.label, counts: { issued: 0, joined: 0, expired: 0, pending: 0 } };
      perKey.push(last);
    }
    last.counts.issued += Number(row.issued);
    last.counts.joined += Number(row.joined);
    last.counts.expired += Number(row.expired);
    last.counts.pending += Number(row.pending);
  }
  return perKey;
}

const ascendingKeys = (list: readonly { key: string }[]) =>
  list.every((item, i) => i === 0 || list[i - 1]!.key < item.key);

/**
 * The groups with durations, given their token counts, and a group for each key that has only
 * tokens; sorted by key as JavaScript orders strings. Both lists come in key order, so one pass
 * merges them; should the database order keys otherwise (a collation), they are matched through a
 * map and sorted instead.
 */
function mergeGroups(
  withDurations: DurationGroup[],
  tokens: readonly KeyedCounts[],
): DurationGroup[] {
  const onlyTokens = (entry: KeyedCounts): DurationGroup => ({
    key: entry.key,
    label: entry.label,
    ...NO_SESSIONS,
    tokens: entry.counts,
  });
  if (!ascendingKeys(withDurations) || !ascendingKeys(tokens)) {
    const byKey = new Map(withDurations.map((group) => [group.key, group]));
    for (const entry of tokens) {
      const group = byKey.get(entry.key);
      if (group) group.tokens = entry.counts;
      else byKey.set(entry.key, onlyTokens(entry));
    }
    return [...byKey.values()].sort((a, b) => before(a.key, b.key));
  }
  const groups: DurationGroup[] = [];
  let [d, t] = [0, 0];
  while (d < withDurations.length || t < tokens.length) {
    const order =
      d === withDurations.length
        ? 1
        : t === tokens.length
          ? -1
          : before(withDurations[d]!.key, tokens[t]!.key);
    if (order > 0) groups.push(onlyTokens(tokens[t++]!));
    else {
      const group = withDurations[d++]!;
      if (order === 0) group.tokens = tokens[t++]!.counts;
      groups.push(group);
    }
  }
  return groups;
}

/** The report's two reads, said in one engine's dialect. */
export interface ReportQueries {
  /** Each group's ended sessions' durations, ascending, one row per group in key order. */
  durations: SQL;
  /** Tokens minted in the period per group (per group and status, see `indexesFor`). */
  tokens: SQL;
}

/** The two reads of {@link sessionDurationReport}, for SQLite or (with its dialect) PostgreSQL. */
export function reportQueries(
  filter: SessionFilter,
  groupBy: ReportGrouping,
  dialect: ReportDialect,
): ReportQueries {
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
  // The email is looked up once per group (by its primary key), not joined to every row.
  const label =
    groupBy === 'user'
      ? sql`(SELECT ${users.email} FROM ${users} WHERE ${users.id} = ${userSessions.userId})`
      : sql`NULL`;
  const durations = sql`
    SELECT ${grouping.sessionKey} AS key, ${label} AS label,
      ${dialect.valuesOf(sql`${durationSeconds}`)} AS durations
    FROM ${dialect.sessionsThrough(indexes.durationsIndex)}
    WHERE ${ended}
    GROUP BY ${grouping.sessionKey}
    ORDER BY ${grouping.sessionKey}`;
  const tokens = indexes.tokensByStatus
    ? // One row per key and status; the status tests run once per row of the answer.
      sql`
    SELECT ${grouping.tokenKey} AS key, ${label} AS label, count(*) AS issued,
      count(${sessionStart}) AS joined,
      CASE WHEN ${status} = 'expired' THEN count(*) ELSE 0 END AS expired,
      CASE WHEN ${status} = 'issued' THEN count(*) ELSE 0 END AS pending
    FROM ${dialect.sessionsThrough(indexes.tokensIndex)}
    WHERE ${minted}
    GROUP BY ${grouping.tokenKey}, ${status}
    ORDER BY ${grouping.tokenKey}, ${status}`
    : sql`
    SELECT ${grouping.tokenKey} AS key, ${label} AS label, count(*) AS issued,
      count(${sessionStart}) AS joined,
      count(CASE WHEN ${status} = 'expired' THEN 1 END) AS expired,
      count(CASE WHEN ${status} = 'issued' THEN 1 END) AS pending
    FROM ${dialect.sessionsThrough(indexes.tokensIndex)}
    WHERE ${minted}
    GROUP BY ${grouping.tokenKey}
    ORDER BY ${grouping.tokenKey}`;
  return { durations, tokens };
}

/**
 * Durations of the sessions that started in the period and have ended (count, total, mean, p50,
 * p90, p99, max), per day, user or room and overall, plus what became of the tokens minted in the
 * period. Two reads, each through a covering index in the order it needs: each group's durations
 * (ascending, as a JSON array), and the token counts per group; the figures are computed here
 * (`reportFromRows`), the overall ones from all groups' durations together. Well under a second
 * over a million sessions; still, run it off the event loop (the auth service uses a worker).
 */
export function sessionDurationReport(
  db: Db,
  filter: SessionFilter,
  groupBy: ReportGrouping,
): SessionReport {
  const queries = reportQueries(filter, groupBy, SQLITE_REPORT_DIALECT);
  return reportFromRows(
    db.all<DurationRow>(queries.durations),
    db.all<TokenRow>(queries.tokens),
    groupBy,
  );
}

/**
 * The report from its two reads' rows, the same on both engines: every figure is computed here
 * from the integers the database returned.
 */
export function reportFromRows(
  durationRows: readonly DurationRow[],
  tokenRows: readonly TokenRow[],
  groupBy: ReportGrouping,
): SessionReport {
  // Day numbers become `YYYY-MM-DD`, which sorts as they do (node-postgres sends bigint as text).
  const keyText = groupBy === 'day' ? (key: string | number) => dayKey(Number(key)) : String;
  // Each group's durations are read into one reused buffer, its figures computed there and its
  // values counted into the overall tally: no array per group.
  const reader = new DurationListReader();
  const tally = new DurationTally();
  const withDurations = durationRows.map((row): DurationGroup => {
    let values: Float64Array;
    const count = typeof row.durations === 'string' ? reader.read(row.durations) : -1;
    if (count >= 0) values = reader.values;
    else {
      const list =
        typeof row.durations === 'string'
          ? (JSON.parse(row.durations) as number[])
          : row.durations.map(Number);
      values = Float64Array.from(list).sort();
    }
    const length = count >= 0 ? count : values.length;
    tally.add(values, length);
    return {
      key: keyText(row.key),
      label: row.label,
      ...statsOfSorted(values, length),
      tokens: NO_TOKENS,
    };
  });
  const groups = mergeGroups(withDurations, countsPerKey(tokenRows, keyText));
  const tokens = { ...NO_TOKENS };
  for (const { tokens: counts } of groups) {
    tokens.issued += counts.issued;
    tokens.joined += counts.joined;
    tokens.expired += counts.expired;
    tokens.pending += counts.pending;
  }
  // Every ended session of the period is in exactly one group.
  const overall = tally.stats();
  return { groups, overall, tokens };
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
