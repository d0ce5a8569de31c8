#!/usr/bin/env bash
# Startup smoke check: starts Switchyard exactly as `make run` does (scripts/run.sh: the
# release build, demo data) over a fresh database on a free port, then checks in Chromium
# that it answers /readyz, that its simulator answers, serves a page that hydrates, and
# lets a demo user sign in.
# Expects the release build and the test tools to be there (scripts/test.sh sees to both).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

server=$("$ROOT/scripts/database.sh")
port=$(free_port)
sim_port=$(free_port)
db=switchyard_smoke_$$
log="$STATE/smoke.log"
mkdir -p "$STATE"

env -u DATABASE_URL SWITCHYARD_DB_NAME="$db" SWITCHYARD_ADDR="127.0.0.1:$port" \
  SWITCHYARD_SIMULATOR_ADDR="127.0.0.1:$sim_port" SWITCHYARD_LOG=warn \
  "$ROOT/scripts/run.sh" >"$log" 2>&1 &
pid=$!
stop() {
  kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  db_client "$server" -e "DROP DATABASE IF EXISTS \`$db\`" || true
}
trap stop EXIT

wait_ready "$pid" "http://127.0.0.1:$port" "$log"
# The simulator wants the password generated beside the secret key on first start.
curl -fsS -u "switchyard:$(cat "$ROOT/.switchyard/simulator.password")" \
  "http://127.0.0.1:$sim_port/v1/health" >/dev/null \
  || { cat "$log" >&2; die "the built-in simulator does not answer on 127.0.0.1:$sim_port"; }

cd "$ROOT/end2end"
SMOKE_BASE_URL="http://127.0.0.1:$port" npx playwright test --config smoke.config.ts \
  || { cat "$log" >&2; die "the startup smoke check failed"; }
