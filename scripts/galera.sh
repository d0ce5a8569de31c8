#!/usr/bin/env bash
# A local three-node MariaDB Galera cluster, for `make cluster` and the tests of several
# instances. Each node has its own data directory and ports under .switchyard/galera.
#   scripts/galera.sh start     start the nodes that are not running (Debian's galera-4,
#                               rsync and mariadb-server are installed when missing);
#                               prints the three nodes' URLs, one per line
#   scripts/galera.sh stop      stop every node, the first one last (it restarts the
#                               cluster next time)
#   scripts/galera.sh kill N    kill -9 node N (1, 2 or 3): a data center going dark
#   scripts/galera.sh pid N     the process id of node N
# Ports: SQL 3311-3313 (SWITCHYARD_GALERA_PORT for the first), replication 4611-4613,
# state transfers 4621-4623 and 4631-4633.
# mariadbd runs as the `mysql` user when this runs as root: rsync state transfer refuses
# to run as root.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SQL_BASE=${SWITCHYARD_GALERA_PORT:-3311}
NODES=(1 2 3)
PROVIDER=/usr/lib/galera/libgalera_smm.so

sql_port() { echo $((SQL_BASE + $1 - 1)); }
node_url() { echo "mysql://root@127.0.0.1:$(sql_port "$1")"; }
gcomm_port() { echo $((4610 + $1)); }

# Where the nodes live: .switchyard/galera, unless this runs as root and `mysql` cannot
# reach that folder (a checkout under /root): then a folder of its own under /var/tmp.
galera_dir() {
  local dir="$STATE/galera"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ] && ! runuser -u mysql -- test -x "$dir" 2>/dev/null; then
    dir="/var/tmp/switchyard-galera-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)"
    mkdir -p "$dir"
  fi
  echo "$dir"
}
DIR=$(galera_dir)

as_db_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u mysql -- "$@"; else "$@"; fi
}

answers() { db_client "$(node_url "$1")" --connect-timeout=1 -N -e "$2" 2>/dev/null; }

# The node is whatever listens on its port: a cluster another checkout started there is
# found, used, killed and stopped like this one's own.
pid_of() {
  local pid
  pid=$(ss -Hltnp "sport = :$(sql_port "$1")" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [ -n "$pid" ] && echo "$pid"
}

install_missing() {
  local missing=()
  command -v ss >/dev/null || missing+=(iproute2)
  [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  [ -f "$PROVIDER" ] || missing+=(galera-4)
  command -v rsync >/dev/null || missing+=(rsync)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

write_config() {
  local n=$1 node="$DIR/node$1" peers=""
  for other in "${NODES[@]}"; do peers+="127.0.0.1:$(gcomm_port "$other"),"; done
  cat >"$node/my.cnf" <<EOF
[mysqld]
datadir=$node/data
socket=$node/mysqld.sock
pid-file=$node/mysqld.pid
log-error=$node/error.log
port=$(sql_port "$n")
bind-address=127.0.0.1
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
innodb_flush_log_at_trx_commit=2
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=switchyard
wsrep_cluster_address=gcomm://${peers%,}
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$(gcomm_port "$n")
wsrep_provider_options="base_port=$(gcomm_port "$n");ist.recv_addr=127.0.0.1:$((4620 + n));gcache.size=64M"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((4630 + n))
EOF
}

start_node() {
  local n=$1 node="$DIR/node$1" bootstrap=()
  [ -n "$(pid_of "$n" || true)" ] && return 0
  mkdir -p "$node"
  if [ ! -d "$node/data/mysql" ]; then
    mkdir -p "$node/data"
    [ "$(id -u)" = 0 ] && chown -R mysql:mysql "$node"
    as_db_user mariadb-install-db --no-defaults --datadir="$node/data" \
      --auth-root-authentication-method=normal --skip-test-db >"$node/install.log" 2>&1 \
      || die "mariadb-install-db failed for node $n; see $node/install.log"
  fi
  write_config "$n"
  [ "$(id -u)" = 0 ] && chown -R mysql:mysql "$node"
  # The first node starts a new cluster when no other node runs: after `stop` it was the
  # last to leave; after a crash of all three, this is a rehearsal cluster, so it may.
  if [ "$n" = 1 ] && [ -z "$(pid_of 2 || true)$(pid_of 3 || true)" ]; then
    bootstrap=(--wsrep-new-cluster)
    [ -f "$node/data/grastate.dat" ] \
      && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$node/data/grastate.dat"
  fi
  say "starting Galera node $n on 127.0.0.1:$(sql_port "$n")"
  as_db_user setsid /usr/sbin/mariadbd --defaults-file="$node/my.cnf" "${bootstrap[@]}" \
    </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 240); do
    if [ "$(answers "$n" "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS \
         WHERE VARIABLE_NAME = 'wsrep_ready'")" = ON ]; then
      return 0
    fi
    sleep 0.5
  done
  tail -30 "$node/error.log" >&2 || true
  die "Galera node $n did not become ready; see $node/error.log"
}

start() {
  install_missing
  for n in "${NODES[@]}"; do start_node "$n"; done
  for _ in $(seq 1 120); do
    [ "$(answers 1 "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS \
        WHERE VARIABLE_NAME = 'wsrep_cluster_size'")" = 3 ] && break
    sleep 0.5
  done
  for n in "${NODES[@]}"; do node_url "$n"; done
}

stop_node() {
  local pid
  pid=$(pid_of "$1" || true)
  [ -n "$pid" ] || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) for n in 3 2 1; do stop_node "$n"; done ;;
  kill)
    pid=$(pid_of "${2:?which node}" || true)
    [ -n "$pid" ] && kill -KILL "$pid"
    ;;
  pid) pid_of "${2:?which node}" ;;
  *) die "usage: scripts/galera.sh start|stop|kill N|pid N" ;;
esac
