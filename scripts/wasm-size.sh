#!/usr/bin/env bash
# Builds the release bundle and reports the size of the browser's WASM (raw and gzip).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/tools.sh" build
cargo leptos build --release >&2
wasm=target/site/pkg/switchyard.wasm
js=target/site/pkg/switchyard.js
css=target/site/pkg/switchyard.css
for file in "$wasm" "$js" "$css"; do
  printf '%-32s raw %9d bytes   gzip %9d bytes\n' "$file" "$(wc -c <"$file")" "$(gzip -9c "$file" | wc -c)"
done
