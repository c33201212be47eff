import type { AppDeps } from '../../deps.ts';
import { requireUser } from '../../http/require-user.ts';
import { createRouter } from '../../http/router.ts';
import { openRoomSession } from '../../livekit/room-session.ts';
import { tokenRoute } from './token.routes.ts';

export function createTokenRouter(deps: AppDeps) {
  const router = createRouter();
  router.use('/auth/token', requireUser(deps));
  router.openapi(tokenRoute, async (c) => {
    const body = c.req.valid('json');
    const room = await openRoomSession(deps, c.get('caller').user, {
      roomName: body.room_name,
      participantName: body.participant_name,
    });
    return c.json({ ...room, server_url: room.livekit_url, participant_token: room.livekit_token }, 201);
  });
  return router;
}
