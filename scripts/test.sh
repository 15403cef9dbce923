#!/usr/bin/env bash
# Everything the project checks, in the order CI runs it: formatting, lints
# (server native, front end wasm32), unit and integration tests against a
# real registry, then Playwright in Chromium with and without JavaScript.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$root/scripts/setup.sh" test
cd "$root"

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
started=$SECONDS

step "cargo fmt --check"
cargo fmt --all --check

step "clippy: server (native)"
cargo clippy -p app -p reestr --all-targets -- -D warnings
step "clippy: front end (wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
step "front end, release profile (what scripts/run.sh ships; LTO can fail where debug builds pass)"
cargo build -p frontend --target wasm32-unknown-unknown --profile wasm-release

work=$(mktemp -d)
server_pid=""
stand_in_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$stand_in_pid" ] && kill "$stand_in_pid" 2>/dev/null || true
  end2end/registry.sh stop "$work/registry"
  end2end/registry.sh stop "$work/auth-registry"
  scripts/postgres.sh stop "$work/postgres"
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step "registry: start docker-registry and push test images"
REESTR_TEST_REGISTRY=$(end2end/registry.sh start "$work/registry")
# Tests start more registries (TLS, token auth) over the same storage, read-only.
export REESTR_TEST_REGISTRY REESTR_TEST_REGISTRY_DATA="$work/registry/data"
end2end/registry.sh seed "$REESTR_TEST_REGISTRY"
# A second one that requires basic auth, holding one image.
REESTR_TEST_AUTH_PASSWORD="canary-$RANDOM$RANDOM"
REESTR_TEST_AUTH_REGISTRY=$(end2end/registry.sh start "$work/auth-registry" reader "$REESTR_TEST_AUTH_PASSWORD")
export REESTR_TEST_AUTH_REGISTRY REESTR_TEST_AUTH_PASSWORD
end2end/registry.sh copy "$REESTR_TEST_REGISTRY" "$REESTR_TEST_AUTH_REGISTRY" reader "$REESTR_TEST_AUTH_PASSWORD" team/app:1.0

step "postgres: the running server, or one of our own"
REESTR_TEST_POSTGRES=$(scripts/postgres.sh start "$work/postgres")
export REESTR_TEST_POSTGRES
# Databases earlier runs' tests made (reestr_it_*) are dropped here.
psql "$REESTR_TEST_POSTGRES" -tAc "select datname from pg_database where datname like 'reestr_it_%' or datname like 'reestr_e2e_%'" |
  while read -r db; do psql "$REESTR_TEST_POSTGRES" -qc "drop database if exists $db" >/dev/null || true; done

step "cargo test (unit and integration)"
cargo test -p app -p reestr

step "cargo leptos build"
rm -f target/site/.reestr-release # the site will hold a debug build; run.sh must rebuild
rm -f target/site/pkg/*.br target/site/pkg/*.gz # a release build's compressed copies
cargo leptos build --split

step "end to end: Playwright in Chromium"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/registries.yaml" <<YAML
registries:
  - id: local
    displayName: Local registry
    description: The seeded test registry.
    baseUrl: http://$REESTR_TEST_REGISTRY
    tls: { allowHttp: true }
  - id: offline
    displayName: Offline registry
    baseUrl: http://127.0.0.1:$dead
    tls: { allowHttp: true }
  - id: locked
    displayName: Locked registry
    description: Basic auth; its password is the canary the run checks for.
    baseUrl: http://$REESTR_TEST_AUTH_REGISTRY
    auth: { type: basic }
    tls: { allowHttp: true }
YAML
# GitHub Packages, GitLab and Quay stand-ins (end2end/stand_in.py) beside
# the seeded registry's /v2/, through the shipped profiles and the API
# documents the server tests read.
stand_in_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 end2end/stand_in.py "$stand_in_port" &
stand_in_pid=$!
specs="$root/server/tests/fixtures/specs"
cat >>"$work/registries.yaml" <<YAML
  - id: ghcr
    displayName: GitHub Packages (stand-in)
    baseUrl: http://$REESTR_TEST_REGISTRY
    tls: { allowHttp: true }
    api: { profile: ghcr, document: $specs/github-packages.json, baseUrl: "http://127.0.0.1:$stand_in_port", namespaces: [team] }
  - id: gitlab
    displayName: GitLab (stand-in)
    baseUrl: http://$REESTR_TEST_REGISTRY
    tls: { allowHttp: true }
    api: { profile: gitlab, document: $specs/gitlab-openapi-v2-head.yaml, baseUrl: "http://127.0.0.1:$stand_in_port", namespaces: [team] }
  - id: quay
    displayName: Quay (stand-in)
    baseUrl: http://$REESTR_TEST_REGISTRY
    tls: { allowHttp: true }
    api: { profile: quay, document: $specs/quay-openapi.yaml, baseUrl: "http://127.0.0.1:$stand_in_port", namespaces: [team] }
YAML
setup_token="e2e-setup-$RANDOM$RANDOM$RANDOM"
export REESTR_REGISTRY_LOCKED_USERNAME=reader REESTR_REGISTRY_LOCKED_PASSWORD="$REESTR_TEST_AUTH_PASSWORD"
RUST_LOG="info,reestr=debug" REESTR_DATA_DIR="$work" REESTR_SETUP_TOKEN="$setup_token" \
  LEPTOS_SITE_ROOT="$root/target/site" "$CARGO_TARGET_DIR/debug/reestr" --config "$work/registries.yaml" \
  serve --listen "127.0.0.1:$port" >"$work/reestr.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
# A Redis of our own for the two-replica spec (replicas.spec.ts).
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --dir "$work" >/dev/null
export REESTR_E2E_REDIS_URL="redis://127.0.0.1:$redis_port" REESTR_BIN="$CARGO_TARGET_DIR/debug/reestr"
export REESTR_E2E_CONFIG="$work/registries.yaml" LEPTOS_SITE_ROOT="$root/target/site"
(cd end2end && rm -rf test-results/.auth &&
  REESTR_E2E_URL="http://localhost:$port" REESTR_TEST_REGISTRY="$REESTR_TEST_REGISTRY" \
  REESTR_E2E_SETUP_TOKEN="$setup_token" REESTR_E2E_CANARY="$REESTR_TEST_AUTH_PASSWORD" npx playwright test) ||
  { echo "--- reestr log" >&2; tail -n 50 "$work/reestr.log" >&2; exit 1; }

step "load: every page kind, 32 connections for 60 s, some dropped early; no panic in the log"
cargo build -p reestr --example loadgen
bash scripts/load-check.sh "$CARGO_TARGET_DIR/debug/reestr" "$REESTR_TEST_REGISTRY" 60

step "REST API: schemathesis against /api/openapi.json"
scripts/api-check.sh "$REESTR_TEST_REGISTRY" "$work/api-check"

step "release build: scripts/build-release.sh (what run.sh serves and the Dockerfile ships)"
bash scripts/build-release.sh

step "first run: scripts/run.sh --demo fills a throwaway registry and serves it"
demo_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
setsid bash scripts/run.sh --demo --listen "127.0.0.1:$demo_port" >"$work/demo.log" 2>&1 &
demo_pid=$!
demo_config=""
for _ in $(seq 1 600); do
  demo_config=$(sed -n 's/.*demo:.* registries in \(.*\)$/\1/p' "$work/demo.log")
  [ -n "$demo_config" ] && curl -fsS "http://127.0.0.1:$demo_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 0.5
done
demo_ok=0
[ -n "$demo_config" ] && "$CARGO_TARGET_DIR/release/reestr" --config "$demo_config" check --probe >"$work/demo-check.txt" 2>&1 || demo_ok=$?
kill -- -"$demo_pid" 2>/dev/null || true
wait "$demo_pid" 2>/dev/null || true
if [ -z "$demo_config" ] || [ "$demo_ok" != 0 ] || ! grep -q "probe     healthy" "$work/demo-check.txt" 2>/dev/null; then
  echo "scripts/run.sh --demo did not serve its registry; its log and check:" >&2
  tail -n 30 "$work/demo.log" >&2
  cat "$work/demo-check.txt" >&2 2>/dev/null || true
  exit 1
fi
if [ -n "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name "$(basename "$(dirname "$demo_config")")" 2>/dev/null)" ]; then
  echo "scripts/run.sh --demo left its registry behind: $(dirname "$demo_config")" >&2
  exit 1
fi

step "deployment: hadolint, kustomize render + validation, deploy helper, release smoke test"
REESTR_REQUIRE_RELEASE=1 bash scripts/deploy-check.sh

step "the registry secret appears in no log line"
if grep -rlF "$REESTR_TEST_AUTH_PASSWORD" "$work/reestr.log" end2end/test-results/*.log 2>/dev/null; then
  echo "the canary registry password was logged (files above)" >&2
  exit 1
fi

step "all checks passed in $((SECONDS - started)) s"
