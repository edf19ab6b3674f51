#!/usr/bin/env bash
# Load figures for the account read (GET /api/v1/account, token-authenticated) next to
# the bare liveness endpoint, in the same run: the release service on loopback, wrk as a
# separate process (on the same cores: figures are a floor, not a ceiling).
#   DATABASE_URL  the service's database [default: a new SQLite file]; for PostgreSQL run
#                 it under scripts/with-postgres.sh with DATABASE_URL=postgres (a new
#                 database on that server is made)
#   INSTANCES     service instances on that database [default: 1]; the load is spread
#                 over them, one wrk per instance, and their figures added up
#   CHECK_RATE    password checks per second during the second account read [default: 50]
#                 (PUT /api/v1/account with the password and nothing changed, on the first
#                 instance; scripts/lib/password-checks.py)
# Usage: bash scripts/bench-account-read.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
connections="${2:-32}"
instances="${INSTANCES:-1}"
check_rate="${CHECK_RATE:-50}"
source scripts/lib/packages.sh
install_missing wrk >&2
cargo build --release -p account-server -q

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
database_url="${DATABASE_URL:-sqlite://$work/bench.db}"
if [ "$database_url" = postgres ]; then
  name="bench_$(date +%s)_$$"
  psql -q "$TEST_POSTGRES_URL/postgres" -c "CREATE DATABASE $name"
  database_url="$TEST_POSTGRES_URL/$name"
fi
export ACCOUNT_SERVER_DATABASE_URL="$database_url"
export ACCOUNT_SERVER_OUTBOX_KEY=$(head -c 32 /dev/urandom | base64)
# sqlx notices ("no transaction in progress" when wrk hangs up mid-COMMIT) are noise here.
export ACCOUNT_SERVER_MAIL_DIR="$work/outbox" RUST_LOG=warn,sqlx::postgres::notice=error
services=() ports=()
stop() { kill "${services[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap stop EXIT
for _ in $(seq "$instances"); do
  port=$(free_port)
  ACCOUNT_SERVER_LISTEN="127.0.0.1:$port" target/release/account-server &
  services+=($!) ports+=("$port")
  until curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do sleep 0.1; done
done
base="http://127.0.0.1:${ports[0]}"

mails() { local m=("$work"/outbox/*.eml); [ -e "${m[0]}" ] && echo "${#m[@]}" || echo 0; }
# An account and a linked machine: token and password (from the registration mail).
register_and_link() {
  local email="$1" fingerprint="$2" before
  before=$(mails)
  curl -fsS "$base/api/v1/accounts" -H 'content-type: application/json' -d "{
    \"email\": \"$email\", \"company_name\": \"Bench SARL\", \"contact_first_name\": \"Marie\",
    \"contact_last_name\": \"Dupont\", \"phone\": \"01 23 45 67 89\"}" >/dev/null
  until [ "$(mails)" -gt "$before" ]; do sleep 0.1; done
  password=$(python3 - "$email" "$work"/outbox/*.eml <<'PY'
import email, sys
from email import policy
for path in sys.argv[2:]:
    m = email.message_from_binary_file(open(path, "rb"), policy=policy.default)
    if sys.argv[1] in str(m["To"]):
        body = m.get_body(("plain",)).get_content()
        print(next(l.split(":", 1)[1].strip() for l in body.splitlines() if l.startswith("Mot de passe")))
PY
)
  token=$(link "$email" "$password" "$fingerprint")
}
link() {
  curl -fsS "$base/api/v1/links" -H 'content-type: application/json' -d "{
    \"email\": \"$1\", \"password\": \"$2\",
    \"machine\": {\"fingerprint\": \"$(printf "$3%.0s" $(seq 32))\", \"name\": \"BENCH\", \"os\": \"Linux\", \"app_version\": \"0\"}}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
register_and_link bench@example.fr ab
read_token="$token"
# The password checks run on another account, so the read's answer stays the same, from
# machines of their own: each machine allows 5 checks in flight (its wrong-password
# limit reserves before checking), so checks that wait their turn are not refused.
register_and_link checks@example.fr c0
check_password="$password" check_tokens="$token"
for n in $(seq 1 31); do
  check_tokens+=",$(link checks@example.fr "$password" "$(printf '%02x' $((0xc0 + n)))")"
done

# One wrk per instance at once; requests per second added up, the worst p99 kept.
load() {
  local path="$1" header="${2:-}" outs=() loads=() i=0
  for port in "${ports[@]}"; do
    outs+=("$work/wrk.$i"); i=$((i + 1))
    wrk -t1 -c$((connections / instances)) -d"${seconds}s" --latency ${header:+-H "$header"} \
      "http://127.0.0.1:$port$path" >"${outs[-1]}" &
    loads+=($!)
  done
  wait "${loads[@]}"
  python3 - "${outs[@]}" <<'PY'
import re, sys
def ms(v):
    n, unit = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps, p50, p99, bad = 0.0, 0.0, 0.0, 0
for path in sys.argv[1:]:
    text = open(path).read()
    rps += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = max(p50, ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)))
    p99 = max(p99, ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    bad += int(m.group(1)) if m else 0
print(f"{rps:10.0f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   non-2xx {bad}")
PY
}

echo "database: ${database_url%%:*}, instances: $instances, connections: $connections, ${seconds}s each"
echo -n "GET /health/live  (bare endpoint)  "; load /health/live
echo -n "GET /api/v1/account (token, account, machines)  "; load /api/v1/account "Authorization: Bearer $read_token"
# The same read while password checks run at a steady rate (issue 14, point 4); they
# start first, so the read is measured with the hasher already busy.
python3 scripts/lib/password-checks.py "$base" "$check_tokens" "$check_password" \
  "$check_rate" $((seconds + 2)) >"$work/checks" &
checks=$!
sleep 2
echo -n "GET /api/v1/account under $check_rate password checks/s  "
load /api/v1/account "Authorization: Bearer $read_token"
wait "$checks"
cat "$work/checks"
for pid in "${services[@]}"; do
  echo "peak resident memory of instance $pid: $(grep VmHWM /proc/$pid/status | awk '{print $2, $3}')"
done
