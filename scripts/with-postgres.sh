#!/usr/bin/env bash
# Runs a command with a PostgreSQL server of its own: Debian's PostgreSQL 15, a cluster
# made by initdb in a temporary folder, on a free loopback port, stopped and removed
# afterwards (no system service is used or changed). The command finds the server in
# TEST_POSTGRES_URL (postgres://app@127.0.0.1:PORT, no password: loopback, trust).
#   bash scripts/with-postgres.sh cargo test -p account-server
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
install_missing postgresql-15 postgresql-client-15

bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d "${TMPDIR:-/tmp}/account-pg.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# initdb refuses to run as root: the cluster then belongs to the postgres user.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  as_owner=(runuser -u postgres --)
fi
stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -A trust -U app -E UTF8 --locale=C.UTF-8 \
  --no-sync >"$dir/initdb.log"
# fsync off: a test cluster need not survive a power cut, and it is much faster.
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
   -c full_page_writes=off -c max_connections=400" start >/dev/null
export TEST_POSTGRES_URL="postgres://app@127.0.0.1:$port"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $TEST_POSTGRES_URL"
"$@"
