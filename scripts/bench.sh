#!/usr/bin/env bash
# The performance figures the user feels, each as a ratio to its yardstick measured in the
# same run (issue 14): the window and its memory against a bare Tauri 2 window
# (bench/bare-window, same release profile), the binary's size against the bare one's, the
# account read against the bare liveness endpoint (SQLite; PostgreSQL too with
# BENCH_POSTGRES=1), the support search's p99 over BENCH_ACCOUNTS accounts, and register →
# password mail at a real SMTP server (p50, p99; idle and at 20/s). Benchmarks,
# not tests: nothing is asserted. Figures land in $BENCH_OUT (default target/bench/).
#   BENCH_RUNS      window cold starts per program [default: 7]
#   BENCH_SECONDS   seconds per load run [default: 10]
#   BENCH_ACCOUNTS  accounts seeded for the search [default: 1000000; 0 skips it]
#   BENCH_POSTGRES  1: the account read, the search and the mail on PostgreSQL too (a throwaway
#                   server; the search's accounts are copied from the SQLite file)
#   BENCH_BLOAT     1: also the program's size by crate (cargo-bloat, installed if missing;
#                   one more release build, with symbols) in $BENCH_OUT/binary-by-crate.txt
set -euo pipefail
cd "$(dirname "$0")/.."
out="${BENCH_OUT:-target/bench}"
mkdir -p "$out"
target="${CARGO_TARGET_DIR:-target}"
bash scripts/setup.sh >/dev/null

if [ "${BENCH_BLOAT:-0}" = 1 ]; then
  echo "== the program's size by crate" >&2
  command -v cargo-bloat >/dev/null || cargo install cargo-bloat --locked -q
  # Symbols are needed to attribute bytes: the same profile but unstripped (the
  # figures are of the code; the stripped build below is what ships
  # and is measured: cargo puts it back in place without recompiling).
  CARGO_PROFILE_RELEASE_STRIP=false cargo bloat --release --locked \
    --features tauri/custom-protocol --bin customer-account --crates -n 30 \
    >"$out/binary-by-crate.txt"
fi

echo "== building the release program, the bare window and the release service" >&2
cargo build --release --locked --features tauri/custom-protocol -q
# The bare window shares the target folder: the Tauri crates it has in common with the
# program are compiled once.
(cd bench/bare-window && cargo build --release --features tauri/custom-protocol -q \
  --target-dir "$(realpath "../../$target")")
cargo build --release --locked -p account-server -q
app="$(realpath "$target/release/customer-account")"
bare="$(realpath "$target/release/bare-window")"

echo "== window cold starts" >&2
BENCH_APP="$app" BENCH_BARE="$bare" BENCH_RUNS="${BENCH_RUNS:-7}" dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME=$(mktemp -d)
  eval "$(printf test | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
  cargo test --locked --test window cold_start_figures -- --ignored --nocapture
' >"$out/window.txt" 2>&1

echo "== account read, SQLite" >&2
bash scripts/bench-account-read.sh "${BENCH_SECONDS:-10}" 32 >"$out/read-sqlite.txt"
if [ "${BENCH_POSTGRES:-0}" = 1 ]; then
  echo "== account read, PostgreSQL" >&2
  DATABASE_URL=postgres bash scripts/with-postgres.sh \
    bash scripts/bench-account-read.sh "${BENCH_SECONDS:-10}" 32 >"$out/read-postgres.txt"
fi
accounts="${BENCH_ACCOUNTS:-1000000}"
if [ "$accounts" != 0 ]; then
  echo "== support search over $accounts accounts" >&2
  bash scripts/bench-search.sh "$accounts" "$out/search.sqlite" >"$out/search.txt"
  if [ "${BENCH_POSTGRES:-0}" = 1 ]; then
    echo "== support search over $accounts accounts, PostgreSQL (copied from the SQLite file)" >&2
    DATABASE=postgres bash scripts/with-postgres.sh \
      bash scripts/bench-search.sh "$accounts" "$out/search.sqlite" >"$out/search-postgres.txt"
  fi
fi

echo "== register → password mail, idle and at 20 registrations/s" >&2
bash scripts/bench-mail.sh >"$out/mail.txt"
if [ "${BENCH_POSTGRES:-0}" = 1 ]; then
  echo "== register → password mail, PostgreSQL" >&2
  DATABASE=postgres bash scripts/with-postgres.sh bash scripts/bench-mail.sh >"$out/mail-postgres.txt"
fi

python3 - "$out" "$app" "$bare" <<'PY'
import os, re, sys
out, app, bare = sys.argv[1:4]
rows = []
def row(what, figure, yardstick, ratio, goal):
    rows.append((what, figure, yardstick, ratio, goal))
def read(name):
    path = os.path.join(out, name)
    return open(path).read() if os.path.exists(path) else None

window = read("window.txt") or ""
def start(label):
    # tests/window.rs, Target::figures: the paint (page timing), WebDriver's view, memory.
    m = re.search(re.escape(label) + r": cold start median (\d+) ms to its paint.*?WebDriver saw it at median (\d+) ms.*?peak RSS (\d+) MiB \(program\) \+ (\d+) MiB", window)
    return tuple(int(g) for g in m.groups()) if m else None
account, bare_w = start("customer-account, account screen"), start("bare window")
if account and bare_w:
    (painted, seen, own, webkit), (b_painted, b_seen, b_own, b_webkit) = account, bare_w
    row("window to the customer ID painted", f"{painted} ms", f"{b_painted} ms (bare, its page painted)", f"{painted / b_painted:.2f}×", "≤ 1.15×")
    row("window to the customer ID, as WebDriver saw it", f"{seen} ms", f"{b_seen} ms (bare)", f"{seen / b_seen:.2f}×", "reported")
    row("window peak memory (program + WebKit)", f"{own} + {webkit} MiB", f"{b_own} + {b_webkit} MiB", f"{(own + webkit) / (b_own + b_webkit):.2f}×", "≤ 1.05×")
size, bare_size = os.path.getsize(app), os.path.getsize(bare)
row("release binary", f"{size / 2**20:.1f} MiB", f"{bare_size / 2**20:.1f} MiB (bare)", f"{size / bare_size:.2f}×", "≤ 2×")

def load(name, db):
    text = read(name)
    if not text:
        return
    lines = re.findall(r"([\d.]+) req/s\s+p50\s+([\d.]+) ms\s+p99\s+([\d.]+) ms", text)
    (bare_rps, _, bare_p99), (rps, _, p99) = [tuple(map(float, l)) for l in lines[:2]]
    row(f"account read, {db}: throughput", f"{rps:.0f} req/s", f"{bare_rps:.0f} req/s (/health/live)", f"{rps / bare_rps:.2f}×", "≥ 0.5×")
    row(f"account read, {db}: p99", f"{p99:.2f} ms", f"{bare_p99:.2f} ms (/health/live)", f"{p99 / bare_p99:.2f}×", "≤ 2×")
    if len(lines) > 2:
        # The same read while 50 password checks a second run (bench-account-read.sh).
        busy_p99 = float(lines[2][2])
        row(f"account read p99 under 50 password checks/s, {db}", f"{busy_p99:.2f} ms", f"{p99:.2f} ms (idle read)", f"{busy_p99 / p99:.2f}×", "≤ 2× idle")
        # What the checks themselves got meanwhile, so a faster read is not bought unseen.
        checks = re.search(r"answered 200 \(([\d.]+)/s\).*check p50 (\d+) ms, p99 (\d+) ms", text)
        if checks:
            row(f"password checks answered meanwhile, {db} (p50, p99)", f"{checks[1]}/s of 50: {checks[2]} ms, {checks[3]} ms", "—", "—", "reported")
load("read-sqlite.txt", "SQLite")
load("read-postgres.txt", "PostgreSQL")

def search(name, db):
    text = read(name)
    if not text:
        return
    table = text.split("(times in ms)", 1)[-1].splitlines()
    for line in table:
        # name, median, p99, max, results (server/benches/search.rs)
        m = re.match(r"(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", line.strip())
        if m and m.group(1) != "query":
            row(f"search p99, {db}: {m.group(1)}", f"{float(m.group(3)):.1f} ms", "—", "—", "≤ 20 ms")
search("search.txt", "SQLite")
search("search-postgres.txt", "PostgreSQL")
mail = read("mail.txt") or ""
for name, db in (("mail.txt", "SQLite"), ("mail-postgres.txt", "PostgreSQL")):
    text = read(name) or ""
    for load, p50, p99 in re.findall(r"register → password mail, (\S+): mails \S+\s+p50 ([\d.]+) ms\s+p99 ([\d.]+) ms", text):
        row(f"register → password mail, {db}, {load} (p50, p99)", f"{float(p50):.0f} ms, {float(p99):.0f} ms", "—", "—", "reported")
if not mail:
    row("register → password mail (p50, p99)", "not measured", "", "", "reported")

print("| figure | measured | yardstick (same run) | ratio | goal |")
print("|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
PY

if [ "${BENCH_BLOAT:-0}" = 1 ]; then
  echo
  echo "The program's code by crate (cargo-bloat, unstripped build of the same profile):"
  echo
  sed 's/^/    /' "$out/binary-by-crate.txt"
fi
