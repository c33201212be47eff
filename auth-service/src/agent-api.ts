import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { AGENT_API_BASE_PATH, AGENT_API_LIMITS } from '@attune/contract';
import type { AgentApiEnv } from './agent-api/agent-api-env.ts';
import { agentApiError } from './agent-api/agent-api-error.ts';
import { authenticateAgent } from './agent-api/authenticate-agent.ts';
import type { AppDeps } from './deps.ts';
import { createBodyCheck } from './http/body-check.ts';
import { createErrorHandler, createNotFoundHandler } from './http/error-handler.ts';
import { requestLogger } from './http/request-logger.ts';
import { createRouteTable } from './http/route-table.ts';
import { createAgentRouter } from './routes/agent/agent.index.ts';

/**
 * The internal agent API (/agent/v1/), for agent workers on any host: everything a conversation
 * needs from the database, one round trip each, scoped by the service to one session. It is
 * served on its own listener (INTERNAL_HOST:INTERNAL_PORT), never on the public port.
 */
export function createAgentApi(deps: AppDeps): OpenAPIHono<AgentApiEnv> {
  const app = new OpenAPIHono<AgentApiEnv>();
  const routes = createRouteTable(() => app.routes);

  app.use(requestId());
  app.use(deps.metrics.middleware);
  app.use(requestLogger(deps.logger));
  // Before routing and before the body is read: without a credential nothing else is answered.
  app.use(
    `${AGENT_API_BASE_PATH}/*`,
    authenticateAgent({ credentials: deps.agentCredentials, now: deps.now }),
  );
  const checkBody = createBodyCheck({
    maxBytes: AGENT_API_LIMITS.maxBodyBytes,
    tooLarge: () => {
      throw agentApiError(
        'payload_too_large',
        `The request body is larger than ${AGENT_API_LIMITS.maxBodyBytes} bytes`,
      );
    },
  });
  app.use((c, next) => (routes.isRouted(c.req.method, c.req.path) ? checkBody(c, next) : next()));

  app.route('/', createAgentRouter(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'agentSecret', {
    type: 'http',
    scheme: 'bearer',
    description: 'AGENT_API_SECRET, for resolving a participant',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'sessionCredential', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The credential the resolve call answered, for calls about that one session',
  });
  app.doc31(`${AGENT_API_BASE_PATH}/openapi.json`, {
    openapi: '3.1.0',
    info: {
      title: 'Attune internal agent API',
      version: '1',
      description: 'Served on INTERNAL_HOST:INTERNAL_PORT for agent workers; never public.',
    },
  });
  app.onError(createErrorHandler(deps.logger));
  app.notFound(createNotFoundHandler(routes));
  return app;
}
