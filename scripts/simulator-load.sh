#!/usr/bin/env bash
# `make simulator-load`: hammers the platform simulator of the release build and prints
# what it stood: requests per second and p99 for health reads, for changes (traffic cuts
# and restores, each a new operation) and for bad calls (each must get a 4xx), and the
# simulator's resident memory before, at its peak and after. The simulator runs alone
# (`server simulator`, demo estate, zero latency) on a free port; load is bounded (10 s per
# kind, 2 threads, 64 connections) and goes to 127.0.0.1 only. A benchmark: it prints.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/tools.sh" build
command -v wrk >/dev/null || apt_install wrk
build_release

port=$(free_port)
base="http://127.0.0.1:$port"
work=$(mktemp -d)
(cd "$ROOT" && SWITCHYARD_LOG=warn exec target/release/server simulator \
  --simulator-addr "127.0.0.1:$port" --simulator-timing zero --simulator-password load-test) >"$work/sim.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  curl -fsS -u switchyard:load-test "$base/v1/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/sim.log" >&2; die "the simulator did not start"; }
  sleep 0.2
done

rss_mb() { awk -v f="$1" '$1 == f":" { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
# wrk's requests/s and p99 (ms) for one kind of load; extra lines wrk printed follow.
load() {
  wrk -t2 -c64 -d10s --latency "$@" "$base" >"$work/wrk.txt" 2>&1
  awk '/Requests\/sec/ { rate = $2 }
       $1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
                     else if (v ~ /ms$/) { sub(/ms/, "", v) }
                     else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
                     p99 = v }
       /Non-2xx/ { non2xx = $NF }
       END { printf "%.0f req/s, p99 %.1f ms", rate, p99 }' "$work/wrk.txt"
  grep -h "answers outside 4xx" "$work/wrk.txt" | sed 's/^/, /' | tr -d '\n' || true
}

before=$(rss_mb VmRSS)
say "health reads"
health=$(load -H "Authorization: Basic c3dpdGNoeWFyZDpsb2FkLXRlc3Q=" "$base/v1/health")
say "changes: traffic cuts and restores, a new key each"
changes=$(load -s "$ROOT/scripts/simulator-load/changes.lua")
say "bad calls"
garbage=$(load -s "$ROOT/scripts/simulator-load/garbage.lua")
peak=$(rss_mb VmHWM)
after=$(rss_mb VmRSS)
curl -fsS -u switchyard:load-test "$base/v1/health" >/dev/null || die "the simulator stopped answering"

printf '\n%-34s %s\n' "load (10 s, 64 connections)" "measured"
printf '%-34s %s\n' "health reads" "$health"
printf '%-34s %s\n' "changes (new operation each)" "$changes"
printf '%-34s %s\n' "bad calls" "$garbage"
printf '%-34s %s MB before, %s MB peak, %s MB after\n' "resident memory" "$before" "$peak" "$after"
printf '%-34s %s\n' "still answering afterwards" "yes"
