#!/usr/bin/env bash
# Prints the size of what the browser downloads from the release build: raw, gzip -9, and
# brotli as served (the build's own precompressed copy), building it first when a source
# changed. The files every page loads come first, then the lazy chunks, which a page
# loads when it is first shown.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/tools.sh" build
build_release >&2
sizes() { # NAME FILES...: one line, the files' sizes summed
  local name=$1 raw=0 gz=0 br=0 file; shift
  for file; do
    raw=$((raw + $(wc -c <"$file"))); gz=$((gz + $(wc -c <"$file.gz"))); br=$((br + $(wc -c <"$file.br")))
  done
  printf '%-24s %12d %12d %12d\n' "$name" "$raw" "$gz" "$br"
}
printf '%-24s %12s %12s %12s\n' file raw gzip brotli
while read -r file; do
  name=$(basename "$file"); sizes "${name%%.*}.${name##*.}" "$file"
done < <(bundle_files)
chunks=("$ROOT"/target/site/pkg/chunk_*.wasm)
sizes "${#chunks[@]} lazy chunks" "${chunks[@]}"
