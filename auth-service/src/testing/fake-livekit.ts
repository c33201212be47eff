import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Stands in for LiveKit's Twirp API on loopback and keeps every request it got. */
export interface FakeLiveKit {
  server: Server;
  /** LIVEKIT_URL pointing at the stand-in. */
  url: string;
  requests: { path: string; authorization: string; body: Record<string, unknown> }[];
  /** Identities LiveKit should answer "not found" for. */
  absent: Set<string>;
  close(): Promise<void>;
}

/** The Twirp path of `RoomService/RemoveParticipant`. */
export const REMOVE_PARTICIPANT_PATH = '/twirp/livekit.RoomService/RemoveParticipant';

/** Keeps one request and answers it as LiveKit would. */
async function answerLiveKit(
  fake: FakeLiveKit,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
  fake.requests.push({
    path: req.url ?? '',
    authorization: req.headers.authorization ?? '',
    body,
  });
  res.setHeader('content-type', 'application/json');
  if (fake.absent.has(String(body.identity))) {
    res.statusCode = 404;
    res.end(JSON.stringify({ code: 'not_found', msg: 'participant not found' }));
    return;
  }
  res.end('{}');
}

/** Starts the stand-in on a free loopback port. */
export async function startFakeLiveKit(): Promise<FakeLiveKit> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const fake: FakeLiveKit = {
    server,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    absent: new Set(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void answerLiveKit(fake, req, res).catch((error: unknown) => {
      // A request the fake cannot read: answer it, so the auth service is not left waiting, and
      // rethrow, so Vitest reports the unhandled rejection and fails the run.
      res.statusCode = 500;
      res.end();
      throw error;
    });
  });
  return fake;
}
