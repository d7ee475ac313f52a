# syntax=docker/dockerfile:1
# The subgraph as an image: compiled with the dev dependencies in a build
# stage, run by plain node with the production dependencies only (no tsx, no
# emulator, no SQLite). scripts/production-check.sh runs the same steps
# without Docker.
#
#   docker build -t wandb-runs-subgraph .
#   docker run -p 4001:4001 -e WANDB_BASE_URL=https://api.wandb.ai wandb-runs-subgraph

ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The root's dependencies only (not the emulator workspace), and no install
# scripts: compiling needs TypeScript alone.
RUN npm ci --workspaces=false --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY resolvers resolvers
COPY schema schema
RUN npm run build

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4001
WORKDIR /app
COPY package.json package-lock.json ./
# patch-package applies these after the install (postinstall): see README,
# "Patched dependencies".
COPY patches patches
# The lockfile names the emulator workspace; --workspaces=false installs the
# root's production dependencies from it without that folder.
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
USER node
EXPOSE 4001
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["node", "dist/src/healthcheck.js"]
# --min/--max-semi-space-size=16: a young generation of a fixed 32 MB. By
# default V8 grows it while a long history scan allocates (up to 128 MB
# here), and reaches further into it over time, so peak RSS climbs with the
# scan's length (README, Node flags; BENCHMARKS.md, scenario 3). Same flags
# as `npm run start:prod`.
CMD ["node", "--min-semi-space-size=16", "--max-semi-space-size=16", "dist/src/main.js"]
