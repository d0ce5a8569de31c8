#!/usr/bin/env bash
# `make cluster`: Switchyard in three data centers on this machine, to rehearse one of
# them going dark. A three-node MariaDB Galera cluster (scripts/galera.sh), the platform
# simulator alone on 127.0.0.1:3910, and three instances of the release build with demo
# data, each on its own node:
#   dc-a in Shanghai-A  http://127.0.0.1:3001  on node 1 (127.0.0.1:3311)
#   dc-b in Hangzhou-B  http://127.0.0.1:3002  on node 2 (127.0.0.1:3312)
#   dc-c in Beijing-C   http://127.0.0.1:3003  on node 3 (127.0.0.1:3313)
# They share the secret key (a session opened on one is good on the others).
#   scripts/cluster.sh start      start what is not running, print the three addresses
#   scripts/cluster.sh dark dc-a  a data center goes dark: its instance and its node are
#                                 killed (kill -9) together
#   scripts/cluster.sh stop       stop everything (`make cluster-stop`)
# Logs and process ids are in .switchyard/cluster.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DIR="$STATE/cluster"
NAMES=(dc-a dc-b dc-c)
DATA_CENTERS=(Shanghai-A Hangzhou-B Beijing-C)
SIMULATOR=127.0.0.1:3910
DATABASE=switchyard_cluster

running() { [ -s "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

start_simulator() {
  running simulator && return 0
  say "starting the platform simulator on http://$SIMULATOR"
  (cd "$ROOT" && SWITCHYARD_LOG=warn exec target/release/server simulator \
    --simulator-addr "$SIMULATOR") >"$DIR/simulator.log" 2>&1 &
  echo $! >"$DIR/simulator.pid"
}

# Starts instance $1 (0, 1 or 2) on the database node URL $2 when it is not running.
start_instance() {
  local i=$1 name=${NAMES[$1]} port=$((3001 + $1))
  running "$name" && return 0
  say "starting $name (${DATA_CENTERS[$i]}) on http://127.0.0.1:$port, database node $((i + 1))"
  (cd "$ROOT" && DATABASE_URL="$2/$DATABASE" SWITCHYARD_ADDR="127.0.0.1:$port" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" SWITCHYARD_INSTANCE="$name" \
    SWITCHYARD_DATA_CENTER="${DATA_CENTERS[$i]}" SWITCHYARD_DEMO=1 \
    SWITCHYARD_SIMULATOR_ADDR="$SIMULATOR" SWITCHYARD_STATE_DIR="$DIR/$name" \
    SWITCHYARD_LOG=${SWITCHYARD_LOG:-info} exec target/release/server) >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

start() {
  "$ROOT/scripts/tools.sh" build
  build_release
  mkdir -p "$DIR"
  local nodes
  mapfile -t nodes < <("$ROOT/scripts/galera.sh" start)
  [ ${#nodes[@]} -eq 3 ] || die "the Galera cluster did not start"
  start_simulator
  # All three at once, as after a power cut: they prepare the database one at a time.
  for i in 0 1 2; do start_instance "$i" "${nodes[$i]}"; done
  for i in 0 1 2; do
    wait_ready "$(cat "$DIR/${NAMES[$i]}.pid")" "http://127.0.0.1:$((3001 + i))" \
      "$DIR/${NAMES[$i]}.log"
  done
  say "Switchyard runs in three data centers (sign in as admin, operator, reviewer or auditor):"
  for i in 0 1 2; do
    echo "  ${NAMES[$i]} in ${DATA_CENTERS[$i]}: http://127.0.0.1:$((3001 + i))"
  done
  say "a data center goes dark: scripts/cluster.sh dark dc-a   stop it all: make cluster-stop"
}

dark() {
  local name=${1:?which instance: dc-a, dc-b or dc-c} i
  for i in 0 1 2; do [ "${NAMES[$i]}" = "$name" ] && break; done
  [ "${NAMES[$i]}" = "$name" ] || die "no instance $name (dc-a, dc-b or dc-c)"
  running "$name" && kill -KILL "$(cat "$DIR/$name.pid")"
  "$ROOT/scripts/galera.sh" kill $((i + 1))
  say "$name and database node $((i + 1)) are dark; start them again with make cluster"
}

stop() {
  local name
  for name in "${NAMES[@]}" simulator; do
    if running "$name"; then
      kill -TERM "$(cat "$DIR/$name.pid")"
      while running "$name"; do sleep 0.2; done
    fi
    rm -f "$DIR/$name.pid"
  done
  "$ROOT/scripts/galera.sh" stop
  say "the cluster is stopped (its data stays in .switchyard; make cluster starts it again)"
}

case "${1:-start}" in
  start) start ;;
  dark) dark "${2:-}" ;;
  stop) stop ;;
  *) die "usage: scripts/cluster.sh start|dark dc-a|stop" ;;
esac
