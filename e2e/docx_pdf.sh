#!/usr/bin/env bash
# The DOCX report through two other readers. It renders the demo park's 2024 report to DOCX;
# python-docx opens it and e2e/docx_check.py checks the page, the margins, the title, the East
# Asian fonts, the schema order of run, paragraph and section properties that Word insists on, and
# the package's parts and relationships. Then `libreoffice --headless --convert-to pdf` converts
# it, and pdftotext must find the title, a heading and the page number in the PDF. Needs Debian's
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
TAIZHANG_ADMIN_PASSWORD='Docx-pass-123' $BIN --database-url "$DB" demo --year 2024 > "$WORK/demo.txt"
# Byte-wise, so that it works in any locale.
park=$(sed -n 's/.*演示园区“\(.*\)”：.*/\1/p' "$WORK/demo.txt" | head -n 1)
$BIN --database-url "$DB" report --year 2024 --format docx --out "$OUT/report-2024.docx"

python3 -c "import docx" 2>/dev/null || python3 -m pip install --quiet python-docx
python3 e2e/docx_check.py "$OUT/report-2024.docx" "${park}党工委2024年度述职报告"

# A profile of its own, so that no user profile or running instance is touched.
timeout 300 soffice -env:UserInstallation="file://$WORK/profile" --headless \
  --convert-to pdf --outdir "$OUT" "$OUT/report-2024.docx" > "$WORK/convert.log" 2>&1 \
  || { cat "$WORK/convert.log"; exit 1; }
pdftotext -layout "$OUT/report-2024.pdf" "$OUT/report-2024.txt"
pages=$(pdfinfo "$OUT/report-2024.pdf" | awk '/^Pages:/ {print $2}')
squeezed=$(tr -d ' \n' < "$OUT/report-2024.txt")
title="${park}党工委2024年度述职报告"
fail=0
for want in "$title" "一、履职工作特色和亮点" "—1—"; do
  if [[ "$squeezed" != *"$want"* ]]; then
    echo "missing in the PDF: $want"
    fail=1
  fi
done
pdffonts "$OUT/report-2024.pdf" | tail -n +3 | awk '{print $1}' | sort -u | tr '\n' ' '
echo
echo "DOCX -> PDF: $pages pages, title “$title” found: $([ $fail = 0 ] && echo yes || echo no)"
exit $fail
