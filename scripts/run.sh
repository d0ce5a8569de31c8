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

cd "$ROOT"
# Rebuild only when a source changed since the last good build: cargo-leptos would
# otherwise redo the WASM post-processing (half a minute) on every start.
stamp="$STATE/release.stamp"
sources=(app frontend server style migrations Cargo.toml Cargo.lock)
if [ ! -x target/release/server ] || [ ! -f "$stamp" ] \
   || [ -n "$(find "${sources[@]}" -newer "$stamp" -print -quit)" ]; then
  say "building Switchyard (release; the first build takes several minutes)"
  mkdir -p "$STATE" && touch "$stamp.next"   # taken before the build: edits made during it count
  cargo leptos build --release
  mv "$stamp.next" "$stamp"
fi
say "starting Switchyard on http://$SWITCHYARD_ADDR"
exec target/release/server
