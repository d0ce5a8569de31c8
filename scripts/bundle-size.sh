#!/usr/bin/env bash
# Prints the size of what the browser downloads from the release build: raw, gzip -9, and
# brotli as served (the build's own precompressed copy), building it first when a source
# changed. The files every page loads come first; then, for each area of lazy pages, the
# chunks its pages load when the first of them is shown (shared chunks counted in every
# area that needs them); then all lazy chunks together.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/tools.sh" build
build_release >&2
sizes() { # NAME FILES...: one line, the files' sizes summed
  local name=$1 raw=0 gz=0 br=0 file; shift
  for file; do
    raw=$((raw + $(wc -c <"$file"))); gz=$((gz + $(wc -c <"$file.gz"))); br=$((br + $(wc -c <"$file.br")))
  done
  printf '%-32s %12d %12d %12d\n' "$name" "$raw" "$gz" "$br"
}
printf '%-32s %12s %12s %12s\n' file raw gzip brotli
while read -r file; do
  name=$(basename "$file"); sizes "${name%%.*}.${name##*.}" "$file"
done < <(bundle_files)
# The split manifest: each lazy function (an area, app/src/routes.rs) and its chunks.
manifest=$(sed -n 's/^manifest: *//p' "$ROOT/target/release/hash.txt")
areas=$(node -e '
  const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const [name, files] of Object.entries(m))
    console.log(name.replace(/_[0-9]+$/, ""), ...files.map((f) => `${f}.wasm`));
  console.log("every_area", ...new Set(Object.values(m).flat().map((f) => `${f}.wasm`)));' \
  "$ROOT/target/site/pkg/__wasm_split_manifest.$manifest.json")
while read -r area files; do
  read -ra files <<<"$files"
  sizes "$area: ${#files[@]} files" "${files[@]/#/$ROOT/target/site/pkg/}"
done <<<"$areas"
