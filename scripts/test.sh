#!/usr/bin/env bash
# Every test: dependencies and services (as for `npm run up`), typecheck, lint, then the whole vitest suite
# against the real Postgres+pgvector, Redis and S3 endpoint. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/test-tools.sh
echo "[test] typecheck"; npx tsc -p tsconfig.json --noEmit
echo "[test] lint"; npx eslint --max-warnings=0 .
mkdir -p var
echo "[test] vitest"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=var/test-results.json "$@" || status=$?
# One plain summary line, alone on its line, that CI and humans read the same way.
node -e '
  const r = JSON.parse(require("fs").readFileSync("var/test-results.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit $status
