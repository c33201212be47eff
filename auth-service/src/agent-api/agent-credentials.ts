import { createHash, hkdfSync, timingSafeEqual } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';

const ISSUER = 'attune-auth';
const AUDIENCE = 'attune-agent-session';
const ALGORITHM = 'HS256';
/** Separates this key from every other use of JWT_SECRET (app access tokens sign with it directly). */
const KEY_INFO = 'attune agent session credential v1';

/** The one session, and its user, a session credential lets the agent act on. */
export interface SessionClaims {
  sessionId: string;
  userId: string;
}

export class InvalidAgentCredential extends Error {
  override name = 'InvalidAgentCredential';
  constructor(readonly reason: 'invalid' | 'expired') {
    super(`agent credential ${reason}`);
  }
}

export interface AgentCredentials {
  /** True when `token` is the agent secret (AGENT_API_SECRET); compared in constant time. */
  isAgentSecret(token: string): boolean;
  /** A credential for this one session, as the resolve call answers it. */
  issue(claims: SessionClaims, nowMs: number): Promise<{ credential: string; expiresAtMs: number }>;
  /** The session a credential names; throws InvalidAgentCredential when forged or expired. */
  verify(credential: string, nowMs: number): Promise<SessionClaims>;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** How many verified credentials `verify` remembers (one per conversation in progress; a few MB). */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * The two credentials of the internal agent API. The agent secret only lets a caller ask to
 * resolve a participant; what the service answers is a short JWT naming one session, signed with
 * a key derived from JWT_SECRET that the agent never holds, so an agent host cannot mint a
 * credential for a session it was not handed.
 */
export async function createAgentCredentials(settings: {
  agentSecret: string;
  jwtSecret: string;
  ttlMs: number;
}): Promise<AgentCredentials> {
  const secretDigest = digest(settings.agentSecret);
  const keyBytes = new Uint8Array(hkdfSync('sha256', settings.jwtSecret, '', KEY_INFO, 32));
  const key = await crypto.subtle.importKey(
    'raw',
    keyBytes,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const ttlSeconds = Math.max(1, Math.floor(settings.ttlMs / 1000));
  const verified = new Map<string, { claims: SessionClaims; expiresAtMs: number }>();
  const remember = (credential: string, claims: SessionClaims, expiresAtMs: number) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = verified.keys().next();
      if (!oldest.done) verified.delete(oldest.value);
    }
    verified.set(credential, { claims, expiresAtMs });
  };

  return {
    isAgentSecret: (token) => timingSafeEqual(digest(token), secretDigest),
    async issue({ sessionId, userId }, nowMs) {
      const iat = Math.floor(nowMs / 1000);
      const exp = iat + ttlSeconds;
      const credential = await new SignJWT({ uid: userId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(sessionId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { credential, expiresAtMs: exp * 1000 };
    },
    async verify(credential, nowMs) {
      // An agent presents the same credential on every call of a conversation, every few
      // seconds; checking its signature again gives the same answer until it expires.
      const known = verified.get(credential);
      if (known) {
        if (nowMs < known.expiresAtMs) return known.claims;
        verified.delete(credential);
        throw new InvalidAgentCredential('expired');
      }
      try {
        const { payload } = await jwtVerify(credential, key, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['sub', 'exp', 'iat'],
          currentDate: new Date(nowMs),
        });
        if (typeof payload.sub !== 'string' || typeof payload.uid !== 'string') {
          throw new InvalidAgentCredential('invalid');
        }
        const claims = { sessionId: payload.sub, userId: payload.uid };
        remember(credential, claims, (payload.exp ?? 0) * 1000);
        return claims;
      } catch (error) {
        if (error instanceof InvalidAgentCredential) throw error;
        if (error instanceof errors.JWTExpired) throw new InvalidAgentCredential('expired');
        throw new InvalidAgentCredential('invalid');
      }
    },
  };
}
