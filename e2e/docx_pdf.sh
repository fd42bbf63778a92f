#!/usr/bin/env bash
# The DOCX report through two other readers. It renders the demo park's 2024 and 2025 reports to
# DOCX; python-docx opens each and e2e/docx_check.py checks the page, the margins, the title, the
# East Asian fonts, the schema order of run, paragraph and section properties that Word insists
# on, and the package's parts and relationships. Then `libreoffice --headless --convert-to pdf`
# converts it with the report's fontconfig rules (contrib/fontconfig, as a Linux desktop that
# installed them has), and docx_check.py reads the PDF: the font each role resolved to (serif body,
# title, 二级标题 and page numbers; sans-serif 一级标题) and every punctuation mark of the text
# still there; pdftotext must find the title, a heading and the page number. Needs Debian's
# libreoffice-writer-nogui, poppler-utils and fonts-noto-cjk (installed by .ci/run) and Python's
# python-docx (installed when missing). The files go to target/docx/.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT="${CARGO_TARGET_DIR:-target}/docx"
mkdir -p "$OUT"

cargo build --quiet --bin taizhang
BIN="${CARGO_TARGET_DIR:-target}/debug/taizhang"
DB="sqlite://$WORK/demo.db"
TAIZHANG_ADMIN_PASSWORD='Docx-pass-123' $BIN --database-url "$DB" demo --year 2025 > "$WORK/demo.txt"
# Byte-wise, so that it works in any locale.
park=$(sed -n 's/.*演示园区“\(.*\)”：.*/\1/p' "$WORK/demo.txt" | head -n 1)
python3 -c "import docx" 2>/dev/null || python3 -m pip install --quiet python-docx

# The system's fontconfig with the report's rules added, as /etc/fonts/conf.d would hold them.
cat > "$WORK/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <include>$PWD/contrib/fontconfig/64-taizhang-gongwen.conf</include>
</fontconfig>
CONF

fail=0
for year in 2024 2025; do
  report="$OUT/report-$year"
  title="${park}党工委${year}年度述职报告"
  $BIN --database-url "$DB" report --year "$year" --format docx --out "$report.docx"
  # A profile of its own, so that no user profile or running instance is touched.
  FONTCONFIG_FILE="$WORK/fonts.conf" timeout 300 soffice \
    -env:UserInstallation="file://$WORK/profile" --headless \
    --convert-to pdf --outdir "$OUT" "$report.docx" > "$WORK/convert.log" 2>&1 \
    || { cat "$WORK/convert.log"; exit 1; }
  python3 e2e/docx_check.py "$report.docx" "$title" "$report.pdf" || fail=1
  pdftotext -layout "$report.pdf" "$report.txt"
  pages=$(pdfinfo "$report.pdf" | awk '/^Pages:/ {print $2}')
  squeezed=$(tr -d ' \n' < "$report.txt")
  found=yes
  for want in "$title" "一、履职工作特色和亮点" "—1—"; do
    if [[ "$squeezed" != *"$want"* ]]; then
      echo "missing in the PDF: $want"
      fail=1
      found=no
    fi
  done
  echo "DOCX -> PDF $year: $pages pages, title “$title” found: $found"
done
exit $fail
