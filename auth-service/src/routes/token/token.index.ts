import { mayOpenRooms } from '../../auth/sign-in.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { openRoomSession } from '../../livekit/room-session.ts';
import { tokenRoute } from './token.routes.ts';

export function createTokenRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();
  router.openapi(guard.route(tokenRoute), async (c) => {
    const body = c.req.valid('json');
    const { user } = c.get('caller');
    if (!mayOpenRooms(deps.config, user)) throw apiError('email_unverified');
    if (body.participant_identity !== undefined && body.participant_identity !== user.id) {
      throw apiError('identity_forbidden');
    }
    const otherAgent = body.room_config?.agents?.find(
      (agent) => agent.agent_name !== deps.config.livekit.agentName,
    );
    if (otherAgent) {
      throw apiError(
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
      throw apiError('session_limit');
    }
    if (!result.ok) {
      throw apiError('room_forbidden');
    }
    const { room } = result;
    return c.json(
      { ...room, server_url: room.livekit_url, participant_token: room.livekit_token },
      201,
    );
  });
  return router;
}
