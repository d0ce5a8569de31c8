#!/usr/bin/env bash
# `make run`: install what is missing, find or start a database, build, migrate, serve.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/tools.sh" build
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL="$("$ROOT/scripts/database.sh")/switchyard"
fi
export DATABASE_URL
export SWITCHYARD_ADDR=${SWITCHYARD_ADDR:-127.0.0.1:3000}
export SWITCHYARD_DEMO=${SWITCHYARD_DEMO:-1}
export LEPTOS_SITE_ADDR=$SWITCHYARD_ADDR

build_release
say "starting Switchyard on http://$SWITCHYARD_ADDR"
cd "$ROOT"
exec target/release/server
