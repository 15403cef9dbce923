#!/usr/bin/env bash
# Checks the deployment files without a cluster or Docker Engine: hadolint
# on the Dockerfile, `kubectl kustomize k8s/` rendered and validated
# (scripts/k8s_check.py), the cluster's registries.yaml read by `reestr
# check`, and scripts/deploy.sh run against recording stand-ins for docker
# and kubectl: --dry-run must run nothing and print the commands and the
# diff; a real run must run exactly build, push, apply.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
venv="${REESTR_VENV:-$HOME/.cache/reestr/venv}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { printf 'deploy-check: %s\n' "$*" >&2; }

say "hadolint Dockerfile"
"$venv/bin/hadolint" Dockerfile

say "kubectl kustomize k8s/ and validate"
"$venv/bin/kubectl" kustomize k8s >"$work/rendered.yaml"
"$venv/bin/python" scripts/k8s_check.py "$work/rendered.yaml" k8s/secret.template.yaml k8s/argocd/application.yaml

say "the ConfigMap's registries.yaml is a valid configuration"
REESTR_REGISTRY_MAIN_USERNAME=reader REESTR_REGISTRY_MAIN_PASSWORD=x \
  "$CARGO_TARGET_DIR/debug/reestr" check --config k8s/registries.yaml >"$work/check.txt"
grep -q "result    ok" "$work/check.txt"

# Stand-ins: docker and `kubectl apply` only record their arguments;
# `kubectl kustomize` runs the real one.
mkdir -p "$work/bin"
cat >"$work/bin/docker" <<SH
#!/usr/bin/env bash
echo "docker \$*" >>"$work/calls"
SH
cat >"$work/bin/kubectl" <<SH
#!/usr/bin/env bash
if [ "\$1" = kustomize ]; then exec "$venv/bin/kubectl" "\$@"; fi
echo "kubectl \$*" >>"$work/calls"
# What \`apply -k DIR\` would have sent.
for last; do :; done
"$venv/bin/kubectl" kustomize "\$last" >"$work/applied.yaml"
SH
chmod +x "$work/bin/docker" "$work/bin/kubectl"
dirty=()
[ -z "$(git status --porcelain)" ] || dirty=(--allow-dirty)
tag=$(git rev-parse --short=12 HEAD)

say "deploy.sh --dry-run runs nothing, prints the commands and the diff"
PATH="$work/bin:$PATH" bash scripts/deploy.sh --repo registry.test/team --context test --dry-run "${dirty[@]}" >"$work/dry.txt"
if [ -s "$work/calls" ]; then
  say "the dry run ran: $(cat "$work/calls")"
  exit 1
fi
for want in "+ docker build --build-arg REVISION=" "+ docker push registry.test/team/reestr:$tag" \
  "apply -k <overlay: k8s/ with image registry.test/team/reestr:$tag" \
  "-        image: registry.example.com/platform/reestr:latest" "+        image: registry.test/team/reestr:$tag" \
  "-        reestr.dev/rollout: initial" "+        reestr.dev/rollout: $tag"; do
  grep -qF -- "$want" "$work/dry.txt" || { say "dry run lacks: $want"; cat "$work/dry.txt" >&2; exit 1; }
done

say "deploy.sh runs build, push and apply, in that order"
PATH="$work/bin:$PATH" bash scripts/deploy.sh --repo registry.test/team --context test "${dirty[@]}" >/dev/null
mapfile -t calls <"$work/calls"
[ ${#calls[@]} -eq 3 ] &&
  [[ ${calls[0]} == "docker build --build-arg REVISION="*" -t registry.test/team/reestr:$tag"* ]] &&
  [[ ${calls[1]} == "docker push registry.test/team/reestr:$tag"* ]] &&
  [[ ${calls[2]} == "kubectl --context test apply -k "* ]] ||
  { say "unexpected calls:"; printf '  %s\n' "${calls[@]}" >&2; exit 1; }
grep -qF "image: registry.test/team/reestr:$tag" "$work/applied.yaml" ||
  { say "the applied objects do not carry the new image"; exit 1; }
# The front end's files carry content hashes (hash-files), listed beside the binary.
hashes="$CARGO_TARGET_DIR/release/hash.txt"
wasm_name=$([ -f "$hashes" ] && awk -F': *' '$1 == "wasm" { print "reestr." $2 ".wasm" }' "$hashes" || true)
js_name=$([ -f "$hashes" ] && awk -F': *' '$1 == "js" { print "reestr." $2 ".js" }' "$hashes" || true)
if [ -x "$CARGO_TARGET_DIR/release/reestr" ] && [ -n "$wasm_name" ] && [ -f "target/site/pkg/$wasm_name" ]; then
  say "the release build serves as the image runs it (environment of the Dockerfile)"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'access: open\nregistries:\n  - id: local\n    baseUrl: http://127.0.0.1:9\n    tls: { allowHttp: true }\n' >"$work/registries.yaml"
  LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_ENV=PROD REESTR_LISTEN="127.0.0.1:$port" REESTR_CONFIG="$work/registries.yaml" \
    REESTR_DATA_DIR="$work" REESTR_LOG_FORMAT=json "$CARGO_TARGET_DIR/release/reestr" serve >"$work/release.log" 2>&1 &
  pid=$!
  ok=0
  for _ in $(seq 1 100); do
    if REESTR_LISTEN="127.0.0.1:$port" "$CARGO_TARGET_DIR/release/reestr" healthcheck 2>/dev/null; then ok=1; break; fi
    sleep 0.1
  done
  page=$(curl -fsS "http://127.0.0.1:$port/" || true)
  wasm=$(curl -fsS -o /dev/null -w '%{http_code} %{content_type}' "http://127.0.0.1:$port/pkg/$wasm_name" || true)
  # The release build's brotli copy is sent as it is, to be kept a year.
  curl -fsS -o "$work/wasm.br" -D "$work/wasm.headers" -H 'Accept-Encoding: br' "http://127.0.0.1:$port/pkg/$wasm_name" || true
  br=$(awk -F': ' 'tolower($1) == "content-encoding" { print $2 }' "$work/wasm.headers" | tr -d '\r')
  kept=$(awk -F': ' 'tolower($1) == "cache-control" { print $2 }' "$work/wasm.headers" | tr -d '\r')
  kill $pid 2>/dev/null || true
  [ $ok -eq 1 ] || { say "reestr healthcheck never passed"; cat "$work/release.log" >&2; exit 1; }
  grep -qF "/pkg/$js_name" <<<"$page" || { say "the home page does not load the front end ($js_name)"; exit 1; }
  [ "$wasm" = "200 application/wasm" ] || { say "/pkg/$wasm_name: $wasm"; exit 1; }
  [ "$br" = br ] && cmp -s "$work/wasm.br" "target/site/pkg/$wasm_name.br" ||
    { say "/pkg/$wasm_name with Accept-Encoding: br is not the precompressed copy ($br)"; exit 1; }
  [ "$kept" = "public, max-age=31536000, immutable" ] || { say "/pkg/$wasm_name: Cache-Control $kept"; exit 1; }
else
  say "no release build in $CARGO_TARGET_DIR (scripts/build-release.sh): skipping the release smoke test"
  [ -z "${REESTR_REQUIRE_RELEASE:-}" ] || exit 1
fi
say "ok"
