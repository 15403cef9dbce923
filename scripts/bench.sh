#!/usr/bin/env bash
# The benchmark of BENCHMARKS.md, end to end on this machine (about 20 min):
#  1. builds Reestr in release mode and the load generator
#     (server/examples/loadgen.rs);
#  2. starts a docker-registry on loopback, seeds the test images (1,056
#     repositories, big/tags with 10,000 tags, an index, a signed image) and
#     adds 10,000 one-tag repositories (scripts/bench_fill.py --wide);
#     a second registry gets 1,000 repositories × 10 tags sharing layers
#     (--shared);
#  3. pages, cold and warm, with the registry requests each makes, memory
#     tier then Redis (scripts/bench_pages.py);
#  4. warm pages under load, 32 connections: time to first byte and to the
#     full body; shipped WASM/JS/CSS bytes; server memory (bench_load.py);
#  5. repository search over the local catalogue and a 100,000-repository
#     Docker Hub stand-in (bench_search.py);
#  6. storage accounting of the 1,000 × 10 registry against a skopeo
#     baseline, checked to agree (bench_storage.py);
#  7. /healthz while 8 worst-case searches run on the 100,000-repository
#     stand-in (bench_isolation.py);
#  8. first load and navigation: WASM + JS before interactive, Lighthouse 12
#     (mobile), first byte of a page whose registry takes 3 s, Back
#     (bench_first_load.py).
#   scripts/bench.sh [warm-requests-per-page]   (default 50)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$root/scripts/setup.sh" test
cd "$root"
# Lighthouse for bench_first_load.py, beside Playwright; not a test tool.
[ -x end2end/node_modules/.bin/lighthouse ] ||
  (cd end2end && npm install --no-save --no-audit --no-fund --loglevel=error lighthouse@12.8.2 >&2)
warm=${1:-50}
seconds=${REESTR_BENCH_SECONDS:-10}
started=$SECONDS

bash scripts/build-release.sh >&2
rm -f target/site/.reestr-release # run.sh rebuilds its stamp itself
cargo build --release -p reestr --example loadgen >&2
loadgen="$CARGO_TARGET_DIR/release/examples/loadgen"
binary="$CARGO_TARGET_DIR/release/reestr"

work=$(mktemp -d)
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  end2end/registry.sh stop "$work/registry"
  end2end/registry.sh stop "$work/shared"
  rm -rf "$work"
}
trap cleanup EXIT

registry=$(end2end/registry.sh start "$work/registry")
end2end/registry.sh seed "$registry" >&2
python3 scripts/bench_fill.py --wide "$registry" --repos 10000
shared=$(end2end/registry.sh start "$work/shared")
python3 scripts/bench_fill.py --shared "$shared"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null &
redis_pid=$!
for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis="redis://127.0.0.1:$port"
common=(--registry "$registry" --binary "$binary" --site "$root/target/site" --work "$work")

echo "Reestr benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, release build"
python3 scripts/bench_pages.py "${common[@]}" --warm "$warm"
python3 scripts/bench_pages.py "${common[@]}" --warm "$warm" --redis "$redis"
python3 scripts/bench_load.py "${common[@]}" --duration "$seconds" --redis "$redis" --loadgen "$loadgen"
python3 scripts/bench_search.py "${common[@]}" --redis "$redis" --loadgen "$loadgen"
python3 scripts/bench_storage.py "${common[@]}" --shared "$shared" --redis "$redis"
python3 scripts/bench_isolation.py "${common[@]}" --seconds "$seconds"
python3 scripts/bench_first_load.py "${common[@]}"
echo
echo "Whole run: $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s."
