#!/usr/bin/env bash
# Does what the runtime stage of Dockerfile.api does, outside Docker, and proves the result serves:
#   1. build: tsc -p tsconfig.build.json into a fresh tree (as `npm run build` in the build stage), or take --dist
#   2. runtime tree: package.json, package-lock.json, prisma/ + `npm ci --omit=dev --ignore-scripts` + dist/;
#      checks the compiled Prisma client is there and no dev dependency is
#   3. the tree is root-owned and read-only for the non-root user `app` (created when missing, like the image)
#   4. starts `node dist/api/src/main.js` as `app` with the caller's environment (+ NODE_ENV=production, PORT),
#      runs the image's HEALTHCHECK one-liner (GET /health/live must be 200), with --require-db also GET /health
#      and requires its db and redis checks "ok" (the Prisma client works from the production tree), then
#      SIGTERM → clean exit 0
# Exits non-zero on any failure. Needs root (to create/switch to `app`) or runs as the current non-root user.
# The api reads its configuration from the environment: DATABASE_URL, REDIS_URL, S3_* ... as in production.
#
# Usage: scripts/docker-runtime-check.sh [--dist DIR] [--port N] [--require-db] [--keep]
#   --dist DIR  use an existing build output (a dist/ made by `npm run build`) instead of compiling
#   --port N    port for the api (default: a free port)
#   --require-db  also require /health's db and redis checks to be "ok" (needs DATABASE_URL, REDIS_URL reachable)
#   --keep      keep the temp tree (printed) for inspection
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DIST="" PORT="" KEEP=0 REQUIRE_DB=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST=$(cd "$2" && pwd); shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --require-db) REQUIRE_DB=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

say() { printf '[runtime-check] %s\n' "$*"; }
die() { printf '[runtime-check] FAIL: %s\n' "$*" >&2; exit 1; }

TREE=$(mktemp -d /tmp/cs-runtime-XXXXXX)
API_PID=""
cleanup() {
  if [ -n "$API_PID" ] && kill -0 "$API_PID" 2>/dev/null; then kill -KILL "$API_PID" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ]; then say "tree kept at $TREE"; else rm -rf "$TREE"; fi
}
trap cleanup EXIT

# ---------- 1. build output ----------
if [ -n "$DIST" ]; then
  say "using build output $DIST"
  cp -R "$DIST" "$TREE/dist"
else
  say "building (tsc -p tsconfig.build.json) into the runtime tree"
  [ -f shared/src/db/generated/client.ts ] || bash scripts/prisma-generate.sh >/dev/null
  node node_modules/typescript/bin/tsc -p tsconfig.build.json --outDir "$TREE/dist" \
    || die "the build failed (Docker's build stage would stop here)"
fi
for f in dist/api/src/main.js dist/shared/src/db/generated/client.js; do
  [ -f "$TREE/$f" ] || die "$f missing from the build output"
done

# ---------- 2. production dependencies, as the prod-deps stage ----------
cp package.json package-lock.json "$TREE/"
cp -R prisma "$TREE/prisma"
say "npm ci --omit=dev --ignore-scripts"
(cd "$TREE" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) \
  || die "npm ci --omit=dev failed"
# (typescript and the prisma CLI do land here: optional peers of valibot and @prisma/client, so npm keeps them)
for dev in vitest tsx eslint esbuild typescript-eslint; do
  [ ! -e "$TREE/node_modules/$dev" ] || die "dev dependency $dev is in the production tree"
done
for prod in express @prisma/client @prisma/adapter-pg bullmq; do
  [ -e "$TREE/node_modules/$prod" ] || die "production dependency $prod is missing"
done

# ---------- 3. non-root user `app`, read-only code ----------
if [ "$(id -u)" = 0 ]; then
  if ! id app >/dev/null 2>&1; then
    say "creating system user app"
    useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app
  fi
  chown -R root:root "$TREE"
  chmod -R u=rwX,go=rX "$TREE"
  RUN_AS=(setpriv --reuid=app --regid=app --init-groups --inh-caps=-all)
  [ "$("${RUN_AS[@]}" id -un)" = app ] || die "cannot switch to user app"
  if "${RUN_AS[@]}" sh -c "test -w '$TREE/dist' || test -w '$TREE/node_modules'"; then die "user app can write the code"; fi
else
  say "not root: running as $(id -un) (non-root) instead of app"
  RUN_AS=()
fi
RUN_USER=$("${RUN_AS[@]}" id -un)
[ "$("${RUN_AS[@]}" id -u)" != 0 ] || die "the api would run as root"

# ---------- 4. start, probe, stop ----------
if [ -z "$PORT" ]; then
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi
say "starting the api from $TREE as $RUN_USER on port $PORT"
LOG="$TREE.log"
(
  cd "$TREE"
  exec "${RUN_AS[@]}" env NODE_ENV=production PORT="$PORT" HOST=127.0.0.1 CS_SKIP_DOTENV=1 \
    API_WORKERS="${API_WORKERS:-2}" node --max-semi-space-size=8 dist/api/src/main.js
) >"$LOG" 2>&1 &
API_PID=$!

# the HEALTHCHECK of Dockerfile.api, run the way Docker runs it (in the tree, as the app user)
PROBE="fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health/live').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"
grep -qF "$PROBE" Dockerfile.api || die "Dockerfile.api's HEALTHCHECK differs from the probe used here"
healthy=0
for _ in $(seq 1 60); do
  kill -0 "$API_PID" 2>/dev/null || { tail -n 40 "$LOG" >&2; rm -f "$LOG"; die "the api exited during start-up"; }
  if (cd "$TREE" && "${RUN_AS[@]}" env PORT="$PORT" node -e "$PROBE"); then healthy=1; break; fi
  sleep 0.5
done
if [ "$healthy" != 1 ]; then tail -n 40 "$LOG" >&2; rm -f "$LOG"; die "GET /health/live did not answer 200 within 30 s"; fi
say "GET /health/live → 200"

if [ "$REQUIRE_DB" = 1 ]; then
  READY='fetch("http://127.0.0.1:"+process.env.PORT+"/health").then(r=>r.json()).then(b=>{console.log(JSON.stringify(b.checks));process.exit(b.checks&&b.checks.db==="ok"&&b.checks.redis==="ok"?0:1)},e=>{console.error(String(e));process.exit(1)})'
  checks=$(cd "$TREE" && "${RUN_AS[@]}" env PORT="$PORT" node -e "$READY") \
    || { tail -n 40 "$LOG" >&2; die "GET /health: db/redis not ok: $checks"; }
  say "GET /health checks: $checks"
fi

owner=$(ps -o user= -p "$API_PID" | tr -d ' ')
[ "$owner" = "$RUN_USER" ] || die "the api process runs as $owner, expected $RUN_USER"

say "SIGTERM → graceful shutdown"
kill -TERM "$API_PID"
status=""
for _ in $(seq 1 80); do
  if ! kill -0 "$API_PID" 2>/dev/null; then wait "$API_PID" && status=0 || status=$?; break; fi
  sleep 0.25
done
if [ -z "$status" ]; then tail -n 40 "$LOG" >&2; rm -f "$LOG"; die "the api did not stop within 20 s of SIGTERM"; fi
API_PID=""
if [ "$status" != 0 ]; then tail -n 40 "$LOG" >&2; rm -f "$LOG"; die "the api exited with status $status after SIGTERM"; fi
rm -f "$LOG"
say "OK: production tree serves /health/live as $RUN_USER and stops cleanly"
