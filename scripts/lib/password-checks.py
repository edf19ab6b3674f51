"""Password checks at a steady rate, for bench-account-read.sh: PUT /api/v1/account with
the account's own details and its password, so each request runs one argon2 check and
changes nothing (a right password does not count against the attempt limits). Requests
leave on schedule whether or not earlier ones were answered (checks that queue in the
service do not slow the rate down); latency is counted from the scheduled time.

Usage: python3 password-checks.py BASE_URL TOKENS PASSWORD RATE SECONDS
TOKENS: machine tokens of one account, comma-separated, used in turn.
Prints one line: checks sent, answered 200 (and the rate), the others by status
(0: no answer), p50 and p99 of those answered 200."""
import http.client
import json
import queue
import sys
import threading
import time
import urllib.parse

base, tokens, password, rate, seconds = sys.argv[1:6]
tokens, rate, seconds = tokens.split(","), float(rate), float(seconds)
url = urllib.parse.urlsplit(base)


def auth(n):
    return {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}


def connect():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=60)


conn = connect()
conn.request("GET", "/api/v1/account", headers=auth(0))
view = json.loads(conn.getresponse().read())
body = json.dumps(
    {"password": password, "version": view["version"], "details": view["details"]}
)

jobs, results, lock = queue.Queue(), [], threading.Lock()


def worker():
    conn = connect()
    while (job := jobs.get()) is not None:
        n, due = job
        headers = {**auth(n), "content-type": "application/json"}
        try:
            conn.request("PUT", "/api/v1/account", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = connect()
            status = 0
        with lock:
            results.append((status, time.monotonic() - due))


# Enough connections that checks waiting in the service never hold the next ones back.
threads = [threading.Thread(target=worker, daemon=True) for _ in range(int(rate * 4))]
for t in threads:
    t.start()
start = time.monotonic()
sent = 0
while sent < rate * seconds:
    due = start + sent / rate
    time.sleep(max(0.0, due - time.monotonic()))
    jobs.put((sent, due))
    sent += 1
for _ in threads:
    jobs.put(None)
for t in threads:
    t.join(timeout=60)
elapsed = time.monotonic() - start
with lock:
    ok = sorted(took for status, took in results if status == 200)
    bad = {}
    for status, _ in results:
        if status != 200:
            bad[status] = bad.get(status, 0) + 1


def pct(p):
    return ok[min(len(ok) - 1, int(len(ok) * p))] * 1000 if ok else float("nan")


print(
    f"password checks (PUT /api/v1/account, {rate:g}/s offered): {sent} sent, "
    f"{len(ok)} answered 200 ({len(ok) / elapsed:.1f}/s), "
    f"not 200: {sum(bad.values())} {bad or ''}, "
    f"check p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms"
)
