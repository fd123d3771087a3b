#!/bin/sh
# Netdata container entrypoint (docker-compose.prod.yaml): renders Course Supporter's Netdata configuration
# from this read-only directory (/etc/cs-netdata) into /etc/netdata, filling in secrets from the environment
# (.env.prod), then hands over to the image's own entrypoint. Secrets are never written into the repository.
# CS_NETDATA_SRC / CS_NETDATA_DST / CS_NETDATA_EXEC exist for test/deploy/netdata.test.ts only.
set -eu

SRC=${CS_NETDATA_SRC:-/etc/cs-netdata}
DST=${CS_NETDATA_DST:-/etc/netdata}
NEXT=${CS_NETDATA_EXEC:-/usr/sbin/run.sh}

if [ -z "${METRICS_TOKEN:-}" ]; then
  echo "cs-netdata: METRICS_TOKEN is not set (.env.prod); the api and worker metrics cannot be scraped" >&2
  exit 1
fi

# render SRC_FILE DST_FILE [PLACEHOLDER VALUE]...: copy with placeholders replaced, readable by netdata only.
render() {
  in=$1 out=$2
  shift 2
  tmp="$out.tmp.$$"
  cp "$in" "$tmp"
  while [ $# -ge 2 ]; do
    # escape the value for the replacement side of s|||
    esc=$(printf '%s' "$2" | sed -e 's/[|&\\]/\\&/g')
    sed -e "s|$1|$esc|g" "$tmp" >"$tmp.next"
    mv "$tmp.next" "$tmp"
    shift 2
  done
  chmod 0640 "$tmp"
  chgrp netdata "$tmp" 2>/dev/null || chmod 0644 "$tmp"
  mv "$tmp" "$out"
}

mkdir -p "$DST/go.d" "$DST/health.d"

render "$SRC/go.d/prometheus.conf" "$DST/go.d/prometheus.conf" __METRICS_TOKEN__ "$METRICS_TOKEN"
render "$SRC/go.d/httpcheck.conf" "$DST/go.d/httpcheck.conf"
render "$SRC/health.d/course-supporter.conf" "$DST/health.d/course-supporter.conf"

TG_TOKEN=${TELEGRAM_BOT_TOKEN:-}
TG_CHAT=${TELEGRAM_CHAT_ID:-}
case "$TG_TOKEN $TG_CHAT" in
  *CHANGE_ME*) TG_TOKEN="" ;;
esac
render "$SRC/health_alarm_notify.conf" "$DST/health_alarm_notify.conf" \
  __TELEGRAM_BOT_TOKEN__ "$TG_TOKEN" __TELEGRAM_CHAT_ID__ "$TG_CHAT"
if [ -z "$TG_TOKEN" ] || [ -z "$TG_CHAT" ]; then
  echo "cs-netdata: TELEGRAM_BOT_TOKEN / TELEGRAM_CHAT_ID not set; Telegram notifications are off" >&2
  printf '\nSEND_TELEGRAM="NO"\n' >>"$DST/health_alarm_notify.conf"
fi

exec "$NEXT" "$@"
