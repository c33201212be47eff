import { z } from '@hono/zod-openapi';
import { type WebhookEvent, WebhookReceiver } from 'livekit-server-sdk';
import type { AppDeps } from '../../deps.ts';
import { declarePlainRoute } from '../../http/define-route.ts';
import { apiError } from '../../http/error-catalog.ts';
import { jsonContent } from '../../http/error-responses.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { describeWebhookEvent } from '../../livekit/webhook-ingest.ts';

const WEBHOOK_PATH = '/livekit/webhook';
const webhookAnswer = z.object({
  received: z.literal(true),
  outcome: z.enum(['applied', 'duplicate', 'ignored']),
});

/** LiveKit's signature is checked by the handler (it needs the raw body); never rate-limited. */
const webhook = declarePlainRoute(
  { method: 'post' },
  { auth: 'livekit', rateLimit: 'none', errors: ['event_invalid'] },
);

/**
 * LiveKit's webhook: the server POSTs protobuf-JSON events signed with the API secret (a LiveKit
 * JWT in `Authorization`, carrying the body's SHA-256). Only a verified body is read; anything
 * else is a 401 and nothing is written.
 */
export function createLiveKitRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();
  const receiver = new WebhookReceiver(deps.config.livekit.apiKey, deps.config.livekit.apiSecret);

  router.post(WEBHOOK_PATH, guard.middleware(webhook), async (c) => {
    const authorization = c.req.header('authorization');
    if (!authorization) throw apiError('signature_missing');
    const body = await c.req.text();
    let event: WebhookEvent;
    try {
      event = await receiver.receive(body, authorization);
    } catch {
      throw apiError('signature_invalid');
    }
    if (!event.id || !event.event) throw apiError('event_invalid');
    const nowMs = deps.now();
    const outcome = await deps.store.sessionTimeline.ingestWebhook(
      describeWebhookEvent(event, nowMs),
      nowMs,
    );
    return c.json({ received: true as const, outcome }, 200);
  });

  router.openAPIRegistry.registerPath({
    method: 'post',
    path: WEBHOOK_PATH,
    tags: ['livekit'],
    summary:
      'LiveKit webhook: participant joins and leaves give sessions their true start, end and duration',
    description:
      'Configure livekit-server with `webhook: { api_key: <LIVEKIT_API_KEY>, urls: [https://<host>/livekit/webhook] }`. Redelivered events (same id) change nothing.',
    request: {
      headers: z.object({
        authorization: z
          .string()
          .describe('The LiveKit JWT livekit-server signs the body with (no Bearer prefix)'),
      }),
      body: { content: { 'application/webhook+json': { schema: z.object({}).passthrough() } } },
    },
    responses: {
      200: jsonContent(
        webhookAnswer,
        'Verified and recorded (or a redelivery, or not about an Attune session)',
      ),
      ...webhook.responses,
    },
  });
  return router;
}
