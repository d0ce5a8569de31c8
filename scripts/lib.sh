# Shared helpers for the scripts behind `make run` and `make test`. Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="$ROOT/.switchyard"   # git-ignored: local database, generated key, tools
export PATH="$HOME/.cargo/bin:$STATE/tools/node_modules/.bin:$PATH"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (install sudo, or run as root)"
  fi
}

APT_UPDATED=
# Installs Debian/Ubuntu packages that are missing.
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* here: no apt-get; install it by hand"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Splits mysql://user:password@host:port/db into DB_USER DB_PASSWORD DB_HOST DB_PORT DB_NAME.
parse_db_url() {
  local rest=${1#mysql://} auth hostport
  if [[ $rest == *@* ]]; then auth=${rest%%@*}; rest=${rest#*@}; else auth=root; fi
  DB_USER=${auth%%:*}
  if [[ $auth == *:* ]]; then DB_PASSWORD=${auth#*:}; else DB_PASSWORD=; fi
  hostport=${rest%%/*}
  DB_NAME=; [[ $rest == */* ]] && DB_NAME=${rest#*/} && DB_NAME=${DB_NAME%%\?*}
  DB_HOST=${hostport%%:*}
  if [[ $hostport == *:* ]]; then DB_PORT=${hostport#*:}; else DB_PORT=3306; fi
}

# The MySQL/MariaDB client, pointed at the server of the URL given.
db_client() {
  parse_db_url "$1"; shift
  MYSQL_PWD="$DB_PASSWORD" mariadb --protocol=tcp -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" "$@"
}

# Waits up to 60 s for the server process $1 to answer $2/readyz; fails, showing its log
# $3, when it exits first or never answers.
wait_ready() {
  local pid=$1 base=$2 log=$3
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "Switchyard exited before it was ready"; }
    curl -fsS "$base/readyz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  cat "$log" >&2
  die "$base/readyz did not answer within 60 s"
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# The release build that `make run` serves (server, and the browser bundle through
# wasm-bindgen and wasm-opt), redone only when a source changed since the last good one:
# cargo-leptos would otherwise redo the WASM post-processing on every call. A failed
# build fails the caller.
build_release() {
  local stamp="$STATE/release.stamp"
  local sources=(app frontend server style migrations Cargo.toml Cargo.lock)
  if [ -x "$ROOT/target/release/server" ] && [ -f "$ROOT/target/site/pkg/switchyard.wasm" ] \
     && [ -f "$stamp" ] && [ -z "$(cd "$ROOT" && find "${sources[@]}" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  say "building Switchyard (release; the first build takes several minutes)"
  mkdir -p "$STATE" && touch "$stamp.next"   # taken before the build: edits made during it count
  (cd "$ROOT" && cargo leptos build --release)
  mv "$stamp.next" "$stamp"
}
