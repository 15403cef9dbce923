#!/usr/bin/env bash
# The release build: what scripts/run.sh serves, what the Dockerfile ships
# and what scripts/test.sh builds and starts. Leaves the server binary in
# $CARGO_TARGET_DIR/release/reestr and the site (WASM, JS, CSS, assets) in
# target/site.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
cargo leptos build --release
