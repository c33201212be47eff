import type { AppDeps } from '../../deps.ts';
import { ApiError } from '../../http/api-error.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { requireUser } from '../../http/require-user.ts';
import { createRouter } from '../../http/router.ts';
import { openRoomSession } from '../../livekit/room-session.ts';
import { tokenRoute } from './token.routes.ts';

export function createTokenRouter(deps: AppDeps) {
  const router = createRouter();
  router.on('POST', '/auth/token', requireUser(deps));
  router.openapi(tokenRoute, async (c) => {
    const body = c.req.valid('json');
    const { user } = c.get('caller');
    if (body.participant_identity !== undefined && body.participant_identity !== user.id) {
      throw new ApiError(
        403,
        'identity_forbidden',
        'participant_identity is set by the server to your user id; omit it',
      );
    }
    const otherAgent = body.room_config?.agents?.find(
      (agent) => agent.agent_name !== deps.config.livekit.agentName,
    );
    if (otherAgent) {
      throw new ApiError(
        403,
        'agent_forbidden',
        `Only the ${deps.config.livekit.agentName} agent can be dispatched`,
      );
    }
    const result = await openRoomSession(deps, user, {
      roomName: body.room_name,
      participantName: body.participant_name,
      ip: clientMeta(c).ip,
    });
    if (!result.ok && result.reason === 'session_limit') {
      throw new ApiError(
        409,
        'session_limit',
        'You already have as many conversations in progress as allowed; end one first',
      );
    }
    if (!result.ok) {
      throw new ApiError(
        403,
        'room_forbidden',
        'That room belongs to another user; omit room_name to get a fresh room',
      );
    }
    const { room } = result;
    return c.json(
      { ...room, server_url: room.livekit_url, participant_token: room.livekit_token },
      201,
    );
  });
  return router;
}
