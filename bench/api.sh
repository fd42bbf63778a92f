#!/usr/bin/env bash
# Benchmark of the ledger core (a benchmark, not a test): builds the demo at the scale that gives
# about 200,000 records, then loads GET /api/v1/records (50 rows, filtered by kind and year, with
# the total) with wrk over loopback at 32 connections for 20 s, and the same against a bare axum
# handler returning fixed JSON. Prints the figures and their ratios to the targets.
#
#   bench/api.sh [SCALE]      (default scale 60)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-60}"
PORT=18080
BARE_PORT=18081
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin taizhang --example bare_axum
BIN="${CARGO_TARGET_DIR:-target}/release/taizhang"
DB="sqlite://$WORK/bench.db"
export TAIZHANG_ADMIN_PASSWORD='Bench-pass-1'

start=$(date +%s.%N)
$BIN --database-url "$DB" demo --scale "$SCALE" | tail -n 12 > "$WORK/demo.txt"
demo_s=$(echo "$(date +%s.%N) - $start" | bc)
records=$(grep -oE '[0-9]+ 条台账记录' "$WORK/demo.txt" | grep -oE '^[0-9]+')
year=$(sqlite3 "$WORK/bench.db" "SELECT MAX(substr(occurred_on,1,4)) FROM records")

$BIN --database-url "$DB" serve --addr "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -sf -X POST "127.0.0.1:$PORT/api/v1/session" -H 'content-type: application/json' \
  -d "{\"login\":\"office\",\"password\":\"$TAIZHANG_ADMIN_PASSWORD\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
URL="http://127.0.0.1:$PORT/api/v1/records?kind=meeting&year=$year&limit=50"
total=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL" | grep -oE '"total":[0-9]+' | cut -d: -f2)

wrk -t2 -c32 -d20s --latency -H "Authorization: Bearer $TOKEN" "$URL" > "$WORK/wrk.txt"
# The same listing as a page (issue 3): signed in through the login form, the session cookie.
COOKIE=$(curl -si -X POST "127.0.0.1:$PORT/login" -H 'content-type: application/x-www-form-urlencoded' \
  --data-urlencode "login=office" --data-urlencode "password=$TAIZHANG_ADMIN_PASSWORD" --data-urlencode "next=/" \
  | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]+).*/\1/' | tr -d '\r')
PAGE="http://127.0.0.1:$PORT/ledger/meeting?year=$year"
rows=$(curl -sf -H "Cookie: $COOKIE" "$PAGE" | grep -c '<tr' || true)
wrk -t2 -c32 -d20s --latency -H "Cookie: $COOKIE" "$PAGE" > "$WORK/page.txt"
rss_kb=$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')
kill $SERVER

"${CARGO_TARGET_DIR:-target}"/release/examples/bare_axum "127.0.0.1:$BARE_PORT" &
BARE=$!
sleep 0.5
wrk -t2 -c32 -d20s --latency "http://127.0.0.1:$BARE_PORT/" > "$WORK/bare.txt"
kill $BARE

rps() { grep 'Requests/sec' "$1" | awk '{print $2}'; }
p99() { grep -E '^ +99%' "$1" | awk '{print $2}'; }
to_ms() { case "$1" in *us) echo "scale=3; ${1%us}/1000" | bc;; *ms) echo "${1%ms}";; *s) echo "scale=3; ${1%s}*1000" | bc;; esac; }
api_rps=$(rps "$WORK/wrk.txt"); bare_rps=$(rps "$WORK/bare.txt")
api_p99=$(to_ms "$(p99 "$WORK/wrk.txt")")
rss_mb=$(echo "scale=1; $rss_kb/1024" | bc)

echo "records in the demo:        $records (scale $SCALE), built in ${demo_s%????} s (target <= 20 s)"
echo "listing:                    $URL (total $total)"
echo "GET /api/v1/records:        $api_rps req/s (target >= 3000: ratio $(echo "scale=2; $api_rps/3000" | bc))"
echo "p99 latency:                $api_p99 ms (target <= 30 ms)"
echo "ledger list page:           $PAGE ($rows table rows)"
page_p99=$(to_ms "$(p99 "$WORK/page.txt")")
echo "GET /ledger/meeting page:   $(rps "$WORK/page.txt") req/s (target >= 2000: ratio $(echo "scale=2; $(rps "$WORK/page.txt")/2000" | bc)); p99 $page_p99 ms (target <= 50 ms)"
echo "server peak RSS:            $rss_mb MB (target <= 150 MB)"
echo "bare axum fixed JSON:       $bare_rps req/s; taizhang / bare = $(echo "scale=3; $api_rps/$bare_rps" | bc)"
grep -E 'Non-2xx|Socket errors' "$WORK/wrk.txt" "$WORK/page.txt" || true
