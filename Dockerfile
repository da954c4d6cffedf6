# jiuzhu (救助): one image for the API, the Temporal worker and the one-shot seed.
# The code runs from TypeScript source with tsx (no build step), so tsx is in "dependencies" and
# `npm ci --omit=dev` keeps everything the processes need (vitest, typescript, eslint are left out).
#
#   API (default):  node_modules/.bin/tsx api/server.ts
#   worker:         node_modules/.bin/tsx worker/main.ts   (docker-compose.yml overrides the command)
#   seed:           node_modules/.bin/tsx scripts/seed.ts
#
# Two build stages over the full install: the browser workspace (Vite and Preact are devDependencies),
# whose static files (web/dist) the API serves at /app; and the workflow bundle (dist/workflow-bundle.js,
# `npm run build:workflows`), which the worker loads through WORKFLOW_BUNDLE_PATH instead of bundling the
# workflows at every start. Only those files reach the image.
#
# Node 24, the Active LTS line (Node 20 reached end of life in April 2026; the production dependencies —
# cookie, content-disposition — want Node >= 22). CI runs the suite on this line as well as on the build
# machine's Node (.ci/run, scripts/node-lts.ts); raise both together (scripts/lib/tools.ts NODE_LTS_VERSION).
FROM node:24-bookworm-slim AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS web
COPY web ./web
RUN npm run build:web

FROM deps AS workflows
COPY tsconfig.json ./
COPY activities ./activities
COPY config ./config
COPY domain ./domain
COPY scripts ./scripts
COPY store ./store
COPY workflows ./workflows
COPY worker ./worker
RUN npm run build:workflows

FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js

WORKDIR /app

# Dependencies first, so that a source-only change reuses this layer.
# --ignore-scripts: package.json's allowScripts marks every install script (@swc/core, esbuild, protobufjs)
# as unneeded; their native binaries come from the platform packages in the lockfile.
COPY package.json package-lock.json ./
# The PDF reports embed Noto Sans SC Regular only (api/exports/assessment-pdf.ts): the package's other eight
# weights (~80 MB) are removed.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && find node_modules/@expo-google-fonts/noto-sans-sc -mindepth 1 -maxdepth 1 -type d ! -name 400Regular -exec rm -rf {} +

# tsconfig.json is read by tsx (module resolution, JSON imports); the rest is the runtime source.
COPY tsconfig.json ./
COPY api ./api
COPY activities ./activities
COPY config ./config
COPY domain ./domain
COPY scripts ./scripts
COPY store ./store
COPY workflows ./workflows
COPY worker ./worker
COPY --from=web /src/web/dist ./web/dist
# Built from the same workflows/ as above: a worker of this image runs exactly the code it ships.
COPY --from=workflows /src/dist/workflow-bundle.js ./dist/workflow-bundle.js

# DATA_DIR is only written outside production (a generated JWT secret); make it the node user's anyway.
RUN mkdir -p /app/data && chown node:node /app/data

USER node

EXPOSE 3000

# /health answers while the process is alive; /ready also checks Temporal and MongoDB (use it for a
# load balancer's readiness probe, not here: a dependency outage should not get the API restarted).
# The worker and seed services disable this check in docker-compose.yml.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["node_modules/.bin/tsx", "api/server.ts"]
