// A baseline of the token benchmark: a token server the way LiveKit's samples write one (Express,
// `express.json()`, `new AccessToken(...)`, `addGrant`, `await at.toJwt()` on every request), with
// no authentication and no database. Like LiveKit's standard token endpoint, it reads the room,
// identity and name from the body and answers `server_url` + `participant_token`. It runs in a
// process of its own on the port given as the first argument.
import express from 'express';
import { AccessToken } from 'livekit-server-sdk';

const API_KEY = 'devkey';
const API_SECRET = 'bench-livekit-secret-of-at-least-32-characters';

const app = express();
app.use(express.json());
app.post('/token', async (req, res) => {
  const roomName = req.body?.room_name ?? `room-${Math.random().toString(36).slice(2, 10)}`;
  const identity = req.body?.participant_identity ?? `user-${Math.random().toString(36).slice(2)}`;
  const at = new AccessToken(API_KEY, API_SECRET, {
    identity,
    name: req.body?.participant_name ?? identity,
    ttl: '10m',
  });
  at.addGrant({
    roomJoin: true,
    room: roomName,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
  });
  res.status(201).json({ server_url: 'ws://localhost:7880', participant_token: await at.toJwt() });
});
const port = Number(process.argv[2]);
app.listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
