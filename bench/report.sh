#!/usr/bin/env bash
# Benchmark of the annual report (a benchmark, not a test): builds the demo at the scale that
# gives about 200,000 records (as api.sh does), then times in a release build the whole report of
# the demo's last year rendered as HTML and as DOCX, and the bare aggregate SQL of the same
# metrics as the baseline (examples/report_bench.rs prints the figures and ratios). Finally the
# command line writes the DOCX, to show the end-to-end time a user sees. Templates render in the
# binary's render workers (child processes), as the server's do.
#
#   bench/report.sh [SCALE] [RUNS]      (default scale 60, 7 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-60}"
RUNS="${2:-7}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin taizhang --example report_bench
TARGET="${CARGO_TARGET_DIR:-target}/release"
DB="sqlite://$WORK/bench.db"
export TAIZHANG_ADMIN_PASSWORD='Bench-pass-1'

start=$(date +%s.%N)
"$TARGET/taizhang" --database-url "$DB" demo --scale "$SCALE" > "$WORK/demo.txt"
demo_s=$(echo "$(date +%s.%N) - $start" | bc)
records=$(grep -oE '[0-9]+ 条台账记录' "$WORK/demo.txt" | grep -oE '^[0-9]+')
year=$(sqlite3 "$WORK/bench.db" "SELECT MAX(substr(occurred_on,1,4)) FROM records")
echo "records in the demo: $records (scale $SCALE), built in ${demo_s%????} s; report year $year"

"$TARGET/examples/report_bench" "$DB" "$year" "$RUNS" "$TARGET/taizhang"

start=$(date +%s.%N)
"$TARGET/taizhang" --database-url "$DB" report --year "$year" --format docx --out "$WORK/report.docx"
cli_s=$(echo "$(date +%s.%N) - $start" | bc)
echo "taizhang report --format docx (whole process, opening the database): ${cli_s%????} s, $(stat -c %s "$WORK/report.docx") bytes"
