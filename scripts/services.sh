#!/usr/bin/env bash
# Ensures the local services the project needs are up: PostgreSQL with pgvector, Redis (noeviction) and,
# when S3_ENDPOINT points at this machine, an s3rver endpoint with the bucket.
# Idempotent: safe on a fresh machine and on one where everything already runs.
# Reads DATABASE_URL / TEST_DATABASE_URL / REDIS_URL / S3_* with the config's precedence: the environment, then
# .env, then the defaults below.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

. scripts/lib/dotenv.sh ./.env
DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/course_supporter}
TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/course_supporter_test}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
S3_ENDPOINT=${S3_ENDPOINT:-http://127.0.0.1:4568}

say() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq >/dev/null || die "apt-get update failed"; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# ---------- PostgreSQL ----------
PSQL=(psql -v ON_ERROR_STOP=1 -X -q -U postgres -h 127.0.0.1 -d postgres)
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  say "PostgreSQL not installed: installing Debian's postgresql"
  apt_install postgresql postgresql-contrib
fi
if ! "${PSQL[@]}" -tAc 'select 1' >/dev/null 2>&1; then
  say "starting PostgreSQL"
  for v in $(ls /etc/postgresql); do
    as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 30); do "${PSQL[@]}" -tAc 'select 1' >/dev/null 2>&1 && break; sleep 1; done
fi
"${PSQL[@]}" -tAc 'select 1' >/dev/null 2>&1 || die "PostgreSQL does not answer on 127.0.0.1:5432 as user postgres"
PGMAJOR=$("${PSQL[@]}" -tAc "select current_setting('server_version_num')::int / 10000")
say "PostgreSQL $PGMAJOR is up"

if [ "$("${PSQL[@]}" -tAc "select count(*) from pg_available_extensions where name='vector'")" != 1 ]; then
  say "pgvector missing for PostgreSQL $PGMAJOR"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq >/dev/null || true; APT_UPDATED=1; fi
  if apt-cache show "postgresql-$PGMAJOR-pgvector" >/dev/null 2>&1; then
    say "installing postgresql-$PGMAJOR-pgvector"
    apt_install "postgresql-$PGMAJOR-pgvector"
  else
    # Debian 12 has no pgvector package; Debian 13's source package builds against bookworm's server headers.
    say "building Debian's pgvector source package against postgresql-server-dev-$PGMAJOR"
    SRC_LIST=/etc/apt/sources.list.d/course-supporter-trixie-src.list
    if [ ! -f "$SRC_LIST" ]; then
      echo "deb-src http://deb.debian.org/debian trixie main" | as_root tee "$SRC_LIST" >/dev/null
      as_root apt-get update -qq >/dev/null || die "apt-get update (trixie deb-src) failed"
    fi
    apt_install build-essential dpkg-dev "postgresql-server-dev-$PGMAJOR"
    BUILD=$(mktemp -d)
    ( cd "$BUILD" && apt-get source -qq pgvector >/dev/null 2>&1 ) || die "apt-get source pgvector failed"
    SRCDIR=$(find "$BUILD" -maxdepth 1 -mindepth 1 -type d -name 'pgvector*' | head -1)
    [ -n "$SRCDIR" ] || die "pgvector source not found after apt-get source"
    make -s -C "$SRCDIR" PG_CONFIG="/usr/lib/postgresql/$PGMAJOR/bin/pg_config" >/dev/null 2>&1 || die "pgvector build failed"
    as_root make -s -C "$SRCDIR" PG_CONFIG="/usr/lib/postgresql/$PGMAJOR/bin/pg_config" install >/dev/null || die "pgvector install failed"
    rm -rf "$BUILD"
  fi
  [ "$("${PSQL[@]}" -tAc "select count(*) from pg_available_extensions where name='vector'")" = 1 ] \
    || die "pgvector still not available after install"
fi
say "pgvector available ($("${PSQL[@]}" -tAc "select default_version from pg_available_extensions where name='vector'"))"

for url in "$DATABASE_URL" "$TEST_DATABASE_URL"; do
  db=${url##*/}; db=${db%%\?*}
  if [ "$("${PSQL[@]}" -tAc "select count(*) from pg_database where datname='$db'")" = 0 ]; then
    "${PSQL[@]}" -c "create database \"$db\"" && say "created database $db"
  fi
done

# ---------- ffmpeg (video ingestion) ----------
if ! command -v ffmpeg >/dev/null 2>&1; then
  say "installing ffmpeg"
  apt_install ffmpeg
fi

# ---------- Redis ----------
REDIS_HOSTPORT=${REDIS_URL#redis://}; REDIS_HOSTPORT=${REDIS_HOSTPORT##*@}; REDIS_HOSTPORT=${REDIS_HOSTPORT%%/*}
REDIS_HOST=${REDIS_HOSTPORT%%:*}; REDIS_PORT=${REDIS_HOSTPORT##*:}; [ "$REDIS_PORT" = "$REDIS_HOST" ] && REDIS_PORT=6379
if ! command -v redis-server >/dev/null 2>&1; then say "installing redis-server"; apt_install redis-server; fi
if ! redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  say "starting Redis on $REDIS_HOST:$REDIS_PORT"
  mkdir -p "$ROOT/var/redis"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$ROOT/var/redis" --logfile "$ROOT/var/redis/redis.log"
  for _ in $(seq 1 20); do redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis does not answer on $REDIS_HOST:$REDIS_PORT"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" config set maxmemory-policy noeviction >/dev/null
say "Redis is up (maxmemory-policy noeviction)"

# ---------- S3 endpoint ----------
[ -d node_modules ] || die "node_modules missing: run npm ci first"
node --import tsx scripts/ensure-s3.ts || die "S3 endpoint not ready"
say "all services ready"
