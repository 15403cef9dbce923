#!/usr/bin/env bash
# Builds Reestr in release mode and serves http://localhost:3000 with the
# embedded defaults (no Redis, no Postgres), reading registries.yaml.
# Extra arguments go to `reestr serve` (e.g. --listen 0.0.0.0:3000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$root/scripts/setup.sh" run
cd "$root"
cargo leptos build --release
export LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_ENV=PROD
exec "$CARGO_TARGET_DIR/release/reestr" --config "${REESTR_CONFIG:-$root/registries.yaml}" serve "$@"
