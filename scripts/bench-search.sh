#!/usr/bin/env bash
# Search times of the support console and API on many accounts: seeds ACCOUNTS
# (default 1 000 000) accounts into a SQLite file, then times each kind of search
# through the storage layer and through the real service over HTTP.
# Usage: bash scripts/bench-search.sh [accounts] [database file to create or reuse]
set -euo pipefail
cd "$(dirname "$0")/.."
export ACCOUNTS="${1:-${ACCOUNTS:-1000000}}"
if [ -n "${2:-}" ]; then
  export SEARCH_BENCH_DB="$2"
fi
exec cargo bench -p account-server --bench search
