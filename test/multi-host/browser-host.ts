// Runs on the "browser" host of the multi-host test: signs two people up through the auth
// service's public API and mints each a room token, as the web client would, then prints what
// LiveKit would hand an agent about each of them (one JSON line).
import { TokenVerifier } from 'livekit-server-sdk';

const authUrl = process.env.ATTUNE_PUBLIC_URL ?? '';
const [apiKey, apiSecret] = ['devkey', 'secret'];

async function post(path: string, body: unknown, accessToken?: string): Promise<unknown> {
  const response = await fetch(`${authUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

async function participantFor(name: string) {
  const account = (await post('/auth/register', {
    email: `${name.toLowerCase()}@example.org`,
    password: `${name} has a long password`,
    full_name: name,
  })) as { access_token: string; user: { id: string } };
  const minted = (await post('/auth/token', {}, account.access_token)) as {
    livekit_token: string;
    session_id: string;
  };
  const claims = await new TokenVerifier(apiKey, apiSecret).verify(minted.livekit_token);
  return {
    name,
    userId: account.user.id,
    sessionId: minted.session_id,
    room_name: claims.video?.room ?? '',
    identity: claims.sub ?? '',
    attributes: claims.attributes ?? {},
  };
}

const people = await Promise.all(['Alice', 'Bob'].map(participantFor));
process.stdout.write(`${JSON.stringify(people)}\n`);
