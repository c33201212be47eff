// What the cross-package agent tests share: the real auth service, the real agent client, and
// sessions resolved the way a job resolves them.
import {
  AgentApiClient,
  type SessionUser,
  TurnOutbox,
  type TurnOutboxOptions,
  UserMemory,
  resolveSessionUser,
} from '@attune/agent';
import {
  type MintedParticipant,
  type RegisteredUser,
  TEST_AGENT_API_SECRET,
  type TestServer,
  jsonPost,
  mintParticipant,
  registerUser,
} from '@attune/auth-service/testing';
import type { ConversationTurn } from '@attune/db';
import { snapshotTables } from '@attune/db/testing';

/** The agent's own client of `server`'s internal agent API, quick to give up in tests. */
export function agentClientOf(
  server: TestServer,
  options: { retries?: number } = {},
): AgentApiClient {
  return new AgentApiClient({
    baseUrl: server.internalUrl,
    agentSecret: TEST_AGENT_API_SECRET,
    timeoutMs: 2_000,
    retries: options.retries ?? 1,
    retryDelayMs: 20,
  });
}

export interface LiveSession {
  account: RegisteredUser | null;
  participant: MintedParticipant;
  user: SessionUser;
}

/**
 * Mints a room token for `account` (a new user when none is given, or a guest) and resolves it
 * as a job would: the session user then carries what is stored for them at this moment.
 */
export async function liveSession(
  server: TestServer,
  client: AgentApiClient,
  input: { fullName?: string; guest?: boolean; account?: RegisteredUser } = {},
): Promise<LiveSession> {
  let account: RegisteredUser | null = input.account ?? null;
  let accessToken: string;
  if (account) {
    accessToken = account.accessToken;
  } else if (input.guest) {
    const guest = (await (await jsonPost(server, '/auth/guest', {})).json()) as {
      access_token: string;
    };
    accessToken = guest.access_token;
  } else {
    account = await registerUser(server, { full_name: input.fullName ?? 'Ada Lovelace' });
    accessToken = account.accessToken;
  }
  const participant = await mintParticipant(server, accessToken);
  const resolved = await resolveSessionUser(client, participant, participant.room_name);
  if (!resolved.ok) throw new Error(`the session did not resolve: ${resolved.reason}`);
  return { account, participant, user: resolved.user };
}

/** The turns stored for a session, in the order they were stored. */
export function storedTurnsOf(
  server: TestServer,
  sessionId: string,
): Pick<ConversationTurn, 'role' | 'text'>[] {
  return (snapshotTables(server.database.db).conversation_turns as ConversationTurn[])
    .filter((turn) => turn.sessionId === sessionId)
    .sort((a, b) => a.id - b.id)
    .map(({ role, text }) => ({ role, text }));
}

const quietLog = { warn: () => undefined, error: () => undefined };

/** The memory (and its turn outbox) a job gives a registered user's session. */
export function memoryOf(
  user: SessionUser,
  options: Partial<Omit<TurnOutboxOptions, 'send'>> = {},
): { memory: UserMemory; outbox: TurnOutbox } {
  const outbox = new TurnOutbox({
    send: (turns) => user.api.appendTurns(turns),
    log: quietLog,
    retryDelayMs: 20,
    maxRetryDelayMs: 100,
    ...options,
  });
  return { memory: new UserMemory(user.api, outbox), outbox };
}
