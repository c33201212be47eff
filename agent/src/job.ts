/**
 * The agent definition each job process loads. The worker (main.ts) validates the same
 * environment before it registers, so a job process only re-reads what it was started with.
 */
import { AutoSubscribe, type JobContext, type JobProcess, defineAgent } from '@livekit/agents';
import { DisconnectReason, type RemoteParticipant, RoomEvent } from '@livekit/rtc-node';
import { type AssistantJobContext, runAssistantJob } from './assistant-job.ts';
import { AgentApiClient } from './attune-api/agent-api-client.ts';
import { type AgentConfig, loadAgentConfig } from './config.ts';
import { sessionModels } from './session-models.ts';

type JobProcessData = {
  config: AgentConfig;
  api: AgentApiClient;
};

/**
 * The message @livekit/agents 1.9's worker sends a job process it wants stopped (its IPC protocol,
 * ipc/message.ts: the worker is stopping, or LiveKit ended the job). It is not part of the
 * package's exports, which is why it is matched by shape here; the version is pinned.
 */
const isShutdownRequest = (message: unknown) =>
  (message as { case?: unknown } | null)?.case === 'shutdownRequest';

/** The framework's JobContext as the assistant job uses it. */
export function liveKitJob<T extends Record<string, unknown>>(
  ctx: JobContext<T>,
): AssistantJobContext {
  return {
    get roomName() {
      return ctx.room.name ?? ctx.job.room?.name ?? '';
    },
    connect: () => ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY),
    waitForParticipant: () => ctx.waitForParticipant(),
    startSession: (session, agent, participant, { listen }) =>
      session.start({
        agent,
        room: ctx.room,
        inputOptions: {
          participantIdentity: participant.identity,
          ...(listen ? {} : { audioEnabled: false, textEnabled: false }),
        },
      }),
    endReasonSources: {
      onRoomDisconnected: (listener) => ctx.room.on(RoomEvent.Disconnected, listener),
      onParticipantDisconnected: (listener) =>
        ctx.room.on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) =>
          listener(p.identity, p.disconnectReason),
        ),
      onParticipantConnected: (listener) =>
        ctx.room.on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) => listener(p.identity)),
      onShutdownRequest: (listener) =>
        process.on('message', (message) => {
          if (isShutdownRequest(message)) listener();
        }),
    },
    disconnectReasons: {
      roomDeleted: DisconnectReason.ROOM_DELETED,
      // The reasons @livekit/agents 1.9 closes the session for by itself (voice/room_io).
      closedByFramework: new Set([
        DisconnectReason.CLIENT_INITIATED,
        DisconnectReason.USER_REJECTED,
      ]),
      endNow: new Set([DisconnectReason.PARTICIPANT_REMOVED]),
    },
    shutdown: (reason) => ctx.shutdown(reason),
  };
}

export default defineAgent<JobProcessData>({
  prewarm: (proc: JobProcess<JobProcessData>) => {
    const config = loadAgentConfig(process.env);
    proc.userData.config = config;
    proc.userData.api = new AgentApiClient({
      baseUrl: config.attuneApi.url,
      agentSecret: config.attuneApi.secret,
      timeoutMs: config.attuneApi.timeoutMs,
      retries: config.attuneApi.retries,
    });
  },
  entry: (ctx: JobContext<JobProcessData>) => {
    const { config, api } = ctx.proc.userData;
    return runAssistantJob(liveKitJob(ctx), {
      api,
      models: sessionModels(config),
      reconnectWindowMs: config.reconnectWindowMs,
    });
  },
});
