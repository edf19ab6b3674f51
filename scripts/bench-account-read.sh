#!/usr/bin/env bash
# Load figures for the account read (GET /api/v1/account, token-authenticated, SQLite)
# next to the bare liveness endpoint, in the same run: the release service on loopback,
# wrk as a separate process (on the same cores: figures are a floor, not a ceiling).
# Usage: bash scripts/bench-account-read.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
connections="${2:-32}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p account-server

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
ACCOUNT_SERVER_LISTEN="127.0.0.1:$port" ACCOUNT_SERVER_DATABASE_URL="sqlite://$work/bench.db" \
  ACCOUNT_SERVER_MAIL_DIR="$work/outbox" RUST_LOG=warn target/release/account-server &
service=$!
trap 'kill $service; wait $service 2>/dev/null; rm -rf "$work"' EXIT
until curl -fsS "$base/health/ready" >/dev/null 2>&1; do sleep 0.1; done

curl -fsS "$base/api/v1/accounts" -H 'content-type: application/json' -d '{
  "email": "bench@example.fr", "company_name": "Bench SARL", "contact_first_name": "Marie",
  "contact_last_name": "Dupont", "phone": "01 23 45 67 89"}' >/dev/null
until ls "$work"/outbox/*.eml >/dev/null 2>&1; do sleep 0.1; done
password=$(python3 - "$work"/outbox/*.eml <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
body = m.get_body(("plain",)).get_content()
print(next(l.split(":", 1)[1].strip() for l in body.splitlines() if l.startswith("Mot de passe")))
PY
)
token=$(curl -fsS "$base/api/v1/links" -H 'content-type: application/json' -d "{
  \"email\": \"bench@example.fr\", \"password\": \"$password\",
  \"machine\": {\"fingerprint\": \"$(printf 'ab%.0s' $(seq 32))\", \"name\": \"BENCH\", \"os\": \"Linux\", \"app_version\": \"0\"}}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

echo "== GET /health/live (bare endpoint)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency "$base/health/live" | grep -E "Requests/sec|Latency|50%|99%"
echo "== GET /api/v1/account (token lookup + account + machines from SQLite)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$base/api/v1/account" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx"
echo "peak resident memory of the service: $(grep VmHWM /proc/$service/status | awk '{print $2, $3}')"
