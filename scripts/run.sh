#!/usr/bin/env bash
# Builds Reestr in release mode and serves http://localhost:3000 with the
# embedded defaults (no Redis, no Postgres), reading registries.yaml.
# Extra arguments go to `reestr serve` (e.g. --listen 0.0.0.0:3000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$root/scripts/setup.sh" run
cd "$root"
# cargo-leptos reruns wasm-bindgen and wasm-opt (~30 s) even when nothing
# changed; skip the build when the sources and the binary are as last built.
bin="$CARGO_TARGET_DIR/release/reestr"
stamp="$root/target/site/.reestr-release"
sources() { { git rev-parse HEAD; git status --porcelain; git diff; } 2>/dev/null | sha256sum | cut -c1-32; }
built() { [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sources) $(stat -c %Y "$bin")" ]; }
if ! built; then
  bash "$root/scripts/build-release.sh"
  echo "$(sources) $(stat -c %Y "$bin")" >"$stamp"
fi
export LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_ENV=PROD
exec "$CARGO_TARGET_DIR/release/reestr" --config "${REESTR_CONFIG:-$root/registries.yaml}" serve "$@"
