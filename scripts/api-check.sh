#!/usr/bin/env bash
# Fuzzes Reestr's REST API with schemathesis against its own OpenAPI
# document (/api/openapi.json), on a server of its own that browses the
# registry at $1 (host:port). Fails on any server error, any response the
# document does not describe (status, content type, headers, body schema),
# any malformed request accepted, and any route that ignores missing auth.
#   scripts/api-check.sh HOST:PORT [WORKDIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
registry=$1
work=${2:-$(mktemp -d)}
mkdir -p "$work"
venv="${REESTR_VENV:-$HOME/.cache/reestr/venv}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

port=$(free_port)
base="http://127.0.0.1:$port"
cat >"$work/registries.yaml" <<YAML
registries:
  - id: local
    displayName: Local registry
    baseUrl: http://$registry
    tls: { allowHttp: true }
YAML
token="api-setup-$RANDOM$RANDOM"
# The per-address API limit is off: the fuzzer sends thousands of requests.
REESTR_LOG_FORMAT=json REESTR_API_RATE_PER_MINUTE=0 REESTR_DATA_DIR="$work" REESTR_SETUP_TOKEN="$token" \
  "$CARGO_TARGET_DIR/debug/reestr" --config "$work/registries.yaml" serve --listen "127.0.0.1:$port" \
  >"$work/reestr.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# First run: make the administrator, then an API token the way a script would.
password="api-check-$RANDOM$RANDOM$RANDOM"
curl -fsS -o /dev/null -c "$work/cookies" -H "Origin: $base" \
  --data-urlencode "token=$token" --data-urlencode username=admin \
  --data-urlencode "password=$password" --data-urlencode "password2=$password" "$base/auth/setup"
api_token=$(curl -fsS -b "$work/cookies" -H "Origin: $base" -H 'Content-Type: application/json' \
  -d '{"name":"schemathesis"}' "$base/api/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# DELETE /api/tokens/{id} is left out: a generated id could be this run's token.
status=0
cd "$work" # schemathesis keeps its example cache (.schemathesis/) in the working directory
"$venv/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" run "$base/api/openapi.json" \
  --checks all --exclude-checks positive_data_acceptance \
  --exclude-path-regex '^/api/tokens/\{id\}$' \
  -H "Authorization: Bearer $api_token" \
  --max-examples "${REESTR_API_CHECK_EXAMPLES:-40}" --seed "${REESTR_API_CHECK_SEED:-7}" \
  --request-timeout 20 --no-color --output-sanitize true \
  --report junit --report-dir "$work/report" || status=$?
if [ $status -ne 0 ]; then
  echo "--- reestr log (last 40 lines)" >&2
  tail -n 40 "$work/reestr.log" >&2
fi
exit $status
