#!/usr/bin/env bash
# `make test`: install what is missing, then formatting, lints, the dependency check, unit
# tests and integration tests on a real MySQL/MariaDB (debug builds), then the release
# build that `make run` serves: its bundle size, a startup smoke check, and the
# end-to-end tests in Chromium against it. Stops at the first failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/tools.sh" test
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  TEST_DATABASE_URL=$("$ROOT/scripts/database.sh")
fi
export TEST_DATABASE_URL
say "database server for tests: $TEST_DATABASE_URL"

say "formatting"
cargo fmt --all --check

say "lints (server side, browser side)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

say "dependencies: advisories, licenses, sources"
"$ROOT/scripts/dependencies.sh"

say "unit and integration tests"
cargo test -p app --features ssr
cargo test -p server

say "release build: what make run serves"
build_release

say "release bundle size (what the browser downloads)"
"$ROOT/scripts/bundle-size.sh"

say "startup smoke check: make run's path, on a fresh database"
"$ROOT/scripts/smoke.sh"

say "end-to-end tests against the release build"
E2E_PORT=$(free_port)
E2E_SIMULATOR_ADDR=127.0.0.1:$(free_port)
E2E_DB=switchyard_e2e_$$
export E2E_PORT E2E_SIMULATOR_ADDR E2E_DATABASE_URL="$TEST_DATABASE_URL/$E2E_DB"
drop_e2e_db() { db_client "$TEST_DATABASE_URL" -e "DROP DATABASE IF EXISTS \`$E2E_DB\`" || true; }
trap drop_e2e_db EXIT
(cd end2end && npx playwright test)
