#!/usr/bin/env bash
# Search times of the support console and API on many accounts: seeds ACCOUNTS
# (default 1 000 000) accounts into a SQLite file, then times each kind of search
# through the storage layer and through the real service over HTTP.
# With DATABASE=postgres (run under scripts/with-postgres.sh), the same accounts are
# copied into a new PostgreSQL database and every search is timed there.
# Usage: bash scripts/bench-search.sh [accounts] [SQLite file to create or reuse]
set -euo pipefail
cd "$(dirname "$0")/.."
export ACCOUNTS="${1:-${ACCOUNTS:-1000000}}"
if [ -n "${2:-}" ]; then
  # cargo runs the bench from server/: the path must not be relative to here.
  export SEARCH_BENCH_DB="$(realpath -m "$2")"
fi
if [ "${DATABASE:-sqlite}" = postgres ]; then
  name="search_bench_$ACCOUNTS"
  psql -q "$TEST_POSTGRES_URL/postgres" -tc "SELECT 1 FROM pg_database WHERE datname = '$name'" \
    | grep -q 1 || psql -q "$TEST_POSTGRES_URL/postgres" -c "CREATE DATABASE $name"
  export SEARCH_BENCH_POSTGRES="$TEST_POSTGRES_URL/$name"
fi
exec cargo bench -p account-server --bench search
