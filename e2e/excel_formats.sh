#!/usr/bin/env bash
# Real .xls, .ods and .csv files through import. LibreOffice converts workbooks our own code wrote
# (examples/gen_meetings.rs: 组织架构, 党员花名册 with ID numbers as text, 会议台账 with dates as
# date cells and as text; and what `taizhang export` writes), then:
#   1. the generated .xlsx and its .xls and .ods copies are each imported into a fresh park, and
#      the parks must hold the same records and people, value for value (dates still dates, ID
#      numbers still text, Chinese text intact);
#   2. the exported 会议台账 and its .xls, .ods, UTF-8 .csv and GBK .csv copies, checked with
#      --dry-run against the park they came from, must each match every record already there.
# Needs Debian's libreoffice-calc-nogui, sqlite3 and iconv (installed by .ci/run). cargo test does
# not need LibreOffice: .xlsb, .ods, .xlsx and .csv have tests of their own in tests/it/excel.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROWS=300
BRANCHES=20

cargo build --quiet --bin taizhang --example gen_meetings
TARGET="${CARGO_TARGET_DIR:-target}/debug"
BIN="$TARGET/taizhang"
export TAIZHANG_ADMIN_PASSWORD='Formats-pass-1'

# Converts $1 to the format $2 (a LibreOffice filter spec) into $WORK/out, with a profile of its
# own so that no user profile or running instance is touched.
convert() {
  timeout 300 soffice -env:UserInstallation="file://$WORK/profile" --headless \
    --convert-to "$2" --outdir "$WORK/out" "$1" > "$WORK/convert.log" 2>&1 \
    || { cat "$WORK/convert.log"; exit 1; }
}

# What a park holds, independent of ids: records with their unit's name, people with theirs.
# ID numbers and phones are stored sealed (SM4, a fresh nonce each time), so a person's ID number
# is compared by its blind index (the three parks share this folder's key file), and the dump
# says that both values are sealed.
dump() {
  sqlite3 "$1" "
    SELECT r.kind, r.occurred_on, u.name, r.title, r.fields FROM records r
      LEFT JOIN units u ON u.park_id = r.park_id AND u.id = r.unit_id
      ORDER BY r.kind, r.occurred_on, r.title, r.fields;
    SELECT p.name, p.gender, p.id_number_index, p.id_number LIKE 'sm4:%',
      p.phone IS NULL OR p.phone LIKE 'sm4:%', p.joined_on, p.is_member, u.name FROM people p
      LEFT JOIN units u ON u.park_id = p.park_id AND u.id = p.unit_id
      ORDER BY p.name;"
}

fail=0
check() { # description, expected, actual
  if [[ "$2" == "$3" ]]; then
    echo "ok:   $1"
  else
    echo "FAIL: $1: expected “$2”, got “$3”"
    fail=1
  fi
}

mkdir -p "$WORK/out"
"$TARGET/examples/gen_meetings" "$WORK/book.xlsx" "$ROWS" --members > /dev/null
convert "$WORK/book.xlsx" xls
convert "$WORK/book.xlsx" ods

# 1. The same workbook in three formats gives the same park.
for ext in xlsx xls ods; do
  file="$WORK/book.xlsx"
  [[ $ext != xlsx ]] && file="$WORK/out/book.$ext"
  db="$WORK/$ext.db"
  "$BIN" --database-url "sqlite://$db" init --park 格式园区 > /dev/null
  "$BIN" --database-url "sqlite://$db" import "$file" > "$WORK/$ext.out"
  dump "$db" > "$WORK/$ext.dump"
  check "$ext: 会议台账 rows imported" "$ROWS" \
    "$(sqlite3 "$WORK/$ext.db" "SELECT COUNT(*) FROM records WHERE kind = 'meeting'")"
  check "$ext: members imported" "$BRANCHES" \
    "$(sqlite3 "$WORK/$ext.db" "SELECT COUNT(*) FROM people WHERE is_member")"
  if [[ $ext != xlsx ]]; then
    if diff -q "$WORK/xlsx.dump" "$WORK/$ext.dump" > /dev/null; then
      echo "ok:   $ext: every record and person equals the .xlsx import"
    else
      echo "FAIL: $ext: the park differs from the .xlsx import:"
      diff "$WORK/xlsx.dump" "$WORK/$ext.dump" | head -20
      fail=1
    fi
  fi
done
# Spot values in the .xls park: an ID number ending in X, a date cell, Chinese text.
q() { sqlite3 "$WORK/xls.db" "$1"; }
# The .xlsx import keeps an ID number as text (tests/it/excel.rs); the .xls one must give the same
# number, X and all, which its blind index shows without opening the sealed value.
check "xls: an ID number stays text, X and all (its blind index equals the .xlsx import's)" \
  "$(sqlite3 "$WORK/xlsx.db" "SELECT id_number_index FROM people WHERE name = '党员19号'")" \
  "$(q "SELECT id_number_index FROM people WHERE name = '党员19号'")"
check "xlsx: the ID number has its blind index" "1" \
  "$(sqlite3 "$WORK/xlsx.db" "SELECT length(id_number_index) > 0 FROM people WHERE name = '党员19号'")"
check "xls: the ID number is stored sealed" "1" \
  "$(q "SELECT id_number LIKE 'sm4:%' FROM people WHERE name = '党员19号'")"
check "xls: a 入党日期 date cell stays a date" "1995-07-01" \
  "$(q "SELECT joined_on FROM people WHERE name = '党员1号'")"
check "xls: the first meeting's date, unit and name" \
  "$(sqlite3 "$WORK/xlsx.db" "SELECT occurred_on || ' ' || json_extract(fields, '$.org_unit') || ' ' || title FROM records ORDER BY id LIMIT 1")" \
  "$(q "SELECT occurred_on || ' ' || json_extract(fields, '$.org_unit') || ' ' || title FROM records ORDER BY id LIMIT 1")"

# 2. What export writes reads back from every format as the records it came from.
"$BIN" --database-url "sqlite://$WORK/xlsx.db" export --kind meeting --out "$WORK/会议台账.xlsx" > /dev/null
convert "$WORK/会议台账.xlsx" xls
convert "$WORK/会议台账.xlsx" ods
convert "$WORK/会议台账.xlsx" 'csv:Text - txt - csv (StarCalc):44,34,76'
mv "$WORK/out/会议台账.csv" "$WORK/out/会议台账.utf8.csv"
iconv -f UTF-8 -t GBK "$WORK/out/会议台账.utf8.csv" > "$WORK/out/会议台账.gbk.csv"
for file in "$WORK/会议台账.xlsx" "$WORK/out/会议台账.xls" "$WORK/out/会议台账.ods" \
  "$WORK/out/会议台账.utf8.csv" "$WORK/out/会议台账.gbk.csv"; do
  out=$("$BIN" --database-url "sqlite://$WORK/xlsx.db" import "$file" --kind meeting --dry-run)
  check "export → $(basename "$file"): every row matches a stored record" \
    "可导入 0 条，跳过重复 $ROWS 条" "$(grep -o '可导入.*条，跳过重复.*条' <<< "$out")"
done
# The GBK copy must really be GBK, or the GBK check above proved nothing.
if iconv -f UTF-8 -t UTF-8 "$WORK/out/会议台账.gbk.csv" > /dev/null 2>&1; then
  echo "FAIL: the GBK copy reads as UTF-8"
  fail=1
fi

echo "Excel formats: $([ $fail = 0 ] && echo all passed || echo FAILED)"
exit $fail
