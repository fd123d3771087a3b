#!/usr/bin/env bash
# Quick start: dependencies, Postgres+pgvector, Redis, a local S3 endpoint, migrations, a demo tenant (its key
# is printed), then the API (http://localhost:8000) and the worker in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f .env ]; then cp .env.example .env; echo "[up] created .env from .env.example"; fi
bash scripts/ensure-encryption-key.sh .env
bash scripts/setup.sh
npm run --silent migrate
node --import tsx scripts/demo-tenant.ts

pids=()
cleanup() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT
node --import tsx worker/src/main.ts & pids+=($!)
node --max-semi-space-size=8 --import tsx api/src/main.ts & pids+=($!)
# Same precedence as the API's config: the environment's PORT, then .env's, then the default.
PORT=${PORT:-$(sed -nE 's/^PORT=([0-9]+).*/\1/p' .env | tail -n 1)}; PORT=${PORT:-8000}
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then break; fi; sleep 0.5
done
echo
echo "[up] API:     http://localhost:$PORT   (docs: http://localhost:$PORT/docs)"
echo "[up] health:  $(curl -sS "http://127.0.0.1:$PORT/health" 2>/dev/null || echo 'not answering yet')"
echo "[up] running; Ctrl-C to stop"
wait -n "${pids[@]}"
