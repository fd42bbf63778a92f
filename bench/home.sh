#!/usr/bin/env bash
# Benchmark of the 工作台 (a benchmark, not a test): builds the demo at the scale that gives about
# 200,000 records (as api.sh does), serves it, signs in as 党建办 (office, the whole park) and as
# a 支部书记 (secretary, one branch), and times `GET /` of the demo's last year with curl: the
# first request (nothing cached) and the median of RUNS after it. Prints the figures and their
# ratios to the target.
#
#   bench/home.sh [SCALE] [RUNS]      (default scale 60, 21 runs)
#   PROFILE=debug bench/home.sh 1 3   (a debug build, to see that the script works; its
#                                      figures are not the target's)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-60}"
RUNS="${2:-21}"
PROFILE="${PROFILE:-release}"
PORT="${PORT:-18090}"
TARGET_MS=150
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ "$PROFILE" = release ]; then
  cargo build --release --quiet --bin taizhang
else
  cargo build --quiet --bin taizhang
fi
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE/taizhang"
DB="sqlite://$WORK/bench.db"
export TAIZHANG_ADMIN_PASSWORD='Bench-pass-1'
# Keys and attachments in the scratch folder, not the checkout.
export TAIZHANG_DATA_DIR="$WORK/data"

start=$(date +%s.%N)
$BIN --database-url "$DB" demo --scale "$SCALE" > "$WORK/demo.txt" 2>&1
demo_s=$(echo "$(date +%s.%N) - $start" | bc)
records=$(grep -oE '[0-9]+ 条台账记录' "$WORK/demo.txt" | grep -oE '^[0-9]+')
year=$(sqlite3 "$WORK/bench.db" "SELECT MAX(substr(occurred_on,1,4)) FROM records")
echo "records in the demo:  $records (scale $SCALE), built in ${demo_s%????} s; year $year; $PROFILE build"

$BIN --database-url "$DB" serve --addr "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 &
for _ in $(seq 1 100); do curl -sf "127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# The session cookie of a sign-in through the login form.
cookie() {
  curl -si -X POST "127.0.0.1:$PORT/login" -H 'content-type: application/x-www-form-urlencoded' \
    --data-urlencode "login=$1" --data-urlencode "password=$TAIZHANG_ADMIN_PASSWORD" --data-urlencode "next=/" \
    | grep -i '^set-cookie:' | grep -i 'tz_session' | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]+).*/\1/' | tr -d '\r' | head -n 1
}

# One GET of the 工作台 in milliseconds; fails unless it answers 200 with its charts.
once() {
  local out ms code
  out=$(curl -s -o "$WORK/home.html" -w '%{http_code} %{time_total}' -H "Cookie: $1" "127.0.0.1:$PORT/?year=$year")
  code=${out% *}
  ms=$(echo "${out#* } * 1000" | bc)
  if [ "$code" != 200 ] || ! grep -q 'class="card chart"' "$WORK/home.html"; then
    echo "GET / answered $code without its charts" >&2
    exit 1
  fi
  echo "$ms"
}

for login in office secretary; do
  C=$(cookie "$login")
  [ -n "$C" ] || { echo "sign-in as $login failed" >&2; exit 1; }
  first=$(once "$C")
  : > "$WORK/times.txt"
  for _ in $(seq 1 "$RUNS"); do once "$C" >> "$WORK/times.txt"; done
  median=$(sort -n "$WORK/times.txt" | sed -n "$(( (RUNS + 1) / 2 ))p")
  charts=$(grep -o 'class="card chart"' "$WORK/home.html" | wc -l)
  printf '%-10s GET / first %7.1f ms (ratio %.2f), median of %s %7.1f ms (ratio %.2f; target <= %s ms), %s charts, %s bytes\n' \
    "$login" "$first" "$(echo "scale=3; $first/$TARGET_MS" | bc)" "$RUNS" "$median" \
    "$(echo "scale=3; $median/$TARGET_MS" | bc)" "$TARGET_MS" "$charts" "$(stat -c %s "$WORK/home.html")"
done
