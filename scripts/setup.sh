#!/usr/bin/env bash
# Installs what building and testing Reestr needs, skipping what is there.
#   scripts/setup.sh run    # build tools only
#   scripts/setup.sh demo   # plus the registry and the tools that fill it (run.sh --demo)
#   scripts/setup.sh test   # plus the browser and test tools
# Sourced by run.sh and test.sh; safe to run again at any time.
set -euo pipefail
mode=${1:-run}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

CARGO_LEPTOS_VERSION=0.3.10
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$root/Cargo.lock")

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

# Each spec is command:package (installed when the command is missing) or
# dpkg=name:package (when dpkg does not know the package).
apt_install() {
  local missing=()
  for spec in "$@"; do
    local cmd=${spec%%:*} pkg=${spec#*:}
    case $cmd in
      dpkg=*) dpkg -s "${cmd#dpkg=}" >/dev/null 2>&1 || missing+=("$pkg") ;;
      *) command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg") ;;
    esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing apt packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { $sudo apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

# OpenSSL headers for webauthn-rs (passkeys): a library, so dpkg is asked.
apt_install cc:gcc node:nodejs npm:npm curl:curl pkg-config:pkg-config dpkg=libssl-dev:libssl-dev brotli:brotli
if [ "$mode" = test ] || [ "$mode" = demo ]; then
  apt_install docker-registry:docker-registry skopeo:skopeo umoci:umoci jq:jq python3:python3
fi
if [ "$mode" = test ]; then
  apt_install htpasswd:apache2-utils chromium:chromium redis-server:redis-server pg_ctlcluster:postgresql
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 30 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lock file pins a webpki-roots release crates.io no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm tools live in end2end/node_modules: wasm-opt (binaryen) always,
# Playwright for tests. `npm ci` runs only when the lock file changed.
npm_mode=run
[ "$mode" = test ] && npm_mode=test
stamp="$root/end2end/node_modules/.reestr-$npm_mode"
if [ ! -f "$stamp" ] || [ "$root/end2end/package-lock.json" -nt "$stamp" ]; then
  say "installing npm packages ($npm_mode)"
  if [ "$npm_mode" = test ]; then
    (cd "$root/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$root/end2end" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
  fi
  touch "$stamp"
fi

# Python tools for the tests, in a virtualenv outside the clone (fresh
# clones reuse it); reinstalled when scripts/requirements-test.txt changes.
if [ "$mode" = test ]; then
  venv="${REESTR_VENV:-$HOME/.cache/reestr/venv}"
  want=$(sha256sum "$root/scripts/requirements-test.txt" | cut -d' ' -f1)
  if [ "$(cat "$venv/.reestr-requirements" 2>/dev/null || true)" != "$want" ]; then
    say "installing Python test tools into $venv"
    # Debian's python3 keeps venv (ensurepip) in a package of its own.
    python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install dpkg=python3-venv:python3-venv
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/scripts/requirements-test.txt"
    echo "$want" >"$venv/.reestr-requirements"
  fi
fi
