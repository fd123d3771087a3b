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
bash scripts/services.sh
