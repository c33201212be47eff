import type { ApiUser, Role } from '../../api/auth-api.ts';

/** The admin pages' data: users, sessions, rooms and audit entries as the admin API answers them. */

export const ROLES: readonly Role[] = ['admin', 'moderator', 'analyst', 'user', 'guest'];
export const STATUSES = ['active', 'suspended'] as const;
export type UserStatus = (typeof STATUSES)[number];

/**
 * A user as the admin routes show them. GET /admin/users/{id} (and POST /admin/users) add the
 * fields marked optional; the list leaves them out.
 */
export interface AdminUser extends ApiUser {
  /** When a throttled sign-in is allowed again (ISO 8601), or null. */
  locked_until?: string | null;
  /** false: an admin made the account and its set-password link was not used yet. */
  password_set?: boolean;
  /** Sessions joined and not ended. */
  active_sessions?: number;
}

export interface UserPage {
  users: AdminUser[];
  next_cursor: string | null;
}

export interface UserFilters {
  search: string;
  role: Role | '';
  status: UserStatus | '';
}

export const USERS_PER_PAGE = 25;

/** GET /admin/users for the filters (blank ones left out) and the page after `cursor`. */
export function usersPath(filters: UserFilters, cursor?: string | null): string {
  const query = new URLSearchParams({ limit: String(USERS_PER_PAGE) });
  const search = filters.search.trim();
  if (search) query.set('search', search.slice(0, 100));
  if (filters.role) query.set('role', filters.role);
  if (filters.status) query.set('status', filters.status);
  if (cursor) query.set('cursor', cursor);
  return `/admin/users?${query}`;
}

/** A user in a list after a change: replaced where it was (or left out when `filters` exclude it now). */
export function replaceUser(list: readonly AdminUser[], updated: AdminUser): AdminUser[] {
  return list.map((user) => (user.id === updated.id ? { ...user, ...updated } : user));
}

// --- sessions and rooms ---------------------------------------------------------------------

export type SessionView = 'active' | 'recent';

export const SESSIONS_PER_PAGE = 50;

export function sessionsPath(view: SessionView, cursor?: string | null): string {
  const query = new URLSearchParams({ limit: String(SESSIONS_PER_PAGE) });
  if (view === 'recent') query.set('recent', 'true');
  if (cursor) query.set('cursor', cursor);
  return `/admin/sessions?${query}`;
}

export interface RoomParticipant {
  identity: string;
  name: string;
  user_id: string | null;
  joined_at: string | null;
  /** joining, joined, active or disconnected */
  state: string;
  /** standard (a person), agent, sip, ingress, egress… */
  kind: string;
}

export interface LiveRoom {
  name: string;
  created_at: string | null;
  num_participants: number;
  participants: RoomParticipant[];
}

interface Removal {
  roomName: string;
  identity: string;
}

/** What LiveKit said when a terminated or suspended user was removed from their rooms. */
export interface RemovalReport {
  removed: Removal[];
  notInRoom: Removal[];
  failed: (Removal & { error: string })[];
}

/**
 * The sentence to add when LiveKit could not remove someone (the database change stands; the
 * participant may stay in the room until their token expires). Undefined when all went well.
 */
export function removalWarning(report: RemovalReport | null | undefined): string | undefined {
  if (!report || report.failed.length === 0) return undefined;
  const rooms = [...new Set(report.failed.map((f) => f.roomName))].join(', ');
  const first = report.failed[0]!.error;
  return `LiveKit could not remove them from ${rooms} (${first}); they may stay in the room until their token expires.`;
}

// --- audit log ------------------------------------------------------------------------------

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: unknown;
}

export interface AuditPage {
  entries: AuditEntry[];
  next_cursor: number | null;
}

export interface AuditFilters {
  action: string;
  /** A user id: entries where they acted or were acted on. */
  user: string;
  /** YYYY-MM-DD, from the start of that day (UTC). */
  from: string;
  /** YYYY-MM-DD, through the end of that day (UTC). */
  to: string;
}

export const AUDIT_PER_PAGE = 50;

/** The actions the service writes, offered as suggestions (the filter takes any name). */
export const AUDIT_ACTIONS = [
  'login_success',
  'login_failure',
  'logout',
  'register',
  'guest_created',
  'password_change',
  'password_reset_requested',
  'password_reset',
  'email_verified',
  'device_signed_out',
  'account_deleted',
  'role_change',
  'status_change',
  'user_deleted',
  'user_unlocked',
  'session_terminated',
  'token_minted',
  'refresh_reuse_detected',
  'admin_created',
] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The day after a YYYY-MM-DD day, so that `to` includes the whole day the person picked. */
export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** Why the period cannot be asked for, or undefined when it can. */
export function auditPeriodProblem(filters: Pick<AuditFilters, 'from' | 'to'>): string | undefined {
  if (filters.from && !DAY.test(filters.from)) return 'Pick a start date.';
  if (filters.to && !DAY.test(filters.to)) return 'Pick an end date.';
  if (filters.from && filters.to && filters.from > filters.to)
    return 'The start date is after the end date.';
  return undefined;
}

/** GET /admin/audit for the filters (blank ones left out) and the page after `cursor`. */
export function auditPath(filters: AuditFilters, cursor?: number | null): string {
  const query = new URLSearchParams({ limit: String(AUDIT_PER_PAGE) });
  const action = filters.action.trim();
  const user = filters.user.trim();
  if (action) query.set('action', action);
  if (user) query.set('user', user);
  if (filters.from) query.set('from', filters.from);
  if (filters.to) query.set('to', nextDay(filters.to));
  if (cursor) query.set('cursor', String(cursor));
  return `/admin/audit?${query}`;
}

/** "login_failure" → "Login failure" */
export function actionLabel(action: string): string {
  const words = action.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An entry's detail as one line: `reason: wrong_password · device_id: abc`. */
export function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail === 'string') return detail;
  if (typeof detail !== 'object') return JSON.stringify(detail);
  if (Array.isArray(detail)) return detail.map(detailText).join(', ');
  return Object.entries(detail as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `${key}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`,
    )
    .join(' · ');
}

/** A long opaque id shortened for a table cell (the whole id goes in the title). */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
