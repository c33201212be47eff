/**
 * The Attune database schema. Every time column holds Unix epoch milliseconds;
 * `duration_seconds` is the one column in seconds, as its name says.
 */
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  sqliteView,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

export const USER_ROLES = ['admin', 'moderator', 'analyst', 'user', 'guest'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const USER_STATUSES = ['active', 'suspended'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const SESSION_STATUSES = ['issued', 'active', 'ended', 'expired'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Who recorded a session's end: LiveKit's webhook (the authority), the agent, the sweep, or an admin. */
export const END_SOURCES = ['livekit', 'agent', 'sweep', 'admin'] as const;
export type EndSource = (typeof END_SOURCES)[number];

/** What a mailed single-use link lets its holder do (see the action_tokens table). */
export const ACTION_TOKEN_PURPOSES = [
  'password_reset',
  'email_verification',
  'set_password',
  'invitation',
] as const;
export type ActionTokenPurpose = (typeof ACTION_TOKEN_PURPOSES)[number];

export const TURN_ROLES = ['user', 'assistant'] as const;
export type TurnRole = (typeof TURN_ROLES)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    fullName: text('full_name').notNull(),
    /** NULL: the account cannot sign in until a password is set (made by an admin, see action_tokens). */
    passwordHash: text('password_hash'),
    role: text('role', { enum: USER_ROLES }).notNull().default('user'),
    status: text('status', { enum: USER_STATUSES }).notNull().default('active'),
    createdAt: integer('created_at').notNull(),
    lastLogin: integer('last_login'),
    /** When the owner proved they receive mail at `email`; NULL until then. */
    emailVerifiedAt: integer('email_verified_at'),
    /** A new address the owner asked for, waiting for its verification link to be used. */
    pendingEmail: text('pending_email'),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    check('users_role_check', sql`${t.role} IN (${inList(USER_ROLES)})`),
    check('users_status_check', sql`${t.status} IN (${inList(USER_STATUSES)})`),
  ],
);

export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    familyId: text('family_id').notNull(),
    parentId: text('parent_id'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    userAgent: text('user_agent'),
    ip: text('ip'),
  },
  (t) => [
    uniqueIndex('refresh_tokens_token_hash_unique').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

export const rooms = sqliteTable(
  'rooms',
  {
    name: text('name').primaryKey(),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('rooms_owner_idx').on(t.ownerId)],
);

export const userSessions = sqliteTable(
  'user_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roomName: text('room_name').notNull(),
    participantIdentity: text('participant_identity').notNull(),
    issuedAt: integer('issued_at').notNull(),
    sessionStart: integer('session_start'),
    sessionEnd: integer('session_end'),
    durationSeconds: integer('duration_seconds'),
    status: text('status', { enum: SESSION_STATUSES }).notNull().default('issued'),
    endReason: text('end_reason'),
    /** The latest join LiveKit reported; a leave ends the session only if it is of that connection. */
    lastJoinAt: integer('last_join_at'),
    // No CHECK here: adding one would make SQLite rebuild the table, and the rebuild's DROP would
    // null every conversation turn's session_id through the foreign key.
    endSource: text('end_source', { enum: END_SOURCES }),
  },
  (t) => {
    const ended = sql`${t.status} = 'ended'`;
    return [
      index('user_sessions_user_issued_idx').on(t.userId, t.issuedAt),
      // Webhooks find a session by room and identity. The rest makes it cover the analytics
      // report's token counts per room.
      index('user_sessions_room_identity_idx').on(
        t.roomName,
        t.participantIdentity,
        t.issuedAt,
        t.status,
        t.sessionStart,
      ),
      // Session listings page newest first, with or without a status filter.
      index('user_sessions_issued_idx').on(t.issuedAt, t.id),
      index('user_sessions_status_issued_idx').on(t.status, t.issuedAt, t.id),
      // A user's live sessions, counted on every token request; the rest makes it cover the
      // analytics report's token counts per user.
      index('user_sessions_user_status_idx').on(t.userId, t.status, t.issuedAt, t.sessionStart),
      // The analytics report's token counts per UTC day (the day number: integer division of
      // epoch ms, the same on SQLite and PostgreSQL) and status, read in that order without
      // sorting.
      index('user_sessions_issued_day_idx').on(
        sql`(${t.issuedAt} / 86400000)`,
        t.status,
        t.issuedAt,
        t.sessionStart,
      ),
      // The analytics report's durations of ended sessions per day, user and room: each group's
      // durations come in order, so percentiles need no sort. Partial: minting a token (status
      // 'issued') writes none of them.
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

export const userPreferences = sqliteTable(
  'user_preferences',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

export const conversationTurns = sqliteTable(
  'conversation_turns',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id').references(() => userSessions.id, { onDelete: 'set null' }),
    role: text('role', { enum: TURN_ROLES }).notNull(),
    text: text('text').notNull(),
    createdAt: integer('created_at').notNull(),
    /** The id the agent gave the turn, unique within its session: a retried batch stores it once. */
    clientTurnId: text('client_turn_id'),
  },
  (t) => [
    index('conversation_turns_user_created_idx').on(t.userId, t.createdAt),
    index('conversation_turns_session_idx').on(t.sessionId),
    uniqueIndex('conversation_turns_session_client_turn_unique').on(t.sessionId, t.clientTurnId),
    check('conversation_turns_role_check', sql`${t.role} IN (${inList(TURN_ROLES)})`),
  ],
);

/**
 * Single-use links mailed to people: the token travels in the mail, only its SHA-256 (hex) is
 * stored. `user_id` is NULL for an invitation (the account does not exist yet); `role` is set for
 * invitations only. `used_at` is also set when a newer token of the same purpose voids this one.
 */
export const actionTokens = sqliteTable(
  'action_tokens',
  {
    id: text('id').primaryKey(),
    purpose: text('purpose', { enum: ACTION_TOKEN_PURPOSES }).notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: USER_ROLES }),
    tokenHash: text('token_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [
    uniqueIndex('action_tokens_token_hash_unique').on(t.tokenHash),
    // Voiding a user's earlier tokens of a purpose when a new one is issued.
    index('action_tokens_user_purpose_idx').on(t.userId, t.purpose),
    // The per-address cap on mails (and voiding invitations, which have no user).
    index('action_tokens_email_purpose_created_idx').on(t.email, t.purpose, t.createdAt),
    // The sweep.
    index('action_tokens_expires_idx').on(t.expiresAt),
    check('action_tokens_purpose_check', sql`${t.purpose} IN (${inList(ACTION_TOKEN_PURPOSES)})`),
    check(
      'action_tokens_role_check',
      sql`${t.role} IS NULL OR ${t.role} IN (${inList(USER_ROLES)})`,
    ),
  ],
);

/**
 * Failed sign-ins, counted per key: `pair:<email_sha256>:<ip_key>` (one account from one client
 * IP) and `account:<email_sha256>` (the account from anywhere). Keyed by the email's digest, not a
 * user id, so an unknown email is counted exactly like a known one. Also the places an account
 * signed in from, `known:<email_sha256>:<ip_key>` and `device:<email_sha256>:<device_key>`, whose
 * `blocked_until` is their expiry. See queries/login-throttle.ts.
 */
export const loginThrottle = sqliteTable(
  'login_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    windowStartedAt: integer('window_started_at').notNull(),
    blockedUntil: integer('blocked_until'),
  },
  (t) => [index('login_throttle_window_idx').on(t.windowStartedAt)],
);

export const webhookEvents = sqliteTable('webhook_events', {
  id: text('id').primaryKey(),
  event: text('event').notNull(),
  receivedAt: integer('received_at').notNull(),
});

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
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

/**
 * One row per voice session for analysts who prefer SQL: times as UTC ISO-8601 text, the user's
 * email beside their id, and the day the session started.
 */
export const sessionDurations = sqliteView('session_durations').as((qb) =>
  qb
    .select({
      sessionId: sql<string>`${userSessions.id}`.as('session_id'),
      userId: sql<string>`${userSessions.userId}`.as('user_id'),
      email: sql<string>`${users.email}`.as('email'),
      roomName: sql<string>`${userSessions.roomName}`.as('room_name'),
      status: sql<string>`${userSessions.status}`.as('status'),
      issuedAt:
        sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', ${userSessions.issuedAt} / 1000.0, 'unixepoch')`.as(
          'issued_at',
        ),
      sessionStart: sql<
        string | null
      >`strftime('%Y-%m-%dT%H:%M:%fZ', ${userSessions.sessionStart} / 1000.0, 'unixepoch')`.as(
        'session_start',
      ),
      sessionEnd: sql<
        string | null
      >`strftime('%Y-%m-%dT%H:%M:%fZ', ${userSessions.sessionEnd} / 1000.0, 'unixepoch')`.as(
        'session_end',
      ),
      day: sql<string | null>`date(${userSessions.sessionStart} / 1000, 'unixepoch')`.as('day'),
      durationSeconds: sql<number | null>`${userSessions.durationSeconds}`.as('duration_seconds'),
      endReason: sql<string | null>`${userSessions.endReason}`.as('end_reason'),
    })
    .from(userSessions)
    .innerJoin(users, sql`${users.id} = ${userSessions.userId}`),
);

export type User = typeof users.$inferSelect;
export type RefreshToken = typeof refreshTokens.$inferSelect;
export type Room = typeof rooms.$inferSelect;
export type UserSession = typeof userSessions.$inferSelect;
export type UserPreference = typeof userPreferences.$inferSelect;
export type ConversationTurn = typeof conversationTurns.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type ActionToken = typeof actionTokens.$inferSelect;
export type LoginThrottleRow = typeof loginThrottle.$inferSelect;
