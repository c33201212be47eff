import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../webhook-delivery.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);

/** A deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * For each session: a join, a quick reconnect (the first connection's leave arrives after the
 * second's join), the final leave, a redelivery of that leave; every third room then finishes.
 */
function eventsFor(count: number): WebhookDelivery[] {
  const events: WebhookDelivery[] = [];
  for (let i = 0; i < count; i++) {
    const roomName = `room-${i}`;
    const base = { kind: 'participant', roomName, identity: 'ana', sessionId: `s${i}` } as const;
    const joined = T0 + i * 1000;
    const rejoined = joined + 30_000;
    const left = rejoined + 60_000 + i;
    events.push(
      {
        eventId: `${i}-j1`,
        eventName: 'participant_joined',
        change: { ...base, event: { type: 'joined', joinedAtMs: joined } },
      },
      {
        eventId: `${i}-j2`,
        eventName: 'participant_joined',
        change: { ...base, event: { type: 'joined', joinedAtMs: rejoined } },
      },
      {
        eventId: `${i}-l1`,
        eventName: 'participant_left',
        change: {
          ...base,
          event: {
            type: 'left',
            joinedAtMs: joined,
            leftAtMs: rejoined + 1000,
            reason: 'participant_left',
          },
        },
      },
      {
        eventId: `${i}-l2`,
        eventName: 'participant_left',
        change: {
          ...base,
          event: { type: 'left', joinedAtMs: rejoined, leftAtMs: left, reason: 'participant_left' },
        },
      },
    );
    events.push({ ...events.at(-1)! });
    if (i % 3 === 0)
      events.push({
        eventId: `${i}-rf`,
        eventName: 'room_finished',
        change: { kind: 'room_finished', roomName, finishedAtMs: left + 5000 },
      });
  }
  return events;
}

describe.each(STORE_ENGINES)('webhook ingestion on %s', (engine) => {
  let t: TestStore;
  const sessions = 40;

  async function seeded(store: TestStore) {
    await store.addUser('ana');
    await store.addSessions(
      Array.from({ length: sessions }, (_, i) => ({
        id: `s${i}`,
        userId: 'ana',
        roomName: `room-${i}`,
        participantIdentity: 'ana',
        issuedAt: T0 - 1000,
      })),
    );
    return store;
  }

  beforeEach(async () => {
    t = await seeded(await openTestStore(engine));
  });
  afterEach(() => t.close());

  it('records a join, a reconnect and a leave as one session with its true duration', async () => {
    const outcomes = [];
    for (const delivery of eventsFor(1))
      outcomes.push(await t.store.sessionTimeline.ingestWebhook(delivery, T0));
    // The room finishing after the session ended changes nothing.
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied', 'duplicate', 'ignored']);
    const [session] = await t.sessions();
    expect(session).toMatchObject({
      sessionStart: T0,
      sessionEnd: T0 + 90_000,
      durationSeconds: 90,
      status: 'ended',
      endReason: 'participant_left',
      endSource: 'livekit',
    });
  });

  it('ignores events about no session, but remembers their ids', async () => {
    const about = { eventId: 'x1', eventName: 'participant_joined' };
    const stranger = {
      kind: 'participant',
      roomName: 'room-0',
      identity: 'eve',
      sessionId: undefined,
      event: { type: 'joined', joinedAtMs: T0 },
    } as const;
    expect(await t.store.sessionTimeline.ingestWebhook({ ...about, change: stranger }, T0)).toBe(
      'ignored',
    );
    expect(await t.store.sessionTimeline.ingestWebhook({ ...about, change: stranger }, T0)).toBe(
      'duplicate',
    );
    expect(
      await t.store.sessionTimeline.ingestWebhook(
        { eventId: 'x2', eventName: 'track_published', change: { kind: 'none' } },
        T0,
      ),
    ).toBe('ignored');
    expect((await t.sessions()).every((s) => s.status === 'issued')).toBe(true);
  });

  it('gives the same sessions when the events arrive shuffled, at once, over two replicas', async () => {
    const events = eventsFor(sessions);
    for (const delivery of events) await t.store.sessionTimeline.ingestWebhook(delivery, T0);
    const inOrder = await t.sessions();

    const other = await seeded(await openTestStore(engine));
    try {
      const replicas = [other.store, await other.replica()];
      const outcomes = await Promise.all(
        shuffled(events, 7).map((delivery, i) =>
          replicas[i % 2]!.sessionTimeline.ingestWebhook(delivery, T0),
        ),
      );
      expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(sessions);
      expect(await other.sessions()).toEqual(inOrder);
    } finally {
      await other.close();
    }
    expect(inOrder.filter((s) => s.status === 'ended')).toHaveLength(sessions);
  });
});
