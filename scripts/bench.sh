#!/usr/bin/env bash
# `make bench`: how fast Switchyard is, in one table (metric, measured, goal, pass/FAIL).
# Builds the release (what `make run` serves), starts it on free ports with its simulator
# over a fresh demo database, and measures, against 127.0.0.1 only, with bounded load:
#   - signed-in page loads over kept-alive connections (wrk, 4 connections): the console's
#     pages, and the page of an execution of 200 steps that has run;
#   - a server function (`plans/list`);
#   - first pages in Chromium on a 10 Mbit/s, 40 ms line (sign-in; the plans and the
#     execution, signed in): bytes over the wire and the time until each is interactive
#     (end2end/bench/);
#   - the server's resident memory, idle and at its peak under a page and sign-in flood;
#   - the engine, the live channel and the run modes (`cargo bench -p server`): step
#     dispatch, a restart of 1,000 applications, live fan-out to 1,000 watchers, durable
#     journal appends, the switch to degraded mode, reconcile of 100,000 records; two
#     instances: takeover after a kill -9 (20 kills), live frames across instances.
# A benchmark, not a test: `make test` does not run it, and it fails only when it cannot
# measure. The figures depend on the machine; the README keeps the latest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start_release_to_measure bench test

rows=()
# row METRIC MEASURED GOAL VERDICT
row() { rows+=("$1|$2|$3|$4"); }
# at_most VALUE LIMIT: pass when VALUE <= LIMIT.
at_most() { awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 <= g + 0) ? "pass" : "FAIL" }'; }
trim() { sed 's/^ *//; s/ *$//' <<<"$1"; }

say "preparing: the operator signs in, a plan of 200 steps runs through switchover"
read -r COOKIE execution < <(node "$ROOT/scripts/bench/prepare.mjs" "$BASE")
export COOKIE
sleep 2
idle_start=$(rss_mb VmRSS)

pages() {
  PAGES="$1" wrk_figures -t1 -c4 -d"$2"s -s "$ROOT/scripts/bench/pages.lua" "$BASE"
}
say "signed-in pages over kept-alive connections"
read -r p50 p99 rate < <(pages "/plans /plans/1 /steps /environment /executions" 10)
row "SSR pages (/plans, /plans/1, /steps, /environment, /executions), keep-alive, p50 / p99" \
  "$p50 / $p99 ms ($rate/s)" "p99 ≤ 20 ms" "$(at_most "$p99" 20)"
read -r p50 p99 rate < <(pages "/executions/$execution" 10)
row "SSR page of an execution of 200 steps, keep-alive, p50 / p99" \
  "$p50 / $p99 ms ($rate/s)" "p99 ≤ 20 ms" "$(at_most "$p99" 20)"
read -r p50 p99 rate < <(wrk_figures -t1 -c4 -d5s -s "$ROOT/scripts/abuse/read.lua" "$BASE")
row "server function plans/list, keep-alive, p50 / p99" "$p50 / $p99 ms ($rate/s)" "keep it" ""

say "first pages in Chromium on a 10 Mbit/s line with 40 ms round trips"
(cd "$ROOT/end2end" && BENCH_BASE_URL="$BASE" BENCH_OUT="$WORK/first_page.json" \
  BENCH_COOKIE="$COOKIE" BENCH_EXECUTION="$execution" \
  npx playwright test --config bench.config.ts >"$WORK/playwright.log" 2>&1) \
  || { cat "$WORK/playwright.log" >&2; die "the page timing failed"; }
# first_page NAME: "<KB cold> <ms cold> <requests cold> <KB warm>" of one page the
# browser bench opened.
first_page() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]];
    console.log((r.cold_bytes / 1024).toFixed(0), r.cold_ms, r.cold_requests,
      (r.warm_bytes / 1024).toFixed(1))' \
    "$WORK/first_page.json" "$1"
}
both() { [ "$1" = pass ] && [ "$2" = pass ] && echo pass || echo FAIL; }
for page in "sign_in|the sign-in page" "plans|/plans, signed in" \
  "execution|the 200-step execution, signed in"; do
  IFS='|' read -r name label <<<"$page"
  read -r cold_kb cold_ms cold_requests warm_kb < <(first_page "$name")
  row "first page: $label; bytes over the wire and interactive, empty cache, median of 5" \
    "$cold_kb KB in $cold_requests requests, $cold_ms ms" "≤ 400 KB, ≤ 1000 ms" \
    "$(both "$(at_most "$cold_kb" 400)" "$(at_most "$cold_ms" 1000)")"
  row "the same page again, bytes over the wire (bundle cached)" "$warm_kb KB" "" ""
done

say "memory under a flood: 64 connections loading pages, 400 signing in wrongly"
PAGES="/plans /executions/$execution /environment" wrk -t1 -c64 -d15s \
  -s "$ROOT/scripts/bench/pages.lua" "$BASE" >/dev/null 2>&1 &
flood_pages=$!
wrk -t1 -c400 -d15s -s "$ROOT/scripts/abuse/sign_in_flood.lua" "$BASE" >/dev/null 2>&1 &
flood_sign_ins=$!
wait "$flood_pages" "$flood_sign_ins" || true
peak=$(rss_mb VmHWM)
sleep 5
idle_after=$(rss_mb VmRSS)
row "server resident memory, idle (after start and preparation)" "$idle_start MB" "≤ 64 MB" "$(at_most "$idle_start" 64)"
row "server resident memory, peak under the flood" "$peak MB" "≤ 256 MB" "$(at_most "$peak" 256)"
row "server resident memory, idle again after the flood" "$idle_after MB" "≤ 64 MB" "$(at_most "$idle_after" 64)"
stop_release

say "the engine and the live channel (cargo bench; the first run builds them)"
# cargo bench writes its own build of the server where the release is: keep ours.
cp -p "$ROOT/target/release/server" "$WORK/server"
for bench in engine live run_mode instances; do
  (cd "$ROOT" && BENCH_DATABASE_URL="$RELEASE_DB_SERVER" cargo bench -q -p server --bench "$bench") \
    >"$WORK/$bench.txt" 2>&1 || { cat "$WORK/$bench.txt" >&2; die "the $bench bench failed"; }
  while IFS= read -r line; do
    IFS='|' read -r _ metric measured goal verdict _ <<<"$line"
    row "$(trim "$metric")" "$(trim "$measured")" "$(trim "$goal")" "$(trim "$verdict")"
  done < <(grep '^| ' "$WORK/$bench.txt" | grep -v '^| metric' )
done
cp -p "$WORK/server" "$ROOT/target/release/server"

printf '\nSwitchyard bench, %s, %s cores, %s\n\n' "$(date -u +%F)" "$(nproc)" \
  "$(db_client "$RELEASE_DB_SERVER" -N -e 'SELECT VERSION()' 2>/dev/null || echo 'database unknown')"
printf '| metric | measured | goal | |\n|---|---|---|---|\n'
for r in "${rows[@]}"; do
  IFS='|' read -r metric measured goal verdict <<<"$r"
  printf '| %s | %s | %s | %s |\n' "$metric" "$measured" "$goal" "$verdict"
done
