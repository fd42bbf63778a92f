#!/usr/bin/env bash
# Benchmark of the rule checks (a benchmark, not a test): builds the demo at the scale that gives
# about 200,000 records (as bench/api.sh does), then times `taizhang check` over all the park's
# rules for the demo's latest year, best of RUNS runs, each a fresh process that opens the
# database, loads the park's rules, runs every rule's query and prints the findings as JSON.
#
#   bench/rules.sh [SCALE] [RUNS]      (default scale 60, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-60}"
RUNS="${2:-5}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin taizhang
BIN="${CARGO_TARGET_DIR:-target}/release/taizhang"
DB="sqlite://$WORK/bench.db"
export TAIZHANG_ADMIN_PASSWORD='Bench-pass-1'

$BIN --database-url "$DB" demo --scale "$SCALE" | tail -n 12 > "$WORK/demo.txt"
records=$(grep -oE '[0-9]+ 条台账记录' "$WORK/demo.txt" | grep -oE '^[0-9]+')
meetings=$(sqlite3 "$WORK/bench.db" "SELECT COUNT(*) FROM records WHERE kind = 'meeting'")
# The demo's latest year, over by today: every period can be violated, so every rule does its work.
year=$(sqlite3 "$WORK/bench.db" "SELECT MAX(substr(occurred_on,1,4)) FROM records")

best=""
for _ in $(seq 1 "$RUNS"); do
  start=$(date +%s.%N)
  $BIN --database-url "$DB" check --year "$year" --format json > "$WORK/findings.json"
  took=$(echo "$(date +%s.%N) - $start" | bc)
  if [ -z "$best" ] || [ "$(echo "$took < $best" | bc)" = 1 ]; then best=$took; fi
done
findings=$(grep -c '"rule":' "$WORK/findings.json" || true)

echo "records in the demo:        $records (scale $SCALE), of which $meetings meetings"
echo "check --year $year:          best of $RUNS runs ${best%?????} s (target <= 1 s), $findings findings"
