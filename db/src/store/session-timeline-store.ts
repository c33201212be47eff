import type { AttuneDatabase, Db } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  insertWebhookEventPg,
  lockOpenSessionsInRoomPg,
  lockParticipantSessionPg,
  updateSessionTimelinePg,
} from '../postgres/session-timeline.ts';
import { runUnit } from '../postgres/transaction.ts';
import {
  findParticipantSession,
  insertWebhookEvent,
  openSessionsInRoom,
  updateSessionTimeline,
} from '../queries/session-timeline.ts';
import { applyTimelineEvent } from '../session-timeline-rules.ts';
import type { IngestOutcome, WebhookDelivery } from '../webhook-delivery.ts';

/** The true start, end and duration of sessions, as LiveKit's webhooks report them. */
export interface SessionTimelineStore {
  /**
   * Applies one LiveKit event to the sessions it concerns and remembers its id, in one unit: a
   * redelivery changes nothing, and a failed event is not remembered, so LiveKit's retry applies
   * in full. The result does not depend on the order events arrive in, on any replica.
   */
  ingestWebhook(delivery: WebhookDelivery, nowMs: number): Promise<IngestOutcome>;
}

function ingestSqlite(db: Db, delivery: WebhookDelivery, nowMs: number): IngestOutcome {
  if (!insertWebhookEvent(db, { id: delivery.eventId, event: delivery.eventName }, nowMs))
    return 'duplicate';
  const { change } = delivery;
  if (change.kind === 'room_finished') {
    const open = openSessionsInRoom(db, change.roomName);
    const event = { type: 'room_finished', finishedAtMs: change.finishedAtMs } as const;
    for (const session of open)
      updateSessionTimeline(db, session.id, applyTimelineEvent(session, event));
    return open.length > 0 ? 'applied' : 'ignored';
  }
  if (change.kind === 'none') return 'ignored';
  const session = findParticipantSession(db, change);
  if (!session) return 'ignored';
  updateSessionTimeline(db, session.id, applyTimelineEvent(session, change.event));
  return 'applied';
}

/** SQLite: one unit of the group commit; SQLite's single writer orders the events. */
export function sqliteSessionTimelineStore({ groupCommit }: AttuneDatabase): SessionTimelineStore {
  return {
    ingestWebhook: (delivery, nowMs) => groupCommit.run((tx) => ingestSqlite(tx, delivery, nowMs)),
  };
}

/**
 * PostgreSQL: the sessions an event changes are locked before they are read, so two replicas
 * folding events of one session take turns, each starting from the other's result.
 */
export function postgresSessionTimelineStore({ db }: PostgresDatabase): SessionTimelineStore {
  return {
    ingestWebhook: (delivery, nowMs) =>
      runUnit(db, async (tx): Promise<IngestOutcome> => {
        const { eventId: id, eventName: event, change } = delivery;
        if (!(await insertWebhookEventPg(tx, { id, event }, nowMs))) return 'duplicate';
        if (change.kind === 'room_finished') {
          const open = await lockOpenSessionsInRoomPg(tx, change.roomName);
          const finished = { type: 'room_finished', finishedAtMs: change.finishedAtMs } as const;
          for (const session of open)
            await updateSessionTimelinePg(tx, session.id, applyTimelineEvent(session, finished));
          return open.length > 0 ? 'applied' : 'ignored';
        }
        if (change.kind === 'none') return 'ignored';
        const session = await lockParticipantSessionPg(tx, change);
        if (!session) return 'ignored';
        await updateSessionTimelinePg(tx, session.id, applyTimelineEvent(session, change.event));
        return 'applied';
      }),
  };
}
