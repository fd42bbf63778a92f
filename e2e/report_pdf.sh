#!/usr/bin/env bash
# `taizhang report --format pdf` for real: the demo park's 2024 report converted by LibreOffice
# through the command line (not by this script), then pdftotext must find the title, every part
# of a 述职报告 and the 落款, and pdffonts a serif CJK font embedded (the body's 仿宋 resolved
# through the conversion's fontconfig rules, not a sans-serif stand-in). Also runs the integration test
# that skips its conversion when soffice is absent, here where it is present. Needs
# libreoffice-writer-nogui, poppler-utils and fonts-noto-cjk (installed by .ci/run). The files
# go to target/pdf/.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT="${CARGO_TARGET_DIR:-target}/pdf"
mkdir -p "$OUT"
command -v soffice >/dev/null || { echo "soffice (LibreOffice) is needed here"; exit 1; }

cargo build --quiet --bin taizhang
BIN="${CARGO_TARGET_DIR:-target}/debug/taizhang"
DB="sqlite://$WORK/demo.db"
TAIZHANG_ADMIN_PASSWORD='Pdf-pass-1234' $BIN --database-url "$DB" demo --year 2024 > "$WORK/demo.txt"
park=$(sed -n 's/.*演示园区“\(.*\)”：.*/\1/p' "$WORK/demo.txt" | head -n 1)
$BIN --database-url "$DB" report --year 2024 --format pdf --out "$OUT/report-2024.pdf" \
  2> "$WORK/health.txt"
head -c 4 "$OUT/report-2024.pdf" | grep -q '%PDF' || { echo "not a PDF"; exit 1; }
grep -q '报告体检' "$WORK/health.txt" || { echo "no health check on stderr"; cat "$WORK/health.txt"; exit 1; }

pdftotext -layout "$OUT/report-2024.pdf" "$OUT/report-2024.txt"
squeezed=$(tr -d ' \n' < "$OUT/report-2024.txt")
fail=0
for want in "${park}党工委2024年度述职报告" "一、履职工作特色和亮点" "（一）存在的问题" \
  "（二）原因分析" "（三）整改措施" "三、下一步工作打算" "${park}党工委" "—1—"; do
  if [[ "$squeezed" != *"$want"* ]]; then
    echo "missing in the PDF: $want"
    fail=1
  fi
done
if ! pdffonts "$OUT/report-2024.pdf" | grep -qiE 'serif ?cjk|song|fang'; then
  echo "no serif CJK font embedded:"
  pdffonts "$OUT/report-2024.pdf"
  fail=1
fi
[[ $fail == 0 ]] || exit 1

cargo test --quiet --test it health::pdf_comes_from_libreoffice -- --nocapture 2>&1 | tee "$WORK/test.txt"
if grep -q 'skipped the conversion' "$WORK/test.txt"; then
  echo "the PDF test skipped its conversion although soffice is installed"
  exit 1
fi
echo "report-2024.pdf: $(stat -c %s "$OUT/report-2024.pdf") bytes, every part found"
