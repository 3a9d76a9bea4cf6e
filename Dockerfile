# syntax=docker/dockerfile:1
# One image for every Chorus service. The service is chosen by the command:
#   docker run chorus orchestrator        (gateway, orchestrator, agents, projector, webhooks)
#   docker run chorus migrate             (the read-model migrations)
# or at build time: docker build --build-arg SERVICE=agents -t chorus-agents .
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.

ARG NODE_IMAGE=node:24-slim

# ---- dependencies: production packages only, from the lockfile --------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY packages/cli/package.json packages/cli/
COPY packages/contracts/package.json packages/contracts/
COPY packages/platform/package.json packages/platform/
COPY packages/testing/package.json packages/testing/
COPY packages/webhook-security/package.json packages/webhook-security/
COPY services/gateway/package.json services/gateway/
COPY services/orchestrator/package.json services/orchestrator/
COPY services/agents/package.json services/agents/
COPY services/projector/package.json services/projector/
COPY services/webhooks/package.json services/webhooks/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: sources + node_modules, non-root ------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=gateway
ENV NODE_ENV=production \
    CHORUS_SERVICE=${SERVICE} \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json package-lock.json tsconfig.json ./
COPY --chown=node:node packages ./packages
COPY --chown=node:node services ./services
COPY --chown=node:node migrations ./migrations
COPY --chown=node:node proto ./proto
COPY --chown=node:node scripts/migrate.ts ./scripts/migrate.ts
COPY --chown=node:node --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/chorus
USER node
# gateway 8000 (+ gRPC 50051), orchestrator 8081, agents 8082 (+ gRPC 50052), projector 8083, webhooks 8084
EXPOSE 8000 8081 8082 8083 8084 50051 50052
ENTRYPOINT ["chorus"]
CMD []
