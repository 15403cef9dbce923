#!/usr/bin/env bash
# Builds Reestr in release mode and serves http://localhost:3000 with the
# embedded defaults (no Redis, no Postgres), reading registries.yaml.
#   scripts/run.sh [ARGS]         ARGS go to `reestr serve` (e.g. --listen 0.0.0.0:3000)
#   scripts/run.sh --demo [ARGS]  instead browses a throwaway local registry
#                                 filled with the test images (works offline);
#                                 it is removed when the server stops
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
demo=false
if [ "${1:-}" = --demo ]; then
  demo=true
  shift
fi
bash "$root/scripts/setup.sh" "$([ "$demo" = true ] && echo demo || echo run)"
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
if [ "$demo" = false ]; then
  exec "$bin" --config "${REESTR_CONFIG:-$root/registries.yaml}" serve "$@"
fi

# The demo: Debian's docker-registry on a free loopback port, filled by
# end2end/registry.sh exactly as the tests fill theirs.
work=$(mktemp -d "${TMPDIR:-/tmp}/reestr-demo.XXXXXX")
trap 'bash "$root/end2end/registry.sh" stop "$work/registry"; rm -rf "$work"' EXIT
host=$(bash "$root/end2end/registry.sh" start "$work/registry" | tail -n 1)
printf '\033[1mdemo:\033[0m filling the registry at %s with the test images (about a minute)\n' "$host" >&2
bash "$root/end2end/registry.sh" seed "$host"
cat >"$work/registries.yaml" <<YAML
registries:
  - id: demo
    displayName: Demo registry
    description: A throwaway registry filled with Reestr's test images; it goes when scripts/run.sh --demo stops.
    baseUrl: http://$host
    auth: { type: anonymous }
    tls: { allowHttp: true }
    capabilities: { supportsReadme: true, supportsMetrics: true, supportsSbom: true }
YAML
printf '\033[1mdemo:\033[0m registries in %s\n' "$work/registries.yaml" >&2
# Its accounts live and go with it too, unless REESTR_DATA_DIR says otherwise.
REESTR_DATA_DIR="${REESTR_DATA_DIR:-$work}" "$bin" --config "$work/registries.yaml" serve "$@"
