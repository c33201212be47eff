import { SignJWT, errors, jwtVerify } from 'jose';
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

/** How many verified tokens `verify` remembers (a few MB at most). */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Imports the HMAC key once (jose on Node is slow when handed raw bytes on every call) and
 * remembers tokens it has verified until they expire: a browser presents the same access token
 * on every call for its 15 minutes, and verifying a signature again gives the same answer.
 * Only the exact token string hits; its expiry is checked on every hit.
 */
export async function createAppJwt(secret: string, ttlMs: number): Promise<AppJwt> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const roles: readonly string[] = USER_ROLES;
  const verified = new Map<string, { claims: AccessClaims; expiresAtMs: number }>();

  function remember(token: string, claims: AccessClaims, expiresAtMs: number): void {
    if (verified.size >= VERIFIED_CACHE_SIZE) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = verified.keys().next();
      if (!oldest.done) verified.delete(oldest.value);
    }
    verified.set(token, { claims, expiresAtMs });
  }

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
      const known = verified.get(token);
      if (known) {
        if (nowMs < known.expiresAtMs) return known.claims;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: APP_JWT_ISSUER,
          audience: APP_JWT_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'iat'],
          currentDate: new Date(nowMs),
        });
        const { sub, role, fam, exp } = payload;
        if (
          typeof sub !== 'string' ||
          typeof fam !== 'string' ||
          typeof role !== 'string' ||
          !roles.includes(role)
        ) {
          throw new InvalidAccessToken('access token claims are malformed');
        }
        const claims: AccessClaims = { userId: sub, role: role as UserRole, familyId: fam };
        remember(token, claims, (exp as number) * 1000);
        return claims;
      } catch (error) {
        if (error instanceof InvalidAccessToken) throw error;
        if (error instanceof errors.JOSEError) throw new InvalidAccessToken(error.code);
        throw new InvalidAccessToken('access token could not be verified');
      }
    },
  };
}
