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
#   team/signed:1.0       with an SPDX SBOM referrer (sha256-<hex> tag) and a cosign .sig
#   team/attested:latest  an index with a buildx in-toto attestation manifest
#   big/tags              10,000 tags t-00000 … t-09999 of one image
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

  # Supply-chain artifacts, pushed through the Distribution API as cosign,
  # oras and buildx write them (docker-registry 2.8 has no referrers API, so
  # referrers live under the `sha256-<hex>` fallback tag).
  blob() { # repo file -> digest
    local d loc
    d="sha256:$(sha256sum "$2" | cut -d' ' -f1)"
    loc=$(curl -fsS -X POST -D - -o /dev/null "http://$host/v2/$1/blobs/uploads/" |
      awk 'tolower($1) == "location:" { print $2 }' | tr -d '\r')
    case $loc in http*) ;; *) loc="http://$host$loc" ;; esac
    case $loc in *\?*) loc="$loc&digest=$d" ;; *) loc="$loc?digest=$d" ;; esac
    curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$2" "$loc" -o /dev/null
    echo "$d"
  }
  put() { # repo reference file media-type -> digest
    curl -fsS -X PUT -H "Content-Type: $4" --data-binary @"$3" "http://$host/v2/$1/manifests/$2" -o /dev/null
    echo "sha256:$(sha256sum "$3" | cut -d' ' -f1)"
  }
  desc() { # media-type digest file [extra-json]
    jq -cn --arg m "$1" --arg d "$2" --argjson s "$(stat -c %s "$3")" --argjson x "${4:-{\}}" \
      '{mediaType: $m, digest: $d, size: $s} + $x'
  }
  OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
  OCI_INDEX=application/vnd.oci.image.index.v1+json

  copy "oci:$L:app" "docker://$host/team/signed:1.0"
  curl -fsS -H "Accept: $OCI_MANIFEST" "http://$host/v2/team/signed/manifests/1.0" -o "$work/signed.json"
  subject_digest="sha256:$(sha256sum "$work/signed.json" | cut -d' ' -f1)"
  subject=$(desc "$OCI_MANIFEST" "$subject_digest" "$work/signed.json")
  printf '{}' >"$work/empty.json"
  empty=$(desc application/vnd.oci.empty.v1+json "$(blob team/signed "$work/empty.json")" "$work/empty.json")

  # An SPDX SBOM as an OCI 1.1 artifact whose subject is the image.
  jq -n --arg created "$created" '{spdxVersion: "SPDX-2.3", dataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
      name: "team/signed", documentNamespace: "https://example.com/spdx/team-signed",
      creationInfo: {created: $created, creators: ["Tool: reestr-seed"]},
      packages: [
        {SPDXID: "SPDXRef-busybox", name: "busybox", versionInfo: "1.36.1", licenseConcluded: "GPL-2.0-only",
         externalRefs: [{referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: "pkg:apk/alpine/busybox@1.36.1"}]},
        {SPDXID: "SPDXRef-musl", name: "musl", versionInfo: "1.2.4", licenseConcluded: "MIT"},
        {SPDXID: "SPDXRef-openssl", name: "openssl", versionInfo: "3.1.4", licenseConcluded: "Apache-2.0"},
        {SPDXID: "SPDXRef-zlib", name: "zlib", versionInfo: "1.3", licenseConcluded: "Zlib"},
        {SPDXID: "SPDXRef-ca-certificates", name: "ca-certificates", versionInfo: "20230506", licenseConcluded: "MPL-2.0"}
      ]}' >"$work/sbom.spdx.json"
  sbom_layer=$(desc application/spdx+json "$(blob team/signed "$work/sbom.spdx.json")" "$work/sbom.spdx.json")
  jq -n --argjson c "$empty" --argjson l "$sbom_layer" --argjson s "$subject" --arg created "$created" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: "application/spdx+json",
      config: $c, layers: [$l], subject: $s, annotations: {"org.opencontainers.image.created": $created}}' >"$work/sbom-manifest.json"
  sbom_digest=$(put team/signed "sha256:$(sha256sum "$work/sbom-manifest.json" | cut -d' ' -f1)" "$work/sbom-manifest.json" "$OCI_MANIFEST")
  sbom_entry=$(desc "$OCI_MANIFEST" "$sbom_digest" "$work/sbom-manifest.json" \
    "$(jq -cn --arg created "$created" '{artifactType: "application/spdx+json", annotations: {"org.opencontainers.image.created": $created}}')")
  jq -n --argjson e "$sbom_entry" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [$e]}' >"$work/referrers.json"
  put team/signed "sha256-${subject_digest#sha256:}" "$work/referrers.json" "$OCI_INDEX" >/dev/null

  # A cosign signature under its `sha256-<hex>.sig` tag.
  jq -cn --arg d "$subject_digest" '{critical: {identity: {"docker-reference": "team/signed"}, image: {"docker-manifest-digest": $d}, type: "cosign container image signature"}, optional: null}' >"$work/simplesigning.json"
  sig_layer=$(desc application/vnd.dev.cosign.simplesigning.v1+json "$(blob team/signed "$work/simplesigning.json")" "$work/simplesigning.json" \
    '{"annotations": {"dev.cosignproject.cosign/signature": "MEUCIQDreestrseedsignature"}}')
  jq -cn '{architecture: "", os: "", config: {}, rootfs: {type: "layers", diff_ids: []}}' >"$work/sig-config.json"
  sig_config=$(desc application/vnd.oci.image.config.v1+json "$(blob team/signed "$work/sig-config.json")" "$work/sig-config.json")
  jq -n --argjson c "$sig_config" --argjson l "$sig_layer" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: [$l]}' >"$work/sig.json"
  put team/signed "sha256-${subject_digest#sha256:}.sig" "$work/sig.json" "$OCI_MANIFEST" >/dev/null

  # A buildx-style index: one platform plus its in-toto attestation manifest.
  copy "oci:$L:amd64" "docker://$host/team/attested:amd64"
  curl -fsS -H "Accept: $OCI_MANIFEST" "http://$host/v2/team/attested/manifests/amd64" -o "$work/attested-amd64.json"
  amd64_digest="sha256:$(sha256sum "$work/attested-amd64.json" | cut -d' ' -f1)"
  jq -cn --arg d "$amd64_digest" '{_type: "https://in-toto.io/Statement/v0.1", predicateType: "https://spdx.dev/Document",
      subject: [{name: "team/attested", digest: {sha256: ($d | ltrimstr("sha256:"))}}], predicate: {spdxVersion: "SPDX-2.3", packages: []}}' >"$work/intoto.json"
  att_layer=$(desc application/vnd.in-toto+json "$(blob team/attested "$work/intoto.json")" "$work/intoto.json" \
    '{"annotations": {"in-toto.io/predicate-type": "https://spdx.dev/Document"}}')
  printf '{}' >"$work/empty2.json"
  att_config=$(desc application/vnd.oci.image.config.v1+json "$(blob team/attested "$work/sig-config.json")" "$work/sig-config.json")
  jq -n --argjson c "$att_config" --argjson l "$att_layer" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: [$l]}' >"$work/att.json"
  att_digest=$(put team/attested "sha256:$(sha256sum "$work/att.json" | cut -d' ' -f1)" "$work/att.json" "$OCI_MANIFEST")
  jq -n --argjson img "$(desc "$OCI_MANIFEST" "$amd64_digest" "$work/attested-amd64.json" '{"platform": {"os": "linux", "architecture": "amd64"}}')" \
    --argjson att "$(desc "$OCI_MANIFEST" "$att_digest" "$work/att.json" "$(jq -cn --arg d "$amd64_digest" '{platform: {os: "unknown", architecture: "unknown"}, annotations: {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": $d}}')")" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [$img, $att]}' >"$work/attested-index.json"
  put team/attested latest "$work/attested-index.json" "$OCI_INDEX" >/dev/null

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

  # One repository with 10,000 tags (the same image), for the tags table.
  for b in "${blobs[@]}"; do
    curl -fsS -X POST -o /dev/null "http://$host/v2/big/tags/blobs/uploads/?mount=$b&from=team/app"
  done
  tags="$work/tags.curl"
  : >"$tags"
  for i in $(seq -f '%05g' 0 9999); do
    [ -s "$tags" ] && echo next >>"$tags"
    printf 'url = "http://%s/v2/big/tags/manifests/t-%s"\nupload-file = "%s"\nheader = "Content-Type: application/vnd.oci.image.manifest.v1+json"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
      "$host" "$i" "$manifest" >>"$tags"
  done
  bad=$(curl -sS --no-progress-meter -Z --parallel-max 16 -K "$tags" | grep -vc '^201$' || true)
  if [ "$bad" != 0 ]; then
    echo "registry.sh: $bad tag pushes did not answer 201" >&2
    exit 1
  fi
  ;;
*)
  echo "usage: registry.sh start DIR [USER PASS] | seed HOST | copy SRC DST USER PASS REPO:TAG | stop DIR" >&2
  exit 2
  ;;
esac
