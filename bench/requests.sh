#!/usr/bin/env bash
# Benchmark of enterprise requests (a benchmark, not a test): the demo park plus 100,000 requests
# and 100 enterprise accounts (examples/requests_bench_data.rs), then, over loopback with wrk:
#  - the portal: 1,000 users, each signed in as one of the 100 enterprises in turn (a Lua
#    script), listing its own requests (GET /api/v1/requests?limit=20) and reading the list for
#    0.5 to 1.5 s (wrk's delay) before asking again: p99 <= 50 ms;
#  - the same 1,000 connections asking back to back, with no time between (saturation: the
#    throughput the server reaches; with 1,000 requests always in flight the mean latency is
#    1,000 / throughput by Little's law, so a p99 under 50 ms would need 20,000 requests/s);
#  - the team's queue page (/requests?status=open, signed in as 园小二) at 32 connections:
#    >= 1,000 requests/s.
# Prints each figure and its ratio to the target.
#
#   bench/requests.sh [REQUESTS] [ACCOUNTS] [SECONDS]     (default 100000 100 20)
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS="${1:-100000}"
# One account per enterprise; the generator adds enterprises past the demo's 60.
ACCOUNTS="${2:-100}"
SECONDS_EACH="${3:-20}"
PORT=18090
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin taizhang --example requests_bench_data
TARGET="${CARGO_TARGET_DIR:-target}/release"
DB="sqlite://$WORK/bench.db"
PASSWORD='Bench-pass-1'
export TAIZHANG_ADMIN_PASSWORD="$PASSWORD"
ulimit -n 8192

"$TARGET/taizhang" --database-url "$DB" demo > "$WORK/demo.txt"
start=$(date +%s.%N)
"$TARGET/examples/requests_bench_data" "$DB" "$PASSWORD" "$REQUESTS" "$ACCOUNTS" > "$WORK/logins.txt"
data_s=$(echo "$(date +%s.%N) - $start" | bc)
total=$(sqlite3 "$WORK/bench.db" "SELECT COUNT(*) FROM requests")

"$TARGET/taizhang" --database-url "$DB" serve --addr "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# One API token per enterprise account.
while read -r login; do
  curl -sf -X POST "127.0.0.1:$PORT/api/v1/session" -H 'content-type: application/json' \
    -d "{\"login\":\"$login\",\"password\":\"$PASSWORD\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/'
  echo
done < "$WORK/logins.txt" > "$WORK/tokens.txt"
# Only what reads as a token is kept: a refused sign-in (its message in Chinese) would be sent
# as a header otherwise.
grep -vE '^[0-9]+\.[0-9a-f]+$' "$WORK/tokens.txt" | head -n 3 | sed 's/^/refused sign-in: /' >&2 || true
grep -E '^[0-9]+\.[0-9a-f]+$' "$WORK/tokens.txt" > "$WORK/good.txt" || true
mv "$WORK/good.txt" "$WORK/tokens.txt"
tokens=$(grep -c . "$WORK/tokens.txt")
first=$(head -n1 "$WORK/tokens.txt")
own=$(curl -sf -H "Authorization: Bearer $first" "127.0.0.1:$PORT/api/v1/requests?limit=20" \
  | grep -oE '"total":[0-9]+' | cut -d: -f2)

cat > "$WORK/portal.lua" <<'LUA'
-- Each request is one of the enterprise accounts in turn, listing its own requests.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local n = 0
request = function()
  n = n + 1
  local token = tokens[(n % #tokens) + 1]
  return wrk.format("GET", "/api/v1/requests?limit=20", { ["Authorization"] = "Bearer " .. token })
end
LUA
TOKENS="$WORK/tokens.txt" wrk -t2 -c1000 -d"${SECONDS_EACH}s" --latency -s "$WORK/portal.lua" \
  "http://127.0.0.1:$PORT" > "$WORK/saturation.txt"
# The same, each user reading the list between two requests.
{ cat "$WORK/portal.lua"; echo 'delay = function() return math.random(500, 1500) end'; } > "$WORK/users.lua"
TOKENS="$WORK/tokens.txt" wrk -t2 -c1000 -d"${SECONDS_EACH}s" --latency -s "$WORK/users.lua" \
  "http://127.0.0.1:$PORT" > "$WORK/portal.txt"

COOKIE=$(curl -si -X POST "127.0.0.1:$PORT/login" -H 'content-type: application/x-www-form-urlencoded' \
  --data-urlencode "login=xiaoer" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" \
  | grep -i '^set-cookie:' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]+).*/\1/' | tr -d '\r' | paste -sd ';' -)
QUEUE="http://127.0.0.1:$PORT/requests?status=open"
queue_status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$QUEUE")
wrk -t2 -c32 -d"${SECONDS_EACH}s" --latency -H "Cookie: $COOKIE" "$QUEUE" > "$WORK/queue.txt"
rss_kb=$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')
kill $SERVER

rps() { grep 'Requests/sec' "$1" | awk '{print $2}'; }
p99() { grep -E '^ +99%' "$1" | awk '{print $2}'; }
errors() { grep -E 'Non-2xx|Socket errors' "$1" || echo "none"; }
to_ms() { case "$1" in *us) echo "scale=3; ${1%us}/1000" | bc;; *ms) echo "${1%ms}";; *s) echo "scale=3; ${1%s}*1000" | bc;; esac; }
portal_p99=$(to_ms "$(p99 "$WORK/portal.txt")")
queue_rps=$(rps "$WORK/queue.txt")

echo "requests in the park:      $total ($REQUESTS added in ${data_s%????} s), $tokens enterprise accounts signed in"
echo "first enterprise's list:   $own requests of its own"
echo "portal, 1000 users:        $(rps "$WORK/portal.txt") req/s, p99 $portal_p99 ms (target <= 50 ms, ratio $(echo "scale=2; $portal_p99/50" | bc)); errors: $(errors "$WORK/portal.txt")"
echo "portal saturated (1000 conn back to back): $(rps "$WORK/saturation.txt") req/s, p99 $(to_ms "$(p99 "$WORK/saturation.txt")") ms; errors: $(errors "$WORK/saturation.txt")"
echo "queue page (HTTP $queue_status), 32 conn: $queue_rps req/s (target >= 1000, ratio $(echo "scale=2; $queue_rps/1000" | bc)), p99 $(to_ms "$(p99 "$WORK/queue.txt")") ms; errors: $(errors "$WORK/queue.txt")"
echo "server peak memory:        $(echo "scale=1; $rss_kb/1024" | bc) MB"
