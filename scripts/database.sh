#!/usr/bin/env bash
# Finds a MySQL/MariaDB server and prints its URL (without a database name):
#   1. the server of DATABASE_URL, when set;
#   2. a server on 127.0.0.1:3306 that lets root in without a password;
#   3. otherwise a project-local MariaDB under .switchyard/mariadb (port 3307 or
#      SWITCHYARD_LOCAL_DB_PORT), installed and started here when needed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [ -n "${DATABASE_URL:-}" ]; then
  parse_db_url "$DATABASE_URL"
  echo "${DATABASE_URL%/"$DB_NAME"}"
  exit 0
fi

if db_client mysql://root@127.0.0.1:3306 --connect-timeout=2 -e 'SELECT 1' >/dev/null 2>&1; then
  echo mysql://root@127.0.0.1:3306
  exit 0
fi

port=${SWITCHYARD_LOCAL_DB_PORT:-3307}
dir="$STATE/mariadb"
url=mysql://root@127.0.0.1:$port
if db_client "$url" --connect-timeout=2 -e 'SELECT 1' >/dev/null 2>&1; then
  echo "$url"
  exit 0
fi

mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
[ -x "$mariadbd" ] || { apt_install mariadb-server; mariadbd=/usr/sbin/mariadbd; }

mkdir -p "$dir"
if [ ! -d "$dir/data/mysql" ]; then
  say "creating a project-local MariaDB in $dir"
  mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
    --skip-test-db >"$dir/install.log" 2>&1 || die "mariadb-install-db failed; see $dir/install.log"
fi

say "starting the project-local MariaDB on 127.0.0.1:$port"
user_flag=(); [ "$(id -u)" = 0 ] && user_flag=(--user=root)
setsid "$mariadbd" --no-defaults --datadir="$dir/data" --socket="$dir/mysqld.sock" \
  --pid-file="$dir/mysqld.pid" --port="$port" --bind-address=127.0.0.1 \
  --log-error="$dir/error.log" "${user_flag[@]}" </dev/null >/dev/null 2>&1 &

for _ in $(seq 1 60); do
  if db_client "$url" --connect-timeout=1 -e 'SELECT 1' >/dev/null 2>&1; then
    echo "$url"
    exit 0
  fi
  sleep 0.5
done
die "the project-local MariaDB did not start; see $dir/error.log"
