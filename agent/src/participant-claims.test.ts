import { describe, expect, it } from 'vitest';
import { readParticipantClaims } from './participant-claims.ts';

describe('readParticipantClaims', () => {
  it('reads the user and session of a participant whose attributes match its identity', () => {
    expect(
      readParticipantClaims({
        identity: 'u-1',
        attributes: { 'attune.user_id': 'u-1', 'attune.session_id': 's-1' },
      }),
    ).toEqual({ ok: true, userId: 'u-1', sessionId: 's-1' });
  });

  it('refuses a participant whose attributes name another user', () => {
    expect(
      readParticipantClaims({
        identity: 'u-1',
        attributes: { 'attune.user_id': 'u-2', 'attune.session_id': 's-1' },
      }),
    ).toEqual({ ok: false, reason: 'identity_mismatch' });
  });

  it('refuses a participant without the attributes', () => {
    expect(readParticipantClaims({ identity: 'u-1', attributes: {} })).toEqual({
      ok: false,
      reason: 'missing_attributes',
    });
    expect(
      readParticipantClaims({ identity: 'u-1', attributes: { 'attune.user_id': 'u-1' } }),
    ).toEqual({
      ok: false,
      reason: 'missing_attributes',
    });
  });
});
