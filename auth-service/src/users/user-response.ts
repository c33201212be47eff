import { z } from '@hono/zod-openapi';
import { USER_ROLES, USER_STATUSES, type User } from '@attune/db';

export const userResponseSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    full_name: z.string(),
    role: z.enum(USER_ROLES),
    status: z.enum(USER_STATUSES),
    created_at: z.string().describe('ISO 8601'),
    last_login: z.string().nullable().describe('ISO 8601, null before the first sign-in'),
    email_verified: z
      .boolean()
      .describe('whether the owner proved the address (a mailed link, or an invitation)'),
    pending_email: z
      .string()
      .nullable()
      .describe('a new address waiting for its mailed link to be opened; null when none'),
  })
  .openapi('User');

export type UserResponse = z.infer<typeof userResponseSchema>;

/** The public view of a user: never the password hash or lockout counters. */
export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    role: user.role,
    status: user.status,
    created_at: new Date(user.createdAt).toISOString(),
    last_login: user.lastLogin === null ? null : new Date(user.lastLogin).toISOString(),
    email_verified: user.emailVerifiedAt !== null,
    pending_email: user.pendingEmail,
  };
}
