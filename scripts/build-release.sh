#!/usr/bin/env bash
# The release build: what scripts/run.sh serves, what the Dockerfile ships
# and what scripts/test.sh builds and starts. Leaves the server binary in
# $CARGO_TARGET_DIR/release/reestr and the site (WASM, JS, CSS, assets, and
# their .br and .gz copies) in target/site.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
cargo leptos build --release --split
# Compressed once, at the best levels, beside each file: the server sends
# these as they are instead of compressing 2 MB of WASM per request.
for f in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css; do
  [ -f "$f" ] || continue
  brotli -f -q 11 -o "$f.br" "$f"
  gzip -f -9 -k "$f"
  touch "$f.br" "$f.gz" # both tools copy the file's time; the server checks copies are not older
done
