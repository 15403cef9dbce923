#!/usr/bin/env bash
# The page benchmark of BENCHMARKS.md: starts and seeds a docker-registry
# on loopback, builds Reestr in release mode, and reports cold and warm
# latency of each page with the registry requests each makes (counted by a
# proxy in front of the registry), first with the memory cache alone, then
# with a Redis of its own (redis-server on a free port, emptied per page).
# Then the same pages under load (wrk, 32 connections), the front end's
# shipped bytes and the server's memory (scripts/bench_load.py).
#   scripts/bench.sh [warm-requests-per-page]   (default 50)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$root/scripts/setup.sh" test
cd "$root"
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y --no-install-recommends wrk >/dev/null; }
warm=${1:-50}

bash scripts/build-release.sh >&2
rm -f target/site/.reestr-release # run.sh rebuilds its stamp itself

work=$(mktemp -d)
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  end2end/registry.sh stop "$work/registry"
  rm -rf "$work"
}
trap cleanup EXIT

registry=$(end2end/registry.sh start "$work/registry")
end2end/registry.sh seed "$registry" >&2

echo "Reestr page benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, release build"
python3 scripts/bench_pages.py --registry "$registry" --binary "$CARGO_TARGET_DIR/release/reestr" \
  --site "$root/target/site" --work "$work" --warm "$warm"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null &
redis_pid=$!
for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
python3 scripts/bench_pages.py --registry "$registry" --binary "$CARGO_TARGET_DIR/release/reestr" \
  --site "$root/target/site" --work "$work" --warm "$warm" --redis "redis://127.0.0.1:$port"

python3 scripts/bench_load.py --registry "$registry" --binary "$CARGO_TARGET_DIR/release/reestr" \
  --site "$root/target/site" --work "$work" --duration "${REESTR_BENCH_SECONDS:-10}"
