# syntax=docker/dockerfile:1
# Two images, one target each; both run compiled JavaScript with plain node (no tsx):
#   docker build --target auth  -t attune-auth .    the auth service, serving the built web client
#   docker build --target agent -t attune-agent .   the agent worker, with local speech (SPEECH=local)
# docker-compose.yaml builds both and runs them with livekit-server: docker compose up --build
# The auth service alone, in production:
#   docker run -p 8000:8000 -v attune-data:/data -e NODE_ENV=production -e JWT_SECRET=... \
#     -e AGENT_API_SECRET=... -e LIVEKIT_URL=wss://... -e LIVEKIT_API_KEY=... -e LIVEKIT_API_SECRET=... attune-auth
# The agent needs no database: only ATTUNE_API_URL (the auth service's internal agent API) and
# AGENT_API_SECRET, besides LiveKit's URL and keys and its models.

ARG NODE_VERSION=20
ARG PNPM_VERSION=10.34.9

# The workspace manifests and pnpm; each stage below installs only what its package needs.
FROM node:${NODE_VERSION}-bookworm-slim AS workspace
ARG PNPM_VERSION
# better-sqlite3 compiles from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g "pnpm@${PNPM_VERSION}"
WORKDIR /app
COPY package.json pnpm-workspace.yaml pnpm-lock.yaml tsconfig.base.json ./
COPY contract/package.json contract/
COPY db/package.json db/
COPY auth-service/package.json auth-service/
COPY agent/package.json agent/
COPY web-client/package.json web-client/

# The web client's static build (web-client/dist); only the result goes into the auth image.
FROM workspace AS web-build
RUN pnpm install --frozen-lockfile --filter "@attune/web-client"
COPY web-client web-client
RUN pnpm --filter @attune/web-client build

# The auth service and the packages it uses, compiled to each package's dist/.
FROM workspace AS auth-build
RUN pnpm install --frozen-lockfile --filter "@attune/auth-service..."
COPY contract contract
COPY db db
COPY auth-service auth-service
RUN pnpm --filter "@attune/auth-service..." run build

# What the auth image ships: production dependencies, the compiled code and the migrations.
FROM workspace AS auth-runtime
RUN pnpm install --frozen-lockfile --prod --filter "@attune/auth-service..."
COPY --from=auth-build /app/contract/dist contract/dist
COPY --from=auth-build /app/db/dist db/dist
COPY --from=auth-build /app/db/migrations db/migrations
COPY --from=auth-build /app/auth-service/dist auth-service/dist

FROM workspace AS agent-build
# No onnxruntime-node download at install, should a dependency bring it in (pnpm-lock.yaml has none today).
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN pnpm install --frozen-lockfile --filter "@attune/agent..."
COPY contract contract
COPY agent agent
RUN pnpm --filter "@attune/agent..." run build

FROM workspace AS agent-runtime
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN pnpm install --frozen-lockfile --prod --filter "@attune/agent..."
COPY --from=agent-build /app/contract/dist contract/dist
COPY --from=agent-build /app/agent/dist agent/dist

# ---- docker build --target auth ----
FROM node:${NODE_VERSION}-bookworm-slim AS auth
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    INTERNAL_HOST=127.0.0.1 \
    INTERNAL_PORT=8001 \
    DATABASE_PATH=/data/attune.db
WORKDIR /app
# The code stays owned by root: the service can write its data volume and nothing else.
COPY --from=auth-runtime /app /app
# Where the service looks for the client by default (web-client/dist beside auth-service/).
COPY --from=web-build /app/web-client/dist /app/web-client/dist
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
VOLUME ["/data"]
# 8000: the public API and the web client. 8001: the internal agent API, for agent workers only;
# it listens on loopback unless INTERNAL_HOST says otherwise (compose sets 0.0.0.0 on its own
# network). Publish it on a private network, never to the internet.
EXPOSE 8000 8001
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/auth-service
# Migrations run at start; SIGTERM stops the server gracefully.
CMD ["node", "dist/server.js"]

# ---- docker build --target agent ----
FROM node:${NODE_VERSION}-bookworm-slim AS agent
# Local speech (SPEECH=local): espeak-ng, and Debian 12's pocketsphinx 0.8 with its English model.
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng pocketsphinx pocketsphinx-en-us ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    AGENT_HEALTH_HOST=0.0.0.0 \
    AGENT_HEALTH_PORT=8081
WORKDIR /app
COPY --from=agent-runtime /app /app
USER node
EXPOSE 8081
# The worker's health server answers 200 once it is registered with LiveKit, 503 before.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.AGENT_HEALTH_PORT || 8081) + '/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/agent
# No database, no volume: everything about users comes from the auth service. SIGTERM stops it.
CMD ["node", "dist/main.js", "start"]
