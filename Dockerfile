# syntax=docker/dockerfile:1
# The Attune auth service. Build: docker build -t attune-auth .
# Run:   docker run -p 8000:8000 -v attune-data:/data -e NODE_ENV=production \
#          -e JWT_SECRET=... -e LIVEKIT_URL=wss://... -e LIVEKIT_API_KEY=... -e LIVEKIT_API_SECRET=... attune-auth

ARG NODE_VERSION=20
ARG PNPM_VERSION=10.34.9

FROM node:${NODE_VERSION}-bookworm-slim AS build
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
RUN pnpm install --frozen-lockfile --prod --filter "@attune/auth-service..."
COPY db db
COPY auth-service auth-service
RUN find db auth-service -name "*.test.ts" -delete

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_PATH=/data/attune.db
WORKDIR /app
# The code stays owned by root: the service can write its data volume and nothing else.
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/auth-service
# Migrations run at start; SIGTERM stops the server gracefully.
CMD ["node", "--import", "tsx", "src/server.ts"]
