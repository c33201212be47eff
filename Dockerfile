# syntax=docker/dockerfile:1
# Two images, one target each:
#   docker build --target auth  -t attune-auth .    the auth service, serving the built web client
#   docker build --target agent -t attune-agent .   the agent worker, with local speech (SPEECH=local)
# docker-compose.yaml builds both and runs them with livekit-server: docker compose up --build
# The auth service alone, in production:
#   docker run -p 8000:8000 -v attune-data:/data -e NODE_ENV=production \
#     -e JWT_SECRET=... -e LIVEKIT_URL=wss://... -e LIVEKIT_API_KEY=... -e LIVEKIT_API_SECRET=... attune-auth

ARG NODE_VERSION=20
ARG PNPM_VERSION=10.34.9

# The workspace manifests and pnpm; each build stage below installs only what its package needs.
FROM node:${NODE_VERSION}-bookworm-slim AS workspace
ARG PNPM_VERSION
# better-sqlite3 compiles from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g "pnpm@${PNPM_VERSION}"
WORKDIR /app
COPY package.json pnpm-workspace.yaml pnpm-lock.yaml tsconfig.base.json ./
COPY db/package.json db/
COPY auth-service/package.json auth-service/
COPY agent/package.json agent/
COPY web-client/package.json web-client/

# The web client's static build (web-client/dist); only the result goes into the auth image.
FROM workspace AS web-build
RUN pnpm install --frozen-lockfile --filter "@attune/web-client"
COPY web-client web-client
RUN pnpm --filter @attune/web-client build

FROM workspace AS auth-build
RUN pnpm install --frozen-lockfile --prod --filter "@attune/auth-service..."
COPY db db
COPY auth-service auth-service
RUN find db auth-service -name "*.test.ts" -delete

FROM workspace AS agent-build
# No onnxruntime-node download at install, should a dependency bring it in (pnpm-lock.yaml has none today).
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN pnpm install --frozen-lockfile --prod --filter "@attune/agent..."
COPY db db
COPY agent agent
RUN find db agent -name "*.test.ts" -delete

# ---- docker build --target auth ----
FROM node:${NODE_VERSION}-bookworm-slim AS auth
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_PATH=/data/attune.db
WORKDIR /app
# The code stays owned by root: the service can write its data volume and nothing else.
COPY --from=auth-build /app /app
# Where the service looks for the client by default (web-client/dist beside auth-service/).
COPY --from=web-build /app/web-client/dist /app/web-client/dist
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/auth-service
# Migrations run at start; SIGTERM stops the server gracefully.
CMD ["node", "--import", "tsx", "src/server.ts"]

# ---- docker build --target agent ----
FROM node:${NODE_VERSION}-bookworm-slim AS agent
# Local speech (SPEECH=local): espeak-ng, and Debian 12's pocketsphinx 0.8 with its English model.
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng pocketsphinx pocketsphinx-en-us ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DATABASE_PATH=/data/attune.db \
    AGENT_HEALTH_PORT=8081
WORKDIR /app
COPY --from=agent-build /app /app
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
VOLUME ["/data"]
EXPOSE 8081
# The worker's health server answers 200 once it is registered with LiveKit, 503 before.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.AGENT_HEALTH_PORT || 8081) + '/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/agent
# Shares the database with the auth service (the same volume); SIGTERM stops it.
CMD ["node", "--import", "tsx", "src/main.ts", "start"]
