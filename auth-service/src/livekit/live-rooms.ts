import { ParticipantInfo_Kind, ParticipantInfo_State } from '@livekit/protocol';
import { type ParticipantInfo, type Room, RoomServiceClient } from 'livekit-server-sdk';
import { ATTRIBUTE_USER_ID } from '@attune/contract';
import type { Config } from '../config/config.ts';
import { liveKitApiUrl } from './participant-removal.ts';

export interface LiveParticipant {
  identity: string;
  name: string;
  /** The Attune user: the `attune.user_id` attribute our tokens carry, else a person's identity. */
  userId: string | null;
  joinedAtMs: number | null;
  /** `joining`, `joined`, `active` or `disconnected`. */
  state: string;
  /** `standard` (a person), `agent`, `sip`, `ingress`, `egress`… */
  kind: string;
}

export interface LiveRoom {
  name: string;
  createdAtMs: number | null;
  numParticipants: number;
  participants: LiveParticipant[];
}

/** LiveKit did not answer in time, could not be reached, or answered with an error. */
export class LiveKitUnavailableError extends Error {
  override name = 'LiveKitUnavailableError';
  constructor(
    /** The server API's address (LIVEKIT_URL as http). */
    readonly url: string,
    reason: string,
  ) {
    super(`LiveKit at ${url} could not list rooms: ${reason}`);
  }
}

/** A 404 from LiveKit: the room closed between listing it and listing its participants. */
const isNotFound = (error: unknown) => (error as { status?: number }).status === 404;

const enumName = (names: Record<number, string>, value: number) =>
  (names[value] ?? String(value)).toLowerCase();

/** int64 wire times: the millisecond field when LiveKit sends it, else the seconds one. */
function timeMs(ms: bigint, seconds: bigint): number | null {
  if (ms > 0n) return Number(ms);
  if (seconds > 0n) return Number(seconds) * 1000;
  return null;
}

function toParticipant(p: ParticipantInfo): LiveParticipant {
  const kind = enumName(ParticipantInfo_Kind, p.kind);
  return {
    identity: p.identity,
    name: p.name,
    userId: p.attributes[ATTRIBUTE_USER_ID] ?? (kind === 'standard' ? p.identity : null),
    joinedAtMs: timeMs(p.joinedAtMs, p.joinedAt),
    state: enumName(ParticipantInfo_State, p.state),
    kind,
  };
}

/**
 * The rooms LiveKit holds now, each with its participants, read through `RoomServiceClient`
 * (`ListRooms`, then `ListParticipants` per room, in parallel). The whole read has one deadline
 * (`livekit.apiTimeoutMs`); a failure, an error answer or the deadline throws
 * `LiveKitUnavailableError`, never an empty list that would pass for "no rooms".
 */
export async function listLiveRooms(livekit: Config['livekit']): Promise<LiveRoom[]> {
  const url = liveKitApiUrl(livekit.url);
  const client = new RoomServiceClient(url, livekit.apiKey, livekit.apiSecret, {
    requestTimeout: livekit.apiTimeoutMs / 1000,
  });
  const read = async (): Promise<LiveRoom[]> => {
    const rooms = await client.listRooms();
    return Promise.all(
      rooms.map(async (room: Room) => {
        const participants = await client.listParticipants(room.name).catch((error: unknown) => {
          if (isNotFound(error)) return [];
          throw error;
        });
        return {
          name: room.name,
          createdAtMs: timeMs(room.creationTimeMs, room.creationTime),
          numParticipants: room.numParticipants,
          participants: participants.map(toParticipant),
        };
      }),
    );
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new LiveKitUnavailableError(url, `no answer within ${livekit.apiTimeoutMs} ms`)),
      livekit.apiTimeoutMs,
    );
  });
  try {
    return await Promise.race([read(), deadline]);
  } catch (error) {
    if (error instanceof LiveKitUnavailableError) throw error;
    const status = (error as { status?: number }).status;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const message = [(error as Error).message || String(error), cause?.code ?? cause?.message]
      .filter(Boolean)
      .join(': ');
    throw new LiveKitUnavailableError(url, status ? `HTTP ${status}: ${message}` : message);
  } finally {
    clearTimeout(timer);
  }
}
