import { SignJWT, jwtVerify, errors } from 'jose';
import { USER_ROLES, type UserRole } from '@attune/db';

export const APP_JWT_ISSUER = 'attune-auth';
export const APP_JWT_AUDIENCE = 'attune-api';
const ALGORITHM = 'HS256';

/** What an app access token says about its bearer once verified. */
export interface AccessClaims {
  userId: string;
  role: UserRole;
  /** The refresh-token family (signed-in device) this access token belongs to. */
  familyId: string;
}

export class InvalidAccessToken extends Error {
  override name = 'InvalidAccessToken';
}

export interface AppJwt {
  sign(claims: AccessClaims, nowMs: number): Promise<{ token: string; expiresInSeconds: number }>;
  /** Verifies signature (HS256 only), issuer, audience, expiry and claim types; throws InvalidAccessToken. */
  verify(token: string, nowMs: number): Promise<AccessClaims>;
}

/** Imports the HMAC key once; jose on Node is slow when handed raw bytes on every call. */
export async function createAppJwt(secret: string, ttlMs: number): Promise<AppJwt> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const roles: readonly string[] = USER_ROLES;

  return {
    async sign(claims, nowMs) {
      const iat = Math.floor(nowMs / 1000);
      const exp = iat + Math.floor(ttlMs / 1000);
      const token = await new SignJWT({ role: claims.role, fam: claims.familyId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(APP_JWT_ISSUER)
        .setAudience(APP_JWT_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresInSeconds: exp - iat };
    },
    async verify(token, nowMs) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: APP_JWT_ISSUER,
          audience: APP_JWT_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'iat'],
          currentDate: new Date(nowMs),
        });
        const { sub, role, fam } = payload;
        if (typeof sub !== 'string' || typeof fam !== 'string' || typeof role !== 'string' || !roles.includes(role)) {
          throw new InvalidAccessToken('access token claims are malformed');
        }
        return { userId: sub, role: role as UserRole, familyId: fam };
      } catch (error) {
        if (error instanceof InvalidAccessToken) throw error;
        if (error instanceof errors.JOSEError) throw new InvalidAccessToken(error.code);
        throw new InvalidAccessToken('access token could not be verified');
      }
    },
  };
}
