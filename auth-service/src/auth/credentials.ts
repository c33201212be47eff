import { z } from '@hono/zod-openapi';
import type { User } from '@attune/db';
import type { AppDeps } from '../deps.ts';

export const credentialsSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int().describe('seconds until the access token expires'),
  refresh_token: z
    .string()
    .optional()
    .describe(
      'absent when the request sent X-Refresh-Cookie: 1; the token is then in the httpOnly refresh cookie',
    ),
});

export type Credentials = z.infer<typeof credentialsSchema> & { refresh_token: string };

/** The response body for an access token of `familyId` alongside its refresh token. */
export async function accessCredentials(
  deps: Pick<AppDeps, 'appJwt'>,
  user: User,
  familyId: string,
  refreshToken: string,
  nowMs: number,
): Promise<Credentials> {
  const access = await deps.appJwt.sign({ userId: user.id, role: user.role, familyId }, nowMs);
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: access.expiresInSeconds,
    refresh_token: refreshToken,
  };
}
