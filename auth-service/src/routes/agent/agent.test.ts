// The internal agent API on its own listener, against a real SQLite file: what a resolved
// participant gets, what each session call does, and every refusal, with nothing written.
import { request } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT_API_LIMITS,
  type AppendTurnsResponse,
  type ErrorBody,
  type RecallResponse,
  type ResolveParticipantResponse,
  type ResolvedParticipant,
  agentApiPaths,
} from '@attune/contract';
import {
  type ConversationTurn,
  findUserSession,
  insertConversationTurn,
  listPreferences,
  savePreference,
  setUserStatus,
  terminateSession,
  updateSessionTimeline,
} from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import {
  type MintedParticipant,
  TEST_AGENT_API_SECRET,
  type TestServer,
  agentApiRequest,
  jsonPost,
  mintParticipant,
  registerUser,
  resolveThroughAgentApi,
  startTestServer,
} from '../../testing/index.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ MAX_PREFERENCES_PER_USER: '3' });
});
afterAll(async () => {
  await server.close();
});

async function resolved(participant: MintedParticipant): Promise<ResolvedParticipant> {
  const response = await resolveThroughAgentApi(server, participant);
  expect(response.status).toBe(200);
  const body = (await response.json()) as ResolveParticipantResponse;
  if (body.outcome !== 'resolved') throw new Error(`refused: ${body.reason}`);
  return body;
}

/** A registered user with a minted room token, resolved the way the agent does at job start. */
async function liveSession(name = 'Ada Lovelace') {
  const user = await registerUser(server, { full_name: name });
  const participant = await mintParticipant(server, user.accessToken);
  return { user, participant, resolution: await resolved(participant) };
}

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  return ((await response.json()) as ErrorBody).error;
}

/**
 * POSTs on a connection of its own: the service answers an oversized body before reading it and
 * closes that connection, which must not break the next request of the test.
 */
function postOnFreshConnection(url: string, credential: string, body: unknown): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    });
    outgoing.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve(
          new Response(Buffer.concat(chunks), {
            status: incoming.statusCode ?? 0,
            headers: { 'content-type': String(incoming.headers['content-type'] ?? '') },
          }),
        ),
      );
    });
    // The service may close the connection before the whole body is written.
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    outgoing.end(JSON.stringify(body));
  });
}

/** LiveKit's webhook reported the participant gone at `endedAtMs`, a minute after joining. */
function endedByLiveKit(sessionId: string, endedAtMs: number): void {
  updateSessionTimeline(server.database.db, sessionId, {
    sessionStart: endedAtMs - 60_000,
    lastJoinAt: endedAtMs - 60_000,
    sessionEnd: endedAtMs,
    durationSeconds: 60,
    status: 'ended',
    endReason: 'participant_left',
    endSource: 'livekit',
  });
}

const call = (path: string, credential: string | null, body?: unknown, method?: string) =>
  agentApiRequest(server, path, { credential, body, ...(method ? { method } : {}) });

describe('resolving a participant', () => {
  it('answers the name, preferences, bounded history, earlier sessions and a session credential', async () => {
    const user = await registerUser(server, { full_name: 'Grace Hopper' });
    const db = server.database.db;
    savePreference(db, { userId: user.id, key: 'units', value: 'metric', maxPerUser: 10 }, 5);
    insertConversationTurn(
      db,
      { userId: user.id, sessionId: null, role: 'user', text: 'plan a trip to Lisbon' },
      7,
    );
    const participant = await mintParticipant(server, user.accessToken);
    const body = await resolved(participant);

    expect(body.session).toMatchObject({
      id: participant.sessionId,
      room_name: participant.room_name,
    });
    expect(body.user).toEqual({ display_name: 'Grace Hopper', memory: true });
    expect(body.preferences).toEqual([{ key: 'units', value: 'metric', updated_at_ms: 5 }]);
    expect(body.history).toEqual([
      { role: 'user', text: 'plan a trip to Lisbon', created_at_ms: 7 },
    ]);
    expect(body.earlier_sessions).toBe(0);
    expect(body.limits).toEqual({ max_preferences: 3 });
    expect(body.credential_expires_at_ms).toBeGreaterThan(Date.now());
    expect(JSON.stringify(body)).not.toContain(user.email);
  });

  it('gives a guest no memory', async () => {
    const response = await jsonPost(server, '/auth/guest', {});
    const guest = (await response.json()) as { access_token: string };
    const participant = await mintParticipant(server, guest.access_token);
    const body = await resolved(participant);
    expect(body.user.memory).toBe(false);
    expect(body.preferences).toEqual([]);
    expect(body.earlier_sessions).toBeNull();
    const preferences = await call(
      agentApiPaths.preferences(participant.sessionId),
      body.credential,
    );
    expect(preferences.status).toBe(403);
    expect((await errorOf(preferences)).code).toBe('memory_unavailable');
  });

  it('refuses participants it cannot serve, with the reason', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const aliceJoined = await mintParticipant(server, alice.accessToken);
    const bobJoined = await mintParticipant(server, bob.accessToken);
    const reasonFor = async (participant: Parameters<typeof resolveThroughAgentApi>[1]) =>
      ((await (await resolveThroughAgentApi(server, participant)).json()) as { reason?: string })
        .reason;

    expect(await reasonFor({ ...aliceJoined, attributes: {} })).toBe('missing_attributes');
    expect(
      await reasonFor({
        ...aliceJoined,
        attributes: { ...aliceJoined.attributes, 'attune.user_id': bob.id },
      }),
    ).toBe('identity_mismatch');
    expect(
      await reasonFor({
        ...aliceJoined,
        attributes: { ...aliceJoined.attributes, 'attune.session_id': bobJoined.sessionId },
      }),
    ).toBe('unknown_session');
    expect(
      await reasonFor({
        room_name: 'r',
        identity: 'nobody',
        attributes: { 'attune.user_id': 'nobody', 'attune.session_id': 's' },
      }),
    ).toBe('unknown_user');
    expect(await reasonFor({ ...aliceJoined, room_name: bobJoined.room_name })).toBe(
      'room_mismatch',
    );

    terminateSession(server.database.db, bobJoined.sessionId, Date.now());
    expect(await reasonFor(bobJoined)).toBe('session_ended');
    const aliceAgain = await mintParticipant(server, alice.accessToken);
    setUserStatus(server.database.db, alice.id, 'suspended');
    expect(await reasonFor(aliceAgain)).toBe('suspended');
  });

  it('audits a refusal once a minute at most, however often an agent asks', async () => {
    const auditRows = () =>
      (
        snapshotTables(server.database.db).audit_log as { action: string; target: string | null }[]
      ).filter((row) => row.action === 'agent_refused' && row.target === 'no-such-session');
    const unknown = {
      room_name: 'r',
      identity: 'nobody',
      attributes: { 'attune.user_id': 'nobody', 'attune.session_id': 'no-such-session' },
    };
    for (let i = 0; i < 5; i += 1) await resolveThroughAgentApi(server, unknown);
    expect(auditRows()).toHaveLength(1);
  });

  it('takes only the Attune attributes, as ids, and a room name of visible text', async () => {
    const account = await registerUser(server);
    const participant = await mintParticipant(server, account.accessToken);
    for (const bad of [
      { ...participant, attributes: { ...participant.attributes, 'lk.other': 'x' } },
      { ...participant, attributes: { 'attune.user_id': 'bad id', 'attune.session_id': 'x' } },
      { ...participant, room_name: 'r\u0000' },
      { ...participant, identity: 'i\u202e' },
    ]) {
      const response = await resolveThroughAgentApi(server, bad);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('validation_failed');
    }
  });

  it('refuses a join past the user’s limit of conversations in progress', async () => {
    const limited = await startTestServer({ MAX_SESSIONS_PER_USER: '1' });
    try {
      const user = await registerUser(limited);
      const first = await mintParticipant(limited, user.accessToken);
      const second = await mintParticipant(limited, user.accessToken);
      const firstResolution = (await (
        await resolveThroughAgentApi(limited, first)
      ).json()) as ResolvedParticipant;
      const joined = await agentApiRequest(limited, agentApiPaths.join(first.sessionId), {
        credential: firstResolution.credential,
        body: { joined_at_ms: Date.now() },
      });
      expect(await joined.json()).toEqual({ recorded: true });
      // The session in progress itself does not count against it…
      expect(
        ((await (await resolveThroughAgentApi(limited, first)).json()) as { outcome: string })
          .outcome,
      ).toBe('resolved');
      // …but a second conversation is refused.
      expect(await (await resolveThroughAgentApi(limited, second)).json()).toEqual({
        outcome: 'refused',
        reason: 'session_limit',
      });
    } finally {
      await limited.close();
    }
  });
});

describe('calls about one session', () => {
  it('records the join and the end with the reason the agent saw; the first end stands', async () => {
    const { user, participant, resolution } = await liveSession();
    const { sessionId } = participant;
    // The service keeps reported times within the session's life (issued … now): let two minutes pass.
    server.advanceClock(120_000);
    const joinedAtMs = Date.now() + 10_000;
    const join = await call(agentApiPaths.join(sessionId), resolution.credential, {
      joined_at_ms: joinedAtMs,
    });
    expect(await join.json()).toEqual({ recorded: true });
    expect(findUserSession(server.database.db, user.id, sessionId)).toMatchObject({
      status: 'active',
      sessionStart: joinedAtMs,
    });
    const end = (reason: string, endedAtMs: number) =>
      call(agentApiPaths.end(sessionId), resolution.credential, {
        reason,
        joined_at_ms: joinedAtMs,
        ended_at_ms: endedAtMs,
      });
    expect(await (await end('job_shutdown', joinedAtMs + 60_000)).json()).toEqual({
      recorded: true,
    });
    expect(await (await end('user_initiated', joinedAtMs + 70_000)).json()).toEqual({
      recorded: false,
    });
    server.advanceClock(-120_000);
    expect(findUserSession(server.database.db, user.id, sessionId)).toMatchObject({
      status: 'ended',
      endReason: 'job_shutdown',
      endSource: 'agent',
      durationSeconds: 60,
    });
  });

  it('keeps reported times within the session’s life', async () => {
    const { user, participant, resolution } = await liveSession();
    const issuedAtMs = resolution.session.issued_at_ms;
    await call(agentApiPaths.join(participant.sessionId), resolution.credential, {
      joined_at_ms: 0,
    });
    const end = await call(agentApiPaths.end(participant.sessionId), resolution.credential, {
      reason: 'user_initiated',
      joined_at_ms: 0,
      ended_at_ms: Date.now() + 86_400_000,
    });
    expect(end.status).toBe(200);
    const row = findUserSession(server.database.db, user.id, participant.sessionId);
    expect(row?.sessionStart).toBe(issuedAtMs);
    expect(row?.sessionEnd).toBeLessThanOrEqual(Date.now());
  });

  it('never records a join after its token expired, nor a session longer than the longest one', async () => {
    const { user, participant, resolution } = await liveSession();
    const issuedAtMs = resolution.session.issued_at_ms;
    const { maxSessionMs } = server.config.sessions;
    // A join reported far in the future is a join now, at the latest.
    await call(agentApiPaths.join(participant.sessionId), resolution.credential, {
      joined_at_ms: Date.now() + 9 * 3_600_000,
    });
    const joined = findUserSession(server.database.db, user.id, participant.sessionId)!;
    expect(joined.sessionStart).toBeGreaterThanOrEqual(issuedAtMs);
    expect(joined.sessionStart).toBeLessThanOrEqual(Date.now());
    // A minute past the longest session (the credential covers it, plus the grace), an end
    // reported now is kept to the longest session.
    const later = maxSessionMs + 60_000;
    server.advanceClock(later);
    try {
      const end = await call(agentApiPaths.end(participant.sessionId), resolution.credential, {
        reason: 'user_initiated',
        joined_at_ms: 0,
        ended_at_ms: Date.now() + later, // the service's now
      });
      expect(await end.json()).toEqual({ recorded: true });
    } finally {
      server.advanceClock(-later);
    }
    const row = findUserSession(server.database.db, user.id, participant.sessionId)!;
    expect(row.sessionStart).toBe(joined.sessionStart);
    expect(row.sessionEnd! - row.sessionStart!).toBe(maxSessionMs);
  });

  it('refuses a join once the session’s token could no longer admit anyone', async () => {
    const { participant, resolution } = await liveSession();
    const tooLateMs =
      server.config.livekit.tokenTtlMs + server.config.agentApi.sessionGraceMs + 1_000;
    server.advanceClock(tooLateMs);
    try {
      const join = await call(agentApiPaths.join(participant.sessionId), resolution.credential, {
        joined_at_ms: Date.now(),
      });
      expect(join.status).toBe(403);
      expect((await errorOf(join)).code).toBe('session_closed');
    } finally {
      server.advanceClock(-tooLateMs);
    }
  });

  it('renews nothing for an old session: its ids no longer resolve once it is long over', async () => {
    const ended = await liveSession();
    const endedAtMs = Date.now();
    endedByLiveKit(ended.participant.sessionId, endedAtMs);
    const unused = await liveSession();
    const windowMs = Math.max(
      server.config.agentApi.sessionGraceMs,
      server.config.livekit.tokenTtlMs,
    );
    // Within the window a reconnect with the same token still resolves…
    expect(
      (await (await resolveThroughAgentApi(server, ended.participant)).json()) as {
        outcome: string;
      },
    ).toMatchObject({
      outcome: 'resolved',
    });
    server.advanceClock(windowMs + server.config.agentApi.sessionGraceMs + 1_000);
    try {
      // …past it, neither the ended session nor one never joined does.
      for (const { participant } of [ended, unused]) {
        expect(await (await resolveThroughAgentApi(server, participant)).json()).toEqual({
          outcome: 'refused',
          reason: 'session_expired',
        });
      }
      const turns = await call(
        agentApiPaths.turns(unused.participant.sessionId),
        unused.resolution.credential,
        {
          turns: [{ id: 'late', role: 'user', text: 'too late', created_at_ms: Date.now() }],
        },
      );
      expect(turns.status).toBe(403);
      expect((await errorOf(turns)).code).toBe('session_closed');
    } finally {
      server.advanceClock(-(windowMs + server.config.agentApi.sessionGraceMs + 1_000));
    }
  });

  it('remembers, lists and forgets preferences under their one spelling, within the limit', async () => {
    const { user, participant, resolution } = await liveSession();
    const { sessionId } = participant;
    const remember = async (key: string, value: string) =>
      (await call(agentApiPaths.remember(sessionId), resolution.credential, { key, value })).json();

    expect(await remember('Answer_Length', 'short')).toEqual({
      outcome: 'saved',
      key: 'answer length',
      value: 'short',
    });
    expect(await remember('  _ ', 'x')).toEqual({ outcome: 'invalid_key' });
    await remember('units', 'metric');
    await remember('city', 'Lisbon');
    expect(await remember('colour', 'green')).toEqual({
      outcome: 'limit_reached',
      key: 'colour',
      max_preferences: 3,
    });
    // Replacing a key is not a new key.
    expect(await remember('units', 'imperial')).toMatchObject({ outcome: 'saved' });

    const listed = await call(agentApiPaths.preferences(sessionId), resolution.credential);
    expect(
      ((await listed.json()) as { preferences: { key: string; value: string }[] }).preferences.map(
        (p) => `${p.key}=${p.value}`,
      ),
    ).toEqual(['answer length=short', 'city=Lisbon', 'units=imperial']);

    const forget = async (key: string) =>
      (await call(agentApiPaths.forget(sessionId), resolution.credential, { key })).json();
    expect(await forget('CITY')).toEqual({ forgotten: true, key: 'city' });
    expect(await forget('city')).toEqual({ forgotten: false, key: 'city' });
    expect(listPreferences(server.database.db, user.id).map((p) => p.key)).toEqual([
      'answer length',
      'units',
    ]);
  });

  it('recalls only the session user’s own earlier turns', async () => {
    const alice = await liveSession('Alice');
    const bob = await liveSession('Bob');
    const db = server.database.db;
    insertConversationTurn(
      db,
      { userId: bob.user.id, sessionId: null, role: 'user', text: 'my secret project Zephyr' },
      10,
    );
    insertConversationTurn(
      db,
      { userId: alice.user.id, sessionId: null, role: 'user', text: 'the Zephyr train to Denver' },
      20,
    );
    const recall = async (words: string[]) =>
      (await (
        await call(agentApiPaths.recall(alice.participant.sessionId), alice.resolution.credential, {
          words,
        })
      ).json()) as RecallResponse;

    expect(await recall(['zephyr'])).toEqual({
      scope: 'search',
      turns: [{ role: 'user', text: 'the Zephyr train to Denver', created_at_ms: 20 }],
    });
    expect((await recall(['secret'])).turns).toEqual([]);
    expect(await recall([])).toEqual({ scope: 'previous_conversation', turns: [] });
  });

  it('stores a batch of turns once, however often it is sent', async () => {
    const { user, participant, resolution } = await liveSession();
    const path = agentApiPaths.turns(participant.sessionId);
    const batch = {
      turns: [
        { id: 't-1', role: 'user', text: 'Hello\nthere', created_at_ms: Date.now() - 2_000 },
        { id: 't-2', role: 'assistant', text: 'Hi, Ada.', created_at_ms: Date.now() - 1_000 },
      ],
    };
    const first = (await (
      await call(path, resolution.credential, batch)
    ).json()) as AppendTurnsResponse;
    expect(first).toEqual({ stored: 2, duplicates: 0 });
    const retried = (await (
      await call(path, resolution.credential, {
        turns: [
          ...batch.turns,
          { id: 't-3', role: 'user', text: 'Bye', created_at_ms: Date.now() },
        ],
      })
    ).json()) as AppendTurnsResponse;
    expect(retried).toEqual({ stored: 1, duplicates: 2 });
    const rows = (snapshotTables(server.database.db).conversation_turns as ConversationTurn[])
      .filter((turn) => turn.userId === user.id)
      .map((turn) => ({ role: turn.role, text: turn.text, session_id: turn.sessionId }));
    expect(rows).toEqual([
      { role: 'user', text: 'Hello\nthere', session_id: participant.sessionId },
      { role: 'assistant', text: 'Hi, Ada.', session_id: participant.sessionId },
      { role: 'user', text: 'Bye', session_id: participant.sessionId },
    ]);
  });
});

describe('refusals of the internal agent API, with nothing written', () => {
  /** Runs `attempt` and checks its status and code, and that no table changed. */
  async function refused(attempt: () => Promise<Response>, status: number, code: string) {
    const before = snapshotTables(server.database.db);
    const response = await attempt();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await errorOf(response)).code).toBe(code);
    expect(snapshotTables(server.database.db)).toEqual(before);
  }

  const turnsBody = { turns: [{ id: 'x-1', role: 'user', text: 'hello', created_at_ms: 1 }] };

  it('answers 401 to a missing, forged or expired credential on every path, known or not', async () => {
    const { participant, resolution } = await liveSession();
    const known = agentApiPaths.turns(participant.sessionId);
    const paths = [known, agentApiPaths.resolveParticipant, '/agent/v1/no/such/path', '/agent/v1/'];
    const forgedPayload = { sub: participant.sessionId, uid: participant.identity };
    const wrongKey = await new SignJWT(forgedPayload)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('attune-auth')
      .setAudience('attune-agent-session')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(server.config.jwtSecret));
    const tampered = `${resolution.credential.slice(0, -4)}AAAA`;

    for (const path of paths) {
      await refused(() => call(path, null, turnsBody), 401, 'credential_missing');
      await refused(() => call(path, 'not-the-secret', turnsBody), 401, 'credential_invalid');
      await refused(() => call(path, wrongKey, turnsBody), 401, 'credential_invalid');
      await refused(() => call(path, tampered, turnsBody), 401, 'credential_invalid');
      await refused(
        () => call(path, server.config.livekit.apiSecret, turnsBody),
        401,
        'credential_invalid',
      );
    }
    server.advanceClock(server.config.agentApi.credentialTtlMs + 1_000);
    try {
      await refused(() => call(known, resolution.credential, turnsBody), 401, 'credential_expired');
    } finally {
      server.advanceClock(-(server.config.agentApi.credentialTtlMs + 1_000));
    }
  });

  it('answers 404 to a valid credential on an unknown path, and 401 with the wrong kind', async () => {
    const { participant, resolution } = await liveSession();
    await refused(() => call('/agent/v1/no/such/path', resolution.credential), 404, 'not_found');
    await refused(
      () => call(agentApiPaths.resolveParticipant, resolution.credential, participant),
      401,
      'agent_secret_required',
    );
    await refused(
      () => call(agentApiPaths.turns(participant.sessionId), TEST_AGENT_API_SECRET, turnsBody),
      401,
      'session_credential_required',
    );
  });

  it('answers 403 to a session credential used for another session', async () => {
    const alice = await liveSession('Alice');
    const bob = await liveSession('Bob');
    const bobsPaths = [
      agentApiPaths.turns(bob.participant.sessionId),
      agentApiPaths.remember(bob.participant.sessionId),
      agentApiPaths.join(bob.participant.sessionId),
    ];
    for (const path of bobsPaths) {
      await refused(
        () =>
          call(path, alice.resolution.credential, {
            ...turnsBody,
            key: 'k',
            value: 'v',
            joined_at_ms: 1,
          }),
        403,
        'session_mismatch',
      );
    }
    await refused(
      () => call(agentApiPaths.preferences(bob.participant.sessionId), alice.resolution.credential),
      403,
      'session_mismatch',
    );
  });

  it('answers 403 once the session was terminated, ended past the grace, or the user suspended', async () => {
    const terminated = await liveSession();
    terminateSession(server.database.db, terminated.participant.sessionId, Date.now());
    await refused(
      () =>
        call(
          agentApiPaths.turns(terminated.participant.sessionId),
          terminated.resolution.credential,
          turnsBody,
        ),
      403,
      'session_closed',
    );

    const ended = await liveSession();
    const windowMs = Math.max(
      server.config.agentApi.sessionGraceMs,
      server.config.livekit.tokenTtlMs,
    );
    const endedAtMs = Date.now() - windowMs - 1_000;
    endedByLiveKit(ended.participant.sessionId, endedAtMs);
    await refused(
      () =>
        call(
          agentApiPaths.turns(ended.participant.sessionId),
          ended.resolution.credential,
          turnsBody,
        ),
      403,
      'session_closed',
    );

    const suspended = await liveSession();
    setUserStatus(server.database.db, suspended.user.id, 'suspended');
    await refused(
      () =>
        call(
          agentApiPaths.turns(suspended.participant.sessionId),
          suspended.resolution.credential,
          turnsBody,
        ),
      403,
      'account_suspended',
    );
  });

  it('still takes the last turns of a session LiveKit reported ended within the grace', async () => {
    const { participant, resolution } = await liveSession();
    const endedAtMs = Date.now() - 5_000;
    endedByLiveKit(participant.sessionId, endedAtMs);
    const response = await call(
      agentApiPaths.turns(participant.sessionId),
      resolution.credential,
      turnsBody,
    );
    expect(await response.json()).toEqual({ stored: 1, duplicates: 0 });
  });

  it('answers 413 to a batch over the limit or a body over the size limit, storing none of it', async () => {
    const { participant, resolution } = await liveSession();
    const path = agentApiPaths.turns(participant.sessionId);
    const turns = Array.from({ length: AGENT_API_LIMITS.maxTurnsPerBatch + 1 }, (_, i) => ({
      id: `t-${i}`,
      role: 'user',
      text: 'hello',
      created_at_ms: 1,
    }));
    await refused(() => call(path, resolution.credential, { turns }), 413, 'batch_too_large');
    const huge = {
      turns: [
        {
          id: 'big',
          role: 'user',
          text: 'x'.repeat(AGENT_API_LIMITS.maxBodyBytes),
          created_at_ms: 1,
        },
      ],
    };
    await refused(
      () => postOnFreshConnection(`${server.internalUrl}${path}`, resolution.credential, huge),
      413,
      'payload_too_large',
    );
  });

  it('answers 400 to malformed or invalid bodies', async () => {
    const { participant, resolution } = await liveSession();
    const path = agentApiPaths.turns(participant.sessionId);
    const bad = (turn: Record<string, unknown>) => ({
      turns: [{ id: 'ok', role: 'user', text: 'hello', created_at_ms: 1, ...turn }],
    });
    await refused(
      () => call(path, resolution.credential, bad({ role: 'system' })),
      400,
      'validation_failed',
    );
    await refused(
      () => call(path, resolution.credential, bad({ id: 'has space' })),
      400,
      'validation_failed',
    );
    await refused(
      () => call(path, resolution.credential, bad({ text: 'a\u202Eb' })),
      400,
      'validation_failed',
    );
    await refused(
      () => call(path, resolution.credential, bad({ text: 'a\u0007b' })),
      400,
      'validation_failed',
    );
    await refused(
      () => call(path, resolution.credential, bad({ extra: 1 })),
      400,
      'validation_failed',
    );
    await refused(
      () =>
        fetch(`${server.internalUrl}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${resolution.credential}`,
            'content-type': 'application/json',
          },
          body: '{"turns": [',
        }),
      400,
      'invalid_json',
    );
  });

  it('is not served on the public port', async () => {
    const { participant, resolution } = await liveSession();
    const response = await server.fetch(agentApiPaths.turns(participant.sessionId), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${resolution.credential}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(turnsBody),
    });
    expect(response.status).toBe(404);
    const resolve = await server.fetch(agentApiPaths.resolveParticipant, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.config.agentApi.secret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(participant),
    });
    expect(resolve.status).toBe(404);
  });
});
