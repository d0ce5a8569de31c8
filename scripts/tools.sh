#!/usr/bin/env bash
# Installs what building (and, with `test`, testing) Switchyard needs, skipping whatever
# is already there at the right version. Usage: scripts/tools.sh build|test
set -euo pipefail
source "$(dirname "$0")/lib.sh"

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml
CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132           # wasm-opt for release builds; Debian's binaryen is too old
CARGO_DENY_VERSION=0.20.2      # the dependency check of `make test`

command -v cargo >/dev/null && command -v rustup >/dev/null \
  || die "Rust is missing: install rustup (https://rustup.rs), then run this again"

need_cmd() { command -v "$1" >/dev/null; }

# Native build tools: a C compiler and make for crates with C parts (jemalloc builds with
# make), the database client, node (scripts and tests), curl (readiness checks).
missing=()
{ need_cmd cc && need_cmd make; } || missing+=(build-essential)
need_cmd mariadb || missing+=(mariadb-client)
need_cmd node || missing+=(nodejs)
need_cmd npm || missing+=(npm)
need_cmd curl || missing+=(curl)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || { say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes, once)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads --force
fi

if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "$BINARYEN_VERSION" ]; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION)"
  mkdir -p "$STATE/tools"
  npm install --silent --no-audit --no-fund --prefix "$STATE/tools" "binaryen@$BINARYEN_VERSION" >/dev/null
fi

[ "${1:-build}" = test ] || exit 0

for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" \
    || { say "adding $component"; rustup component add "$component"; }
done

if [ "$(cargo deny --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  say "installing cargo-deny $CARGO_DENY_VERSION (about 10 minutes, once)"
  cargo install cargo-deny --locked --version "$CARGO_DENY_VERSION" --force
fi

# Debian's Chromium drives the end-to-end tests; Playwright never downloads a browser.
[ -x /usr/bin/chromium ] || apt_install chromium
# Chinese pages need a CJK font, or the browser draws boxes in tests and screenshots.
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || apt_install fonts-noto-cjk

cd "$ROOT/end2end"
if [ ! -d node_modules/@playwright/test ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing the end-to-end test packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund
fi
