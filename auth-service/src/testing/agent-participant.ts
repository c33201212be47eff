import { TokenVerifier } from 'livekit-server-sdk';
import { type ResolveParticipantRequest, agentApiPaths } from '@attune/contract';
import { TEST_AGENT_API_SECRET, type TestServer, jsonPost } from './test-server.ts';

/** A participant as LiveKit would describe it to the agent, from a token the service minted. */
export interface MintedParticipant extends ResolveParticipantRequest {
  sessionId: string;
}

/** What LiveKit tells the agent about the participant who joins with `livekitToken`. */
export async function participantOf(
  server: TestServer,
  livekitToken: string,
): Promise<ResolveParticipantRequest> {
  const { apiKey, apiSecret } = server.config.livekit;
  const claims = await new TokenVerifier(apiKey, apiSecret).verify(livekitToken);
  return {
    room_name: claims.video?.room ?? '',
    identity: claims.sub ?? '',
    attributes: claims.attributes ?? {},
  };
}

/** Mints a room token for the signed-in user (POST /auth/token) and reads it as LiveKit would. */
export async function mintParticipant(
  server: TestServer,
  accessToken: string,
): Promise<MintedParticipant> {
  const response = await jsonPost(server, '/auth/token', {}, accessToken);
  if (response.status !== 201) throw new Error(`token failed: ${response.status}`);
  const minted = (await response.json()) as { livekit_token: string; session_id: string };
  return { ...(await participantOf(server, minted.livekit_token)), sessionId: minted.session_id };
}

/** A request to the internal agent API of `server` with a bearer credential. */
export function agentApiRequest(
  server: TestServer,
  path: string,
  init: { method?: string; credential?: string | null; body?: unknown } = {},
): Promise<Response> {
  const credential = init.credential === undefined ? TEST_AGENT_API_SECRET : init.credential;
  return fetch(`${server.internalUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(credential === null ? {} : { authorization: `Bearer ${credential}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

/** Resolves the participant through the internal agent API, as the agent does at the start of a job. */
export async function resolveThroughAgentApi(
  server: TestServer,
  participant: ResolveParticipantRequest,
): Promise<Response> {
  const { room_name, identity, attributes } = participant;
  return agentApiRequest(server, agentApiPaths.resolveParticipant, {
    body: { room_name, identity, attributes },
  });
}
