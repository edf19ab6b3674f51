#!/usr/bin/env bash
# Runs the product on its embedded defaults: the account service on 127.0.0.1:8080 with
# a SQLite file and mail written to a local outbox (read it at /outbox), and the desktop
# app pointed at it; the support console at /console/. Data lives in ./local/. Ctrl-C
# stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build -p account-server -p customer-account
bin="${CARGO_TARGET_DIR:-target}/debug"

mkdir -p local
export ACCOUNT_SERVER_LISTEN="${ACCOUNT_SERVER_LISTEN:-127.0.0.1:8080}"
export ACCOUNT_SERVER_DATABASE_URL="${ACCOUNT_SERVER_DATABASE_URL:-sqlite://local/customer-account.db}"
export ACCOUNT_SERVER_MAIL_DIR="${ACCOUNT_SERVER_MAIL_DIR:-local/outbox}"
# The support console needs an agent: the first run makes a local administrator.
if [ -z "$("$bin/account-server" agents list)" ]; then
  echo
  "$bin/account-server" agents add --email admin@example.com --name "Local admin" \
    --role admin --generate-password
  echo "(Lost it? $bin/account-server agents password --email admin@example.com --generate-password)"
fi
"$bin/account-server" &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null' EXIT INT TERM

url="http://$ACCOUNT_SERVER_LISTEN"
ready=""
for _ in $(seq 100); do
  curl -fsS "$url/health/ready" >/dev/null 2>&1 && { ready=1; break; }
  kill -0 $service 2>/dev/null || break
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "The account service did not start (see its messages above)." >&2
  exit 1
fi
echo
echo "Account service: $url   (API description: $url/api/v1/openapi.json)"
echo "Local outbox (the mails, passwords included): $url/outbox"
echo "Support console: $url/console/   (log in as admin@example.com)"
echo

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  "$bin/customer-account" --service-url "$url"
  echo "The window was closed; the service stops. (Ctrl-C also stops it.)"
else
  echo "No display: the app's window cannot open here; the service keeps running. Ctrl-C stops it."
  wait $service
fi
