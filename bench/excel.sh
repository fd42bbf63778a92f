#!/usr/bin/env bash
# Benchmark of Excel import and export (a benchmark, not a test). Generates a 100,000-row
# 会议台账 workbook with mixed date spellings (examples/gen_meetings.rs), then times:
#   (a) `taizhang import` of it into a fresh SQLite park (wall time and peak RSS),
#   (b) the baseline: bench/baseline_import.py (openpyxl read-only + sqlite3 executemany),
#   (c) `taizhang export` of the same records.
# Each is run RUNS times (default 3) and the best is reported, with the ratios to the targets.
# Then the floors, which say how far the import can go on this machine:
#   (d) `taizhang import --dry-run`: reading and checking alone, nothing written;
#   (e) openpyxl's read-only pass over the same sheet alone, no checks, nothing written;
#   (f) SQLite alone: the sqlite3 shell copying the imported records into a fresh park's
#       database (same schema, indexes and pragmas) in one INSERT … SELECT.
#
#   bench/excel.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-100000}"
RUNS="${2:-3}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 -c 'import openpyxl' 2>/dev/null || pip install -q openpyxl
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
cargo build --release --quiet --bin taizhang --example gen_meetings
TARGET="${CARGO_TARGET_DIR:-target}/release"
BIN="$TARGET/taizhang"
export TAIZHANG_ADMIN_PASSWORD='Bench-pass-1'

"$TARGET/examples/gen_meetings" "$WORK/meetings.xlsx" "$ROWS" >/dev/null
size_kb=$(( $(stat -c %s "$WORK/meetings.xlsx") / 1024 ))

# Runs a command, appending "seconds peak_kb cpu_seconds" to the file named first.
timed() {
  local into=$1; shift
  /usr/bin/time -f '%e %M %U %S' -o "$WORK/t" "$@" >/dev/null
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/t" >> "$into"
}
best() { sort -n "$1" | head -1 | awk '{print $1}'; }
cpu() { sort -n -k3 "$1" | head -1 | awk '{print $3}'; }
peak_mb() { sort -n -k2 "$1" | tail -1 | awk '{printf "%.0f", $2/1024}'; }

for i in $(seq 1 "$RUNS"); do
  DB="sqlite://$WORK/park$i.db"
  "$BIN" --database-url "$DB" init --park 基准园区 >/dev/null
  timed "$WORK/import.txt" "$BIN" --database-url "$DB" import "$WORK/meetings.xlsx"
  timed "$WORK/export.txt" "$BIN" --database-url "$DB" export --kind meeting --out "$WORK/out$i.xlsx"
  timed "$WORK/baseline.txt" python3 bench/baseline_import.py "$WORK/meetings.xlsx" "$WORK/base$i.sqlite"
  DRY="sqlite://$WORK/dry$i.db"
  "$BIN" --database-url "$DRY" init --park 基准园区 >/dev/null
  timed "$WORK/dry.txt" "$BIN" --database-url "$DRY" import --dry-run "$WORK/meetings.xlsx"
  timed "$WORK/read.txt" python3 -c '
import sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
sum(1 for _ in book["会议台账"].iter_rows(values_only=True))' "$WORK/meetings.xlsx"
  # The dry run's park is fresh: its units get the imported ones' ids, so the copy keeps them.
  sqlite3 "$WORK/dry$i.db" "ATTACH '$WORK/park1.db' AS src; INSERT INTO units SELECT * FROM src.units WHERE id NOT IN (SELECT id FROM units);" >/dev/null
  timed "$WORK/sqlite.txt" sqlite3 "$WORK/dry$i.db" "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
    ATTACH '$WORK/park1.db' AS src; BEGIN IMMEDIATE;
    INSERT INTO records (park_id, kind, occurred_on, unit_id, enterprise_id, title, fields, search_text, created_by, created_at, updated_at)
      SELECT park_id, kind, occurred_on, unit_id, enterprise_id, title, fields, search_text, created_by, created_at, updated_at FROM src.records WHERE kind = 'meeting';
    COMMIT;"
done
imported=$(sqlite3 "$WORK/park1.db" "SELECT COUNT(*) FROM records WHERE kind='meeting'" 2>/dev/null || echo "?")

imp=$(best "$WORK/import.txt"); exp=$(best "$WORK/export.txt"); base=$(best "$WORK/baseline.txt")
echo "workbook:            $ROWS rows, ${size_kb} KB; records imported: $imported; best of $RUNS runs"
echo "taizhang import:     ${imp} s (target <= 1.5 s: ratio $(echo "scale=2; $imp/1.5" | bc)); peak RSS $(peak_mb "$WORK/import.txt") MB (target <= 300 MB); CPU $(cpu "$WORK/import.txt") s"
echo "baseline (openpyxl): ${base} s; baseline / taizhang = $(echo "scale=1; $base/$imp" | bc)x (target >= 20x)"
echo "taizhang export:     ${exp} s (target <= 2 s: ratio $(echo "scale=2; $exp/2" | bc)); peak RSS $(peak_mb "$WORK/export.txt") MB"
echo "floors (best wall s / CPU s):"
echo "  taizhang import --dry-run (read + check, no write): $(best "$WORK/dry.txt") / $(cpu "$WORK/dry.txt")"
echo "  openpyxl read-only pass alone (no checks):          $(best "$WORK/read.txt") / $(cpu "$WORK/read.txt")"
echo "  SQLite alone, INSERT … SELECT of the same records:  $(best "$WORK/sqlite.txt") / $(cpu "$WORK/sqlite.txt")"
