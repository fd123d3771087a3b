#!/usr/bin/env bash
# Generates the Prisma client (TypeScript, into shared/src/db/generated/).
# Prisma 7's CLI wants to download a native schema engine even for `generate`, which only needs WebAssembly;
# offline it fails. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that download (see
# shared/DESIGN.md §6). Where the binary can be downloaded (Docker builds) an explicit value wins.
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-$(type -P true)}
export PRISMA_HIDE_UPDATE_MESSAGE=1
exec node node_modules/prisma/build/index.js generate --schema prisma/schema.prisma
