#!/usr/bin/env bash
# `make abuse`: what an anonymous flood and a hostile import cost. Builds the release
# server, starts it on a free port over a fresh demo database, and prints one table:
#   - p99 of a signed-in operator's reads, quiet and during a flood of 240 parallel
#     wrong sign-ins (goal: p99 <= 50 ms during the flood). Everything here comes from
#     127.0.0.1, and one address may hold 256 connections: a bigger flood would shut out
#     the operator's reads too, which from another address would go on;
#   - the server's peak resident memory (goal: <= 256 MB);
#   - how long refusing a plan import of 200 / 1,000 / 10,000 invalid steps takes;
#   - the live channel: what one session gets of 100 channels, the instance's cap
#     reached by 64 accounts of readers that never read (memory goal: <= 128 MB), and how
#     soon they are dropped;
#   - how soon 300 connections that send half a request header are closed, on the
#     console and the simulator (goal: within the 10 s header timeout).
# Load is bounded and goes to 127.0.0.1 only. A benchmark, not a test: it prints figures.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start_release_to_measure abuse build

# Signs in as a demo user; prints the session cookie.
cookie_of() {
  curl -fsS -o /dev/null -D - -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"switchyard\"}" "$BASE/api/auth/sign_in" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1
}
COOKIE=$(cookie_of operator)
export COOKIE
[ -n "$COOKIE" ] || die "the demo operator could not sign in"

# p99 (ms) of signed-in reads over $1 seconds; fails when a read is not answered 2xx.
read_p99() {
  local figures p99
  figures=$(wrk_figures -t1 -c2 -d"$1"s -s "$ROOT/scripts/abuse/read.lua" "$BASE") \
    || die "signed-in reads were refused"
  read -r _ p99 _ <<<"$figures"
  echo "$p99"
}
say "signed-in reads, quiet"
quiet=$(read_p99 5)
before=$(rss_mb VmRSS)
say "signed-in reads during 240 parallel wrong sign-ins"
wrk -t1 -c240 -d14s -s "$ROOT/scripts/abuse/sign_in_flood.lua" "$BASE" >"$WORK/flood.txt" 2>&1 &
flood=$!
sleep 2
during=$(read_p99 10)
wait "$flood" || true
flood_rate=$(awk '/Requests\/sec/ { print $2 }' "$WORK/flood.txt")
peak=$(rss_mb VmHWM)
after=$(rss_mb VmRSS)

# Seconds to refuse an import of $1 steps that are all invalid.
import_refusal() {
  node -e '
    const steps = Array.from({ length: +process.argv[1] }, () => ({ opcode: "teleport", params: {} }));
    const doc = { format: "switchyard.plan/1", name: "Abuse", description: "", switchover: steps, recovery: [] };
    process.stdout.write(JSON.stringify({ document: JSON.stringify(doc, null, 2) }));' "$1" >"$WORK/import.json"
  curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -H 'content-type: application/json' \
    -H "cookie: $COOKIE" --data-binary @"$WORK/import.json" "$BASE/api/plans/import"
}
say "hostile imports"
imports=()
for steps in 200 1000 10000; do
  read -r code secs < <(import_refusal "$steps")
  [ "$code" = 422 ] || die "an import of $steps invalid steps answered $code, not 422"
  imports+=("$(awk -v s="$secs" 'BEGIN { printf "%.0f", s * 1000 }')")
done

say "the live channel: one session's tries, then 64 accounts of readers that never read (about 2 minutes)"
if [ ! -d "$STATE/tools/node_modules/ws" ]; then
  npm install --silent --no-audit --no-fund --prefix "$STATE/tools" ws@8 >/dev/null
fi
NODE_PATH="$STATE/tools/node_modules" SIMULATOR_PORT=$SIM_PORT \
  node "$ROOT/scripts/abuse/live.cjs" "$BASE" "$SERVER_PID" >"$WORK/live.json"
live() { node -e 'const f = JSON.parse(require("fs").readFileSync(process.argv[1])); const v = process.argv[2].split(".").reduce((o, k) => (o || {})[k], f); console.log(v ?? 0)' "$WORK/live.json" "$1"; }

verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v != "" && v + 0 <= g + 0) ? "pass" : "FAIL" }'; }
printf '\n%-55s %12s %10s %6s\n' metric measured goal ""
printf '%-55s %9s ms %10s %6s\n' "signed-in read p99, quiet" "$quiet" "" ""
printf '%-55s %9s ms %7s ms %6s\n' "signed-in read p99, during the sign-in flood" "$during" 50 "$(verdict "$during" 50)"
printf '%-55s %9s /s %10s %6s\n' "flood requests answered (401 checked, 429 shed)" "$flood_rate" "" ""
printf '%-55s %9s MB %10s %6s\n' "server resident memory, before the flood" "$before" "" ""
printf '%-55s %9s MB %7s MB %6s\n' "server resident memory, peak" "$peak" 256 "$(verdict "$peak" 256)"
printf '%-55s %9s MB %10s %6s\n' "server resident memory, after the flood" "$after" "" ""
printf '%-55s %9s ms %10s %6s\n' "import refusal, 200 invalid steps (the limit)" "${imports[0]}" "" ""
printf '%-55s %9s ms %10s %6s\n' "import refusal, 1,000 invalid steps" "${imports[1]}" "" ""
printf '%-55s %9s ms %10s %6s\n' "import refusal, 10,000 invalid steps" "${imports[2]}" "" ""
printf '%-55s %9s    %7s    %6s\n' "live channels one session opened, of 100 tried" "$(live one_session.101)" 16 "$(verdict "$(live one_session.101)" 16)"
printf '%-55s %9s    %10s %6s\n' "  closed at once with 4429 (the session's cap)" "$(live one_session.4429)" "" ""
printf '%-55s %9s    %7s    %6s\n' "live channels open, 64 accounts that never read" "$(live open)" 2000 "$(verdict "$(live open)" 2000)"
printf '%-55s %9s    %10s %6s\n' "  readers' channels (57 accounts x 32 tried)" "$(live readers.101)" "" ""
printf '%-55s %9s    %10s %6s\n' "  readers' closed at once with 4503 (room kept)" "$(live readers.4503)" "" ""
printf '%-55s %9s    %10s %6s\n' "  operators' channels (7 accounts x 32 tried)" "$(live operators.101)" "" ""
printf '%-55s %9s MB %7s MB %6s\n' "server resident memory, those channels open" "$(live rss_full_mb)" 128 "$(verdict "$(live rss_full_mb)" 128)"
printf '%-55s %9s s  %7s s  %6s\n' "readers that never read dropped after" "$(live dropped_after_s)" 100 "$(verdict "$(live dropped_after_s)" 100)"
printf '%-55s %9s s  %7s s  %6s\n' "300 half-open sockets all closed, console" "$(live half_open_console_s)" 11 "$(verdict "$(live half_open_console_s)" 11)"
printf '%-55s %9s s  %7s s  %6s\n' "300 half-open sockets all closed, simulator" "$(live half_open_simulator_s)" 11 "$(verdict "$(live half_open_simulator_s)" 11)"
