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

# Starts the release build with demo data, its simulator on a free port too, over the
# fresh database `switchyard_$1_<pid>` on the server $2, logging to $3; sets SERVER_PID
# and BASE, and waits until it is ready. Set `trap stop_release EXIT` first.
start_release() {
  RELEASE_DB_SERVER=$2
  RELEASE_DB=switchyard_$1_$$
  local log=$3 port
  port=$(free_port)
  SIM_PORT=$(free_port)
  BASE="http://127.0.0.1:$port"
  (cd "$ROOT" && DATABASE_URL="$RELEASE_DB_SERVER/$RELEASE_DB" SWITCHYARD_ADDR="127.0.0.1:$port" \
    SWITCHYARD_DEMO=1 SWITCHYARD_SIMULATOR=1 SWITCHYARD_SIMULATOR_ADDR="127.0.0.1:$SIM_PORT" \
    SWITCHYARD_LOG=warn \
    exec target/release/server) >"$log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$SERVER_PID" "$BASE" "$log"
}

# What `make bench` and `make abuse` start from: the tools ($2: build or test) and wrk,
# the release build, and that build started for $1 (see start_release) on the database
# server `make run` would use or TEST_DATABASE_URL; sets WORK, a scratch folder removed
# at exit, besides what start_release sets.
start_release_to_measure() {
  "$ROOT/scripts/tools.sh" "$2"
  command -v wrk >/dev/null || apt_install wrk
  local server
  server=${TEST_DATABASE_URL:-$("$ROOT/scripts/database.sh")}
  build_release
  WORK=$(mktemp -d)
  trap 'stop_release; rm -rf "$WORK"' EXIT
  start_release "$1" "$server" "$WORK/server.log"
}

# Stops what start_release started and drops its database.
stop_release() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  db_client "$RELEASE_DB_SERVER" -e "DROP DATABASE IF EXISTS \`$RELEASE_DB\`" || true
  SERVER_PID=
}

# The release server's resident memory in MB: `rss_mb VmRSS` now, `rss_mb VmHWM` at
# its peak (the server start_release started).
rss_mb() { awk -v f="$1" '$1 == f":" { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }

# wrk's p50 and p99 in ms and its requests per second: `wrk_figures ARGS...`; fails
# when any answer was not a 2xx.
wrk_figures() {
  wrk --latency "$@" | awk '
    function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 }
                     if (v ~ /ms$/) { sub(/ms/, "", v); return v }
                     if (v ~ /s$/)  { sub(/s/, "", v);  return v * 1000 } }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    $1 == "Requests/sec:" { rate = $2 }
    /Non-2xx/ { bad = $NF }
    END { if (bad) { print "non-2xx answers: " bad > "/dev/stderr"; exit 1 }
          printf "%.1f %.1f %.0f\n", p50, p99, rate }'
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# The release build that `make run` serves (server, and the browser bundle through
# wasm-bindgen and wasm-opt, its files named by a hash of their content and stored beside
# brotli and gzip copies), redone only when a source changed since the last good one:
# cargo-leptos would otherwise redo the WASM post-processing on every call. A failed
# build fails the caller.
build_release() {
  local stamp="$STATE/release.stamp" built="$STATE/release.binary"
  local sources=(app frontend server style migrations Cargo.toml Cargo.lock .cargo)
  local binary="$ROOT/target/release/server"
  # `cargo bench` writes its own build of the server to the same place: the one we
  # built is the one whose time and size we noted.
  if [ -x "$binary" ] && [ -f "$ROOT/target/release/hash.txt" ] && [ -f "$stamp" ] \
     && [ "$(cat "$built" 2>/dev/null)" = "$(stat -c '%Y %s' "$binary")" ] \
     && [ -z "$(cd "$ROOT" && find "${sources[@]}" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  say "building Switchyard (release; the first build takes several minutes)"
  mkdir -p "$STATE" && touch "$stamp.next"   # taken before the build: edits made during it count
  (cd "$ROOT" && cargo leptos build --release --precompress --split)
  # cargo-leptos' gzip copies are a fifth larger than gzip -9's, and gzip is what a
  # browser that takes no brotli gets.
  local file
  while read -r file; do gzip -9 -n -c "$file" >"$file.gz"; done \
    < <(find "$ROOT/target/site/pkg" -type f ! -name '*.gz' ! -name '*.br')
  stat -c '%Y %s' "$binary" >"$built"
  mv "$stamp.next" "$stamp"
}

# The files every page loads first (WASM, JS, CSS, the loader of the lazy chunks), by
# the hashed names the last release build gave them.
bundle_files() {
  local kind hash
  while IFS=': ' read -r kind hash; do
    case $kind in
      wasm|js|css) echo "$ROOT/target/site/pkg/switchyard.$hash.$kind" ;;
      split) echo "$ROOT/target/site/pkg/__wasm_split.$hash.js" ;;
    esac
  done <"$ROOT/target/release/hash.txt"
}
