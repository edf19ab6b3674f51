#!/usr/bin/env bash
# Register → the password mail at a real SMTP server: p50 and p99 of the time from the
# registration request to the mail's arrival, one registration at a time (idle) and at a
# steady rate. The release service runs as its own process, delivering over SMTP to
# test-support's SMTP server on loopback (server/benches/mail.rs). Prints one line each:
#   register → password mail, idle: mails 50/50  p50 … ms  p99 … ms  max … ms
#   register → password mail, 20/s: mails 300/300  p50 … ms  p99 … ms  max … ms
# With DATABASE=postgres (under scripts/with-postgres.sh), on a new PostgreSQL database.
#   MAIL_BENCH_IDLE, MAIL_BENCH_RATE, MAIL_BENCH_SECONDS: see server/benches/mail.rs
# Usage: bash scripts/bench-mail.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p account-server -q
export MAIL_BENCH_SERVER="$(realpath "${CARGO_TARGET_DIR:-target}/release/account-server")"
if [ "${DATABASE:-sqlite}" = postgres ]; then
  name="mail_bench_$(date +%s)_$$"
  psql -q "$TEST_POSTGRES_URL/postgres" -c "CREATE DATABASE $name"
  export MAIL_BENCH_DATABASE_URL="$TEST_POSTGRES_URL/$name"
fi
exec cargo bench -q -p account-server --bench mail
