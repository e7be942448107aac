# One image for every Lignée process in production (docker-compose.yml): the API and UI
# (`lignee server`), the scheduler (`lignee scheduler`) and the workers (`lignee worker`).
# Build from the repository root: docker build -t lignee .
FROM node:20-bookworm-slim

# Python 3 with venv for dbt (scripts/dbt-setup.sh), CA certificates for the France Travail API.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
  && rm -rf /var/lib/apt/lists/*

# pnpm pinned as in scripts/bootstrap.sh (no corepack download at run time).
RUN npm install -g --no-audit --no-fund --loglevel=error pnpm@10.34.8

WORKDIR /app

# Dependencies first: this layer is rebuilt only when a manifest or the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/engine/package.json packages/engine/
COPY packages/assets/package.json packages/assets/
COPY packages/ui/package.json packages/ui/
COPY tests/package.json tests/
RUN pnpm install --frozen-lockfile

# dbt-core + dbt-postgres into /app/.lignee/venv, where the engine looks for it.
COPY scripts/dbt-setup.sh scripts/install-lock.sh scripts/python-venv.sh scripts/
COPY dbt/requirements.txt dbt/constraints.txt dbt/
RUN bash scripts/dbt-setup.sh

# Java 17 for the Spark assets' jobs, and Maven to fetch their jars (the slim image has no man
# folders, which the JRE's package links into).
RUN mkdir -p /usr/share/man/man1 \
  && apt-get update \
  && apt-get install -y --no-install-recommends openjdk-17-jre-headless maven \
  && rm -rf /var/lib/apt/lists/*
# PySpark into /app/.lignee/spark-venv and the jobs' jars into /app/.lignee/spark-jars, where
# the engine looks for them (Maven's download cache is not kept).
COPY scripts/spark-setup.sh scripts/install-lock.sh scripts/python-venv.sh scripts/
COPY spark/requirements.txt spark/constraints.txt spark/pom.xml spark/
RUN bash scripts/spark-setup.sh && rm -rf .lignee/m2

COPY . .
# The engine as plain JavaScript (packages/engine/dist: the CLI starts without a TypeScript
# loader) and the UI that `lignee server` serves (packages/ui/dist). The processes run as `node`:
# dbt writes its parse state and per-run folders under dbt/, raw files go to /data.
RUN node scripts/build-engine.mjs \
  && pnpm --filter @lignee/ui build \
  && mkdir -p /data dbt/target dbt/logs \
  && chown -R node:node /data dbt

ENV NODE_ENV=production \
    LIGNEE_DATA_DIR=/data
USER node

# The built CLI in this one process, so that signals reach it (the job-offer definitions, in
# TypeScript, load through tsx's loader, which the CLI registers for them).
ENTRYPOINT ["node", "packages/engine/dist/cli.js"]
CMD ["--help"]
