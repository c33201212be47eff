import type { EndReason } from '@attune/contract';

/** How LiveKit's DisconnectReason values are read here. */
export interface DisconnectReasons {
  roomDeleted: number;
  /** Reasons the framework itself closes the session for (the participant left, or was refused). */
  closedByFramework: ReadonlySet<number>;
  /** Reasons that end the conversation at once (an administrator removed the participant). */
  endNow: ReadonlySet<number>;
  /** Any other reason means the connection dropped: the participant may still come back. */
}

/** What the tracker needs to hear from the job: the room, and the job process's own messages. */
export interface EndReasonSources {
  /** The room disconnected this agent (`RoomEvent.Disconnected`). */
  onRoomDisconnected(listener: (reason: number | undefined) => void): void;
  /** A participant left the room (`RoomEvent.ParticipantDisconnected`). */
  onParticipantDisconnected(listener: (identity: string, reason: number | undefined) => void): void;
  /** A participant joined the room (`RoomEvent.ParticipantConnected`). */
  onParticipantConnected(listener: (identity: string) => void): void;
  /** The worker asked this job process to shut down (its IPC message). */
  onShutdownRequest(listener: () => void): void;
}

export interface EndReasonTracker {
  /** The reason to record for the session that just closed with `closeReason`. */
  reasonFor(closeReason: string): EndReason;
  /** Stops the reconnect timer and stops listening. */
  dispose(): void;
}

const FRAMEWORK_REASONS = new Set<string>(['user_initiated', 'participant_disconnected', 'error']);

/**
 * Finds out why a conversation really ended. @livekit/agents 1.9 closes the session with
 * `user_initiated` before it runs a job's shutdown callbacks, whether the worker is stopping or
 * the room was deleted; but the room's and the worker's own signals arrive before that close, so
 * this listens to them and answers the true reason when the session closes.
 *
 * It also ends conversations the framework would leave open: a participant whose connection
 * dropped (LiveKit reports them gone without a clean leave, and the framework waits for them until
 * the room closes) ends with `participant_gone` unless they are back within `reconnectWindowMs`;
 * one an administrator removed ends at once.
 */
export function trackEndReason(input: {
  identity: string;
  sources: EndReasonSources;
  reasons: DisconnectReasons;
  reconnectWindowMs: number;
  endConversation: (reason: EndReason) => void;
}): EndReasonTracker {
  let seen: EndReason | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let disposed = false;
  const note = (reason: EndReason) => {
    seen ??= reason;
  };

  input.sources.onShutdownRequest(() => note('job_shutdown'));
  input.sources.onRoomDisconnected((reason) => {
    if (reason === input.reasons.roomDeleted) note('room_deleted');
  });
  input.sources.onParticipantDisconnected((identity, reason) => {
    if (identity !== input.identity || disposed) return;
    if (reason === input.reasons.roomDeleted) {
      note('room_deleted');
      return;
    }
    if (reason !== undefined && input.reasons.closedByFramework.has(reason)) return;
    if (reason !== undefined && input.reasons.endNow.has(reason)) {
      note('participant_disconnected');
      input.endConversation('participant_disconnected');
      return;
    }
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      if (disposed) return;
      note('participant_gone');
      input.endConversation('participant_gone');
    }, input.reconnectWindowMs);
  });
  input.sources.onParticipantConnected((identity) => {
    if (identity === input.identity) clearTimeout(reconnectTimer);
  });

  return {
    reasonFor(closeReason) {
      if (seen) return seen;
      return FRAMEWORK_REASONS.has(closeReason) ? (closeReason as EndReason) : 'user_initiated';
    },
    dispose() {
      disposed = true;
      clearTimeout(reconnectTimer);
    },
  };
}
