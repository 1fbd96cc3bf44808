# syntax=docker/dockerfile:1
# The cutover image: the worker by default; the same image runs the CLI and the simulator.
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json temporal-tools.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    CUTOVER_CONFIG=/etc/cutover/cutover.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY temporal-tools.json ./
COPY bin ./bin
COPY examples ./examples
COPY --from=build /app/dist ./dist
# A fresh named volume mounted here takes this owner, so the codec-key service (as node) can write the key.
RUN mkdir -p /var/lib/cutover/codec && chown node:node /var/lib/cutover/codec
USER node
# Prometheus metrics when worker.metricsAddress is set to 0.0.0.0:9464.
EXPOSE 9464
ENTRYPOINT ["node", "bin/cutover.js"]
CMD ["worker"]
