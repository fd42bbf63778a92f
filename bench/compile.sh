#!/usr/bin/env bash
# Benchmark of the 台账汇编 (a benchmark, not a test): builds the demo (by default at the scale that
# gives about 200,000 records, as api.sh does), picks the 党支部 whose ledgers of the demo's last
# year (its own records and those of the units below it) number nearest RECORDS, and times in a
# release build the command line writing that branch's year as one DOCX:
# `taizhang compile --year Y --unit U --out F.docx`, the whole process (opening the database
# included), median of RUNS. Prints the figure next to the target.
#
#   bench/compile.sh [SCALE] [RUNS]      (default scale 60, 5 runs; RECORDS=300)
#   bench/compile.sh 4 5                 (a smaller park whose largest branch has about 300)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-60}"
RUNS="${2:-5}"
RECORDS="${RECORDS:-300}"
TARGET_S=3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin taizhang
BIN="${CARGO_TARGET_DIR:-target}/release/taizhang"
DB="sqlite://$WORK/bench.db"
export TAIZHANG_ADMIN_PASSWORD='Bench-pass-1'
# Keys and attachments in the scratch folder, not the checkout.
export TAIZHANG_DATA_DIR="$WORK/data"

start=$(date +%s.%N)
"$BIN" --database-url "$DB" demo --scale "$SCALE" > "$WORK/demo.txt" 2>&1
demo_s=$(echo "$(date +%s.%N) - $start" | bc)
records=$(grep -oE '[0-9]+ 条台账记录' "$WORK/demo.txt" | grep -oE '^[0-9]+')
year=$(sqlite3 "$WORK/bench.db" "SELECT MAX(substr(occurred_on,1,4)) FROM records")
echo "records in the demo: $records (scale $SCALE), built in ${demo_s%????} s; year $year"

# Each branch with the year's records of its subtree; the one nearest RECORDS.
pick=$(sqlite3 -separator '|' "$WORK/bench.db" "
  WITH RECURSIVE below(root, id) AS (
    SELECT id, id FROM units WHERE unit_type = '党支部'
    UNION ALL SELECT below.root, u.id FROM units u JOIN below ON u.parent_id = below.id)
  SELECT u.name, COUNT(r.id) FROM below JOIN units u ON u.id = below.root
  LEFT JOIN records r ON r.unit_id = below.id AND r.deleted_at IS NULL
    AND r.occurred_on >= '$year-01-01' AND r.occurred_on <= '$year-12-31'
  GROUP BY below.root, u.name ORDER BY ABS(COUNT(r.id) - $RECORDS), below.root LIMIT 1")
unit=${pick%|*}
unit_records=${pick##*|}
echo "branch: $unit, $unit_records records in $year (nearest to $RECORDS)"

: > "$WORK/times.txt"
for _ in $(seq 1 "$RUNS"); do
  start=$(date +%s.%N)
  if ! "$BIN" --database-url "$DB" compile --year "$year" --unit "$unit" --out "$WORK/compiled.docx" > "$WORK/compile.txt" 2>&1; then
    cat "$WORK/compile.txt" >&2
    exit 1
  fi
  echo "$(date +%s.%N) - $start" | bc >> "$WORK/times.txt"
done
median=$(sort -n "$WORK/times.txt" | sed -n "$(( (RUNS + 1) / 2 ))p")
best=$(sort -n "$WORK/times.txt" | head -n 1)
cat "$WORK/compile.txt"
printf 'taizhang compile (whole process): median of %s %.3f s, best %.3f s (ratio %.2f; target <= %s s), %s bytes\n' \
  "$RUNS" "$median" "$best" "$(echo "scale=3; $median/$TARGET_S" | bc)" "$TARGET_S" "$(stat -c %s "$WORK/compiled.docx")"
