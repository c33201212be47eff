// The baseline of the agent API benchmark: a bare Hono app answering JSON POSTs, compiled code in
// a process of its own like the auth service, on the port given as the first argument.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/bare', async (c) => c.json({ stored: (await c.req.json()).turns?.length ?? 0 }));
const port = Number(process.argv[2]);
serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => process.stdout.write('listening\n'));
