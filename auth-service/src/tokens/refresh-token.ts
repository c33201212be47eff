import { createHash, randomBytes } from 'node:crypto';

/** A fresh opaque refresh token: 256 random bits. Only its hash is ever stored. */
export function newRefreshToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashRefreshToken(token) };
}

/** SHA-256 suits a 256-bit random token: there is nothing to brute-force, so no slow hash is needed. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
