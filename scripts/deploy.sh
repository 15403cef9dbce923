#!/usr/bin/env bash
# Deploys this checkout: builds and pushes the image tagged with the git
# revision, then applies k8s/ with that image and a new rollout annotation
# (a new Knative revision, even when only the configuration changed).
#   scripts/deploy.sh --repo registry.example.com/platform [--context CTX] [--dry-run] [--allow-dirty]
# --dry-run prints every command instead of running it, and the diff between
# k8s/ as committed and what would be applied. Needs docker and kubectl
# (kubectl from PATH, else the test tools' virtualenv).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo="" context="" dry_run=0 allow_dirty=0
while [ $# -gt 0 ]; do
  case $1 in
    --repo) repo=${2:?--repo needs a value}; shift 2 ;;
    --context) context=${2:?--context needs a value}; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --allow-dirty) allow_dirty=1; shift ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "deploy: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$repo" ] || { echo "deploy: --repo REGISTRY/PATH is required (the image goes to REPO/reestr:REVISION)" >&2; exit 2; }

kubectl=$(command -v kubectl || true)
[ -n "$kubectl" ] || kubectl="${REESTR_VENV:-$HOME/.cache/reestr/venv}/bin/kubectl"
[ -x "$kubectl" ] || { echo "deploy: kubectl not found (install it, or run scripts/setup.sh test)" >&2; exit 1; }

cd "$root"
revision=$(git rev-parse HEAD)
tag=$(git rev-parse --short=12 HEAD)
if [ -n "$(git status --porcelain)" ]; then
  if [ $allow_dirty -eq 1 ]; then
    tag="$tag-dirty" revision="$revision-dirty"
  elif [ $dry_run -eq 1 ]; then
    echo "deploy: warning: uncommitted changes; a real deploy refuses them (or tags -dirty with --allow-dirty)" >&2
  else
    echo "deploy: uncommitted changes: commit first, so the image's revision label is true (or --allow-dirty)" >&2
    exit 1
  fi
fi
image="$repo/reestr:$tag"
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rollout="$tag-$(date -u +%Y%m%d%H%M%S)"

# An overlay of k8s/ with this image and rollout annotation (its `images:`
# entry matches the name k8s/kustomization.yaml already gives the image).
base_image=$(awk '/newName:/ { print $2; exit }' "$root/k8s/kustomization.yaml")
[ -n "$base_image" ] || { echo "deploy: k8s/kustomization.yaml names no image (images[].newName)" >&2; exit 1; }
overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
cp -r "$root/k8s" "$overlay/base"
cat >"$overlay/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - base
images:
  - name: $base_image
    newName: $repo/reestr
    newTag: "$tag"
patches:
  - target:
      group: serving.knative.dev
      kind: Service
      name: reestr
    patch: |-
      - op: replace
        path: /spec/template/metadata/annotations/reestr.dev~1rollout
        value: "$rollout"
YAML

ctx=()
[ -n "$context" ] && ctx=(--context "$context")
run() {
  printf '+ %s\n' "$*"
  [ $dry_run -eq 1 ] || "$@"
}

run docker build --build-arg "REVISION=$revision" --build-arg "CREATED=$created" -t "$image" "$root"
run docker push "$image"
if [ $dry_run -eq 1 ]; then
  echo "+ $kubectl ${ctx[*]+${ctx[*]} }apply -k <overlay: k8s/ with image $image, rollout $rollout>"
  echo "--- what changes against k8s/ as committed:"
  diff -u --label k8s/ --label "k8s/ for $tag" <("$kubectl" kustomize "$root/k8s") <("$kubectl" kustomize "$overlay") || true
else
  run "$kubectl" "${ctx[@]}" apply -k "$overlay"
  echo "deployed $image (rollout $rollout)"
fi
