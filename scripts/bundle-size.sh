#!/usr/bin/env bash
# Prints the size of what the browser downloads from the release build (raw and gzip),
# building it first when a source changed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/tools.sh" build
build_release >&2
cd "$ROOT/target/site/pkg"
printf '%-16s %12s %12s\n' file raw gzip
for file in switchyard.wasm switchyard.js switchyard.css; do
  printf '%-16s %12d %12d\n' "$file" "$(wc -c <"$file")" "$(gzip -9c "$file" | wc -c)"
done
