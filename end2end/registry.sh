#!/usr/bin/env bash
# A real registry for the tests: Debian's docker-registry (CNCF Distribution
# 2.8) on a free loopback port, filled with real images.
#
#   end2end/registry.sh start DIR [USER PASS]  starts it in DIR, prints host:port;
#                                  with USER and PASS it requires basic auth (htpasswd)
#   end2end/registry.sh seed HOST   pushes the test images (see below)
#   end2end/registry.sh copy SRC DST USER PASS REPO:TAG
#                                  copies one image into a registry that needs auth
#   end2end/registry.sh stop DIR    stops it
#
# Seeded content, relied on by server/tests and end2end specs:
#   team/app:1.0, team/app:latest  OCI image manifest, linux/amd64, one layer,
#                                  labels title=app and source, created 2026-01-02T03:04:05Z
#   legacy/tool:v2                 the same image as Docker schema 2
#   team/sub/multi:latest          OCI index: linux/amd64 and linux/arm64/v8
#   bulk/repo-0000 … bulk/repo-1049  tag v1 each, pushed through the HTTP API
#                                  (more than the 1000-entry page cap)
set -euo pipefail

cmd=${1:?usage: registry.sh start DIR [USER PASS] | seed HOST | copy SRC DST USER PASS REPO:TAG | stop DIR}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    shuf -i 20000-40000 -n 1
}

case "$cmd" in
start)
  dir=${2:?DIR}
  mkdir -p "$dir/data"
  port=$(free_port)
  cat >"$dir/config.yml" <<YAML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $dir/data }
  delete: { enabled: true }
http: { addr: 127.0.0.1:$port }
YAML
  if [ $# -ge 4 ]; then
    htpasswd -Bbn "$3" "$4" >"$dir/htpasswd"
    printf 'auth:\n  htpasswd: { realm: reestr-test, path: %s/htpasswd }\n' "$dir" >>"$dir/config.yml"
  fi
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 100); do
    code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null || true)
    if [ "$code" = 200 ] || [ "$code" = 401 ]; then
      echo "127.0.0.1:$port"
      exit 0
    fi
    sleep 0.1
  done
  echo "registry.sh: docker-registry did not start; log:" >&2
  cat "$dir/registry.log" >&2
  exit 1
  ;;
stop)
  dir=${2:?DIR}
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  ;;
copy)
  src=${2:?SRC} dst=${3:?DST} user=${4:?USER} pass=${5:?PASS} ref=${6:?REPO:TAG}
  skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false --dest-creds "$user:$pass" \
    "docker://$src/$ref" "docker://$dst/$ref"
  ;;
seed)
  host=${2:?HOST}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  L="$work/layout"
  created=2026-01-02T03:04:05Z
  umoci init --layout "$L"

  image() { # name arch [variant-label] file-content
    local name=$1 arch=$2 content=$3
    umoci new --image "$L:$name"
    mkdir -p "$work/src-$name"
    printf '%s\n' "$content" >"$work/src-$name/hello.txt"
    umoci insert --image "$L:$name" "$work/src-$name/hello.txt" /etc/hello.txt
    umoci config --image "$L:$name" --os linux --architecture "$arch" --created "$created" \
      --config.cmd /bin/app \
      --config.label org.opencontainers.image.title=app \
      --config.label org.opencontainers.image.source=https://example.com/app
  }
  copy() { skopeo copy --quiet --dest-tls-verify=false "$@"; }

  image app amd64 "hello from app"
  copy "oci:$L:app" "docker://$host/team/app:1.0"
  copy "oci:$L:app" "docker://$host/team/app:latest"
  copy --format v2s2 "oci:$L:app" "docker://$host/legacy/tool:v2"

  # A two-platform OCI index, written by hand into the layout.
  image amd64 amd64 "hello from amd64"
  image arm64 arm64 "hello from arm64"
  entry() {
    jq -c --arg n "$1" --argjson p "$2" \
      '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | del(.annotations) + {platform: $p}' \
      "$L/index.json"
  }
  amd=$(entry amd64 '{"os":"linux","architecture":"amd64"}')
  arm=$(entry arm64 '{"os":"linux","architecture":"arm64","variant":"v8"}')
  jq -cn --argjson a "$amd" --argjson b "$arm" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [$a, $b]}' >"$work/index-blob"
  digest=$(sha256sum "$work/index-blob" | cut -d' ' -f1)
  size=$(stat -c %s "$work/index-blob")
  mv "$work/index-blob" "$L/blobs/sha256/$digest"
  jq --arg d "sha256:$digest" --argjson s "$size" \
    '.manifests += [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
                     annotations: {"org.opencontainers.image.ref.name": "multi"}}]' "$L/index.json" >"$work/index.json"
  mv "$work/index.json" "$L/index.json"
  copy --all "oci:$L:multi" "docker://$host/team/sub/multi:latest"

  # 1050 repositories straight through the Distribution API: mount the
  # blobs of team/app, then put the same manifest.
  manifest="$work/manifest.json"
  curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$host/v2/team/app/manifests/1.0" -o "$manifest"
  mapfile -t blobs < <(jq -r '.config.digest, .layers[].digest' "$manifest")
  mounts="$work/mounts.curl"
  puts="$work/puts.curl"
  : >"$mounts"
  : >"$puts"
  for i in $(seq -f '%04g' 0 1049); do
    for b in "${blobs[@]}"; do
      [ -s "$mounts" ] && echo next >>"$mounts"
      printf 'url = "http://%s/v2/bulk/repo-%s/blobs/uploads/?mount=%s&from=team/app"\nrequest = "POST"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
        "$host" "$i" "$b" >>"$mounts"
    done
    [ -s "$puts" ] && echo next >>"$puts"
    printf 'url = "http://%s/v2/bulk/repo-%s/manifests/v1"\nupload-file = "%s"\nheader = "Content-Type: application/vnd.oci.image.manifest.v1+json"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
      "$host" "$i" "$manifest" >>"$puts"
  done
  for f in "$mounts" "$puts"; do
    bad=$(curl -sS --no-progress-meter -Z --parallel-max 16 -K "$f" | grep -vc '^201$' || true)
    if [ "$bad" != 0 ]; then
      echo "registry.sh: $bad requests from $(basename "$f") did not answer 201" >&2
      exit 1
    fi
  done
  ;;
*)
  echo "usage: registry.sh start DIR [USER PASS] | seed HOST | copy SRC DST USER PASS REPO:TAG | stop DIR" >&2
  exit 2
  ;;
esac
