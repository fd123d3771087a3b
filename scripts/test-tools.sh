#!/usr/bin/env bash
# Tools only the test suite needs: Debian's nginx (the nginx config is validated and driven in tests),
# docker-compose (compose files are validated with `docker-compose config`) and Debian's prometheus (it scrapes
# the API and the worker in test/deploy/prometheus.int.test.ts). No Docker engine is needed.
set -euo pipefail
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[test-tools] installing ${missing[*]}"
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts nginx on install where it can; the tests run their own instances.
  as_root service nginx stop >/dev/null 2>&1 || true
  as_root service prometheus stop >/dev/null 2>&1 || true
fi
