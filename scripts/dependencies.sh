#!/usr/bin/env bash
# The dependency check of `make test` (cargo deny, settings in deny.toml): no crate with
# a known vulnerability or yanked, only allowed licenses, no OpenSSL, crates.io only.
# The advisory database is refreshed first; where that fails (no way out to GitHub), the
# check runs offline against the copy fetched last, saying its date (yanked versions are
# then judged from the local crates.io cache). With no copy at all (a new machine that
# cannot reach GitHub, where no package registry carries the database), the licenses,
# bans and sources are still checked, and the output says in capitals that advisories
# were not.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

offline=()
checks=()
if cargo deny --log-level error fetch db; then
  say "advisory database refreshed"
else
  offline=(--offline)
  db=$(find "${CARGO_HOME:-$HOME/.cargo}/advisory-dbs" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -1)
  if [ -n "$db" ]; then
    say "cannot refresh the advisory database; checking against the copy of $(git -C "$db" log -1 --format=%cs 2>/dev/null || echo 'an unknown date')"
  else
    printf '\033[1;31mADVISORIES NOT CHECKED:\033[0m the advisory database (github.com/rustsec/advisory-db) cannot be fetched and this machine has no copy; checking licenses, bans and sources only\n' >&2
    checks=(licenses bans sources)
  fi
fi
cargo deny --log-level warn "${offline[@]}" check "${checks[@]}"
