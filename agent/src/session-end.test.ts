import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { findUserSession } from '@attune/db';
import { openTempDatabase } from '@attune/db/testing';
import { createAssistant } from './assistant.ts';
import { endWithSession, recordSessionJoined, sessionEndRecorder } from './session-end.ts';
import {
  RecordingFakeLLM,
  initializeQuietAgentLogger,
  memoryOf,
  seedSessionUser,
  textOnlySession,
} from './testing/session-fixtures.ts';

let database: ReturnType<typeof openTempDatabase>;
beforeAll(initializeQuietAgentLogger);
beforeEach(() => {
  database = openTempDatabase();
});
afterEach(() => database.remove());

describe('recording the end of a session', () => {
  it('records the end with the close reason when the session closes, then ends the job', async () => {
    const user = seedSessionUser(database, { email: 'ends@example.org', fullName: 'Ends' });
    const joinedAtMs = Date.now() - 65_000;
    const session = textOnlySession(new RecordingFakeLLM());
    const ended = vi.fn();
    endWithSession(session, sessionEndRecorder(database, user, joinedAtMs), ended);
    expect(await recordSessionJoined(database, user, joinedAtMs)).toBe(true);
    expect(findUserSession(database.db, user.userId, user.session.id)).toMatchObject({
      status: 'active',
      sessionStart: joinedAtMs,
    });
    await session.start({
      agent: createAssistant({ user, memory: memoryOf(database, user), joinedAtMs }),
    });
    await session.close();

    await vi.waitFor(() => expect(ended).toHaveBeenCalledWith('user_initiated'));
    const row = findUserSession(database.db, user.userId, user.session.id);
    expect(row).toMatchObject({
      status: 'ended',
      sessionStart: joinedAtMs,
      endReason: 'user_initiated',
      endSource: 'agent',
    });
    expect(row?.durationSeconds).toBeGreaterThanOrEqual(65);
    expect(row?.durationSeconds).toBeLessThan(75);
  });

  it('keeps the first recorded end when the job shuts down afterwards', async () => {
    const user = seedSessionUser(database, { email: 'twice@example.org', fullName: 'Twice' });
    const recordEnd = sessionEndRecorder(database, user, 1_000);
    expect(await recordEnd('participant_disconnected', 31_000)).toBe(true);
    expect(await recordEnd('job_shutdown', 90_000)).toBe(false);
    expect(findUserSession(database.db, user.userId, user.session.id)).toMatchObject({
      sessionEnd: 31_000,
      durationSeconds: 30,
      endReason: 'participant_disconnected',
    });
  });
});
