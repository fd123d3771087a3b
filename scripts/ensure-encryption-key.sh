#!/usr/bin/env bash
# Gives the env file (default .env) an APP_ENCRYPTION_KEY when it has none or an empty one: 32 random bytes as
# 64 hex characters (the format shared/src/config/schema.ts accepts), so webhook secrets work from a fresh clone.
# Never replaces a value: neither one already in the file nor one set in the environment (which wins over .env).
set -euo pipefail
file=${1:-.env}
[ -z "${APP_ENCRYPTION_KEY:-}" ] || exit 0
touch "$file"
# The value the app will read: Node's own .env parser (util.parseEnv, the grammar process.loadEnvFile uses).
value=$(node -e 'const v = require("node:util").parseEnv(require("node:fs").readFileSync(process.argv[1], "utf8")).APP_ENCRYPTION_KEY; process.stdout.write((v ?? "").trim())' "$file")
[ -z "$value" ] || exit 0
key=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))')
[[ $key =~ ^[0-9a-f]{64}$ ]] || { echo "[env] could not generate APP_ENCRYPTION_KEY" >&2; exit 1; }
empty='^[[:space:]]*(export[[:space:]]+)?APP_ENCRYPTION_KEY=[[:space:]]*(""|'"''"')?[[:space:]]*(#.*)?$'
if grep -qE "$empty" "$file"; then
  # Fill the empty assignment(s) in place, keeping their comment.
  sed -i -E "s/$empty/\1APP_ENCRYPTION_KEY=$key \3/; s/^([[:space:]]*(export[[:space:]]+)?APP_ENCRYPTION_KEY=$key) $/\1/" "$file"
else
  [ ! -s "$file" ] || [ -z "$(tail -c 1 "$file")" ] || echo >> "$file"
  echo "APP_ENCRYPTION_KEY=$key" >> "$file"
fi
echo "[env] generated APP_ENCRYPTION_KEY into $file (keep it: it decrypts the stored webhook secrets)"
