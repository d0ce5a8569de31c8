#!/usr/bin/env bash
# `make run`: install what is missing, find or start a database, build, migrate, serve.
# With DATABASE_URL set, that account is used for everything; otherwise see below.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/tools.sh" build
if [ -z "${DATABASE_URL:-}" ]; then
  # The server found (or started) here owns the schema; Switchyard serves as an account
  # that may read and write its tables but only append to the audit log.
  owner="$("$ROOT/scripts/database.sh")"
  db=${SWITCHYARD_DB_NAME:-switchyard}
  password_file="$STATE/serving-account.password"
  mkdir -p "$STATE"
  [ -s "$password_file" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$password_file")
  password=$(cat "$password_file")
  db_client "$owner" -e "CREATE USER IF NOT EXISTS 'switchyard_app'@'%' IDENTIFIED BY '$password';
                         ALTER USER 'switchyard_app'@'%' IDENTIFIED BY '$password'"
  parse_db_url "$owner"
  export SWITCHYARD_OWNER_DATABASE_URL="$owner/$db"
  DATABASE_URL="mysql://switchyard_app:$password@$DB_HOST:$DB_PORT/$db"
fi
export DATABASE_URL
export SWITCHYARD_ADDR=${SWITCHYARD_ADDR:-127.0.0.1:3000}
export SWITCHYARD_DEMO=${SWITCHYARD_DEMO:-1}
# The built-in platform simulator the demo connection configs point at.
export SWITCHYARD_SIMULATOR=${SWITCHYARD_SIMULATOR:-1}
export LEPTOS_SITE_ADDR=$SWITCHYARD_ADDR

build_release
say "starting Switchyard on http://$SWITCHYARD_ADDR"
cd "$ROOT"
exec target/release/server
