/**
 * The Attune schema for PostgreSQL: the same tables, columns, indexes and checks as the SQLite
 * schema (schema.ts), which a test holds them to. Epoch milliseconds overflow `integer`, so every
 * time column is `bigint`, read as a JavaScript number (exact up to 2^53 ms, the year 287,396).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  pgView,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  ACTION_TOKEN_PURPOSES,
  END_SOURCES,
  SESSION_STATUSES,
  TURN_ROLES,
  USER_ROLES,
  USER_STATUSES,
} from './schema.ts';

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));
const epochMs = (name: string) => bigint(name, { mode: 'number' });

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    fullName: text('full_name').notNull(),
    passwordHash: text('password_hash'),
    role: text('role', { enum: USER_ROLES }).notNull().default('user'),
    status: text('status', { enum: USER_STATUSES }).notNull().default('active'),
    createdAt: epochMs('created_at').notNull(),
    lastLogin: epochMs('last_login'),
    emailVerifiedAt: epochMs('email_verified_at'),
    pendingEmail: text('pending_email'),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    check('users_role_check', sql`${t.role} IN (${inList(USER_ROLES)})`),
    check('users_status_check', sql`${t.status} IN (${inList(USER_STATUSES)})`),
  ],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    familyId: text('family_id').notNull(),
    parentId: text('parent_id'),
    createdAt: epochMs('created_at').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
    revokedAt: epochMs('revoked_at'),
    userAgent: text('user_agent'),
    ip: text('ip'),
  },
  (t) => [
    uniqueIndex('refresh_tokens_token_hash_unique').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

export const rooms = pgTable(
  'rooms',
  {
    name: text('name').primaryKey(),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: epochMs('created_at').notNull(),
  },
  (t) => [index('rooms_owner_idx').on(t.ownerId)],
);

export const userSessions = pgTable(
  'user_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roomName: text('room_name').notNull(),
    participantIdentity: text('participant_identity').notNull(),
    issuedAt: epochMs('issued_at').notNull(),
    sessionStart: epochMs('session_start'),
    sessionEnd: epochMs('session_end'),
    durationSeconds: integer('duration_seconds'),
    status: text('status', { enum: SESSION_STATUSES }).notNull().default('issued'),
    endReason: text('end_reason'),
    lastJoinAt: epochMs('last_join_at'),
    endSource: text('end_source', { enum: END_SOURCES }),
  },
  (t) => {
    // The same indexes as SQLite's, expressions and partial ones included (see schema.ts).
    const ended = sql`${t.status} = 'ended'`;
    return [
      index('user_sessions_user_issued_idx').on(t.userId, t.issuedAt),
      index('user_sessions_room_identity_idx').on(
        t.roomName,
        t.participantIdentity,
        t.issuedAt,
        t.status,
        t.sessionStart,
      ),
      index('user_sessions_issued_idx').on(t.issuedAt, t.id),
      index('user_sessions_status_issued_idx').on(t.status, t.issuedAt, t.id),
      index('user_sessions_user_status_idx').on(t.userId, t.status, t.issuedAt, t.sessionStart),
      index('user_sessions_issued_day_idx').on(
        sql`(${t.issuedAt} / 86400000)`,
        t.status,
        t.issuedAt,
        t.sessionStart,
      ),
      index('user_sessions_ended_day_idx')
        .on(sql`(${t.sessionStart} / 86400000)`, t.durationSeconds, t.sessionStart)
        .where(ended),
      index('user_sessions_ended_user_idx')
        .on(t.userId, t.durationSeconds, t.sessionStart)
        .where(ended),
      index('user_sessions_ended_room_idx')
        .on(t.roomName, t.durationSeconds, t.sessionStart)
        .where(ended),
      check('user_sessions_status_check', sql`${t.status} IN (${inList(SESSION_STATUSES)})`),
    ];
  },
);

export const userPreferences = pgTable(
  'user_preferences',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

export const conversationTurns = pgTable(
  'conversation_turns',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id').references(() => userSessions.id, { onDelete: 'set null' }),
    role: text('role', { enum: TURN_ROLES }).notNull(),
    text: text('text').notNull(),
    createdAt: epochMs('created_at').notNull(),
    clientTurnId: text('client_turn_id'),
  },
  (t) => [
    index('conversation_turns_user_created_idx').on(t.userId, t.createdAt),
    index('conversation_turns_session_idx').on(t.sessionId),
    uniqueIndex('conversation_turns_session_client_turn_unique').on(t.sessionId, t.clientTurnId),
    check('conversation_turns_role_check', sql`${t.role} IN (${inList(TURN_ROLES)})`),
  ],
);

export const actionTokens = pgTable(
  'action_tokens',
  {
    id: text('id').primaryKey(),
    purpose: text('purpose', { enum: ACTION_TOKEN_PURPOSES }).notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: USER_ROLES }),
    tokenHash: text('token_hash').notNull(),
    createdAt: epochMs('created_at').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
    usedAt: epochMs('used_at'),
  },
  (t) => [
    uniqueIndex('action_tokens_token_hash_unique').on(t.tokenHash),
    index('action_tokens_user_purpose_idx').on(t.userId, t.purpose),
    index('action_tokens_email_purpose_created_idx').on(t.email, t.purpose, t.createdAt),
    index('action_tokens_expires_idx').on(t.expiresAt),
    check('action_tokens_purpose_check', sql`${t.purpose} IN (${inList(ACTION_TOKEN_PURPOSES)})`),
    check(
      'action_tokens_role_check',
      sql`${t.role} IS NULL OR ${t.role} IN (${inList(USER_ROLES)})`,
    ),
  ],
);

export const loginThrottle = pgTable(
  'login_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    windowStartedAt: epochMs('window_started_at').notNull(),
    blockedUntil: epochMs('blocked_until'),
  },
  (t) => [index('login_throttle_window_idx').on(t.windowStartedAt)],
);

export const webhookEvents = pgTable('webhook_events', {
  id: text('id').primaryKey(),
  event: text('event').notNull(),
  receivedAt: epochMs('received_at').notNull(),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: epochMs('at').notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    target: text('target'),
    ip: text('ip'),
    detail: text('detail'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId),
    index('audit_log_target_idx').on(t.target),
  ],
);

/** UTC ISO-8601 text with milliseconds, the same text SQLite's strftime('%Y-%m-%dT%H:%M:%fZ') gives. */
const isoUtc = (epochMsColumn: unknown) =>
  sql`to_char(to_timestamp(${epochMsColumn} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The analysts' view, column for column the SQLite one (see schema.ts). */
export const sessionDurations = pgView('session_durations').as((qb) =>
  qb
    .select({
      sessionId: sql<string>`${userSessions.id}`.as('session_id'),
      userId: sql<string>`${userSessions.userId}`.as('user_id'),
      email: sql<string>`${users.email}`.as('email'),
      roomName: sql<string>`${userSessions.roomName}`.as('room_name'),
      status: sql<string>`${userSessions.status}`.as('status'),
      issuedAt: sql<string>`${isoUtc(userSessions.issuedAt)}`.as('issued_at'),
      sessionStart: sql<string | null>`${isoUtc(userSessions.sessionStart)}`.as('session_start'),
      sessionEnd: sql<string | null>`${isoUtc(userSessions.sessionEnd)}`.as('session_end'),
      day: sql<
        string | null
      >`to_char(to_timestamp(${userSessions.sessionStart} / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as(
        'day',
      ),
      durationSeconds: sql<number | null>`${userSessions.durationSeconds}`.as('duration_seconds'),
      endReason: sql<string | null>`${userSessions.endReason}`.as('end_reason'),
    })
    .from(userSessions)
    .innerJoin(users, sql`${users.id} = ${userSessions.userId}`),
);
