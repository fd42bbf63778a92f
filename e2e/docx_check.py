"""A second reader of the DOCX report: python-docx must open it and find the GB/T 9704-2012
layout in it (A4, margins 37/28/35/26 mm, the title, East Asian fonts on every run of text), and
every part the package relates to must exist and be declared in [Content_Types].xml.

Given the PDF LibreOffice made of it, it also checks what the reader sees: the font each role
resolved to (from `pdftohtml -xml`, which names the font of every piece of text, and listed with
`pdffonts`), serif for the title, the body, 二级标题 and the page numbers, sans-serif for 一级标题;
and that no punctuation of the text is lost (every "。", "，", "、"... of the DOCX is in the PDF:
LibreOffice once dropped a "。" that hung past the end of a full line).

    python3 e2e/docx_check.py REPORT.docx TITLE [REPORT.pdf]
"""
import re
import subprocess
import sys
import zipfile
import posixpath
import xml.etree.ElementTree as ET

import docx
from docx.shared import Mm

path, title = sys.argv[1], sys.argv[2]
pdf = sys.argv[3] if len(sys.argv) > 3 else None
problems = []

# The package: every relationship target exists, every part has a content type.
with zipfile.ZipFile(path) as z:
    names = set(z.namelist())
    types = ET.fromstring(z.read("[Content_Types].xml"))
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {d.get("Extension") for d in types.iter(ns + "Default")}
    overrides = {o.get("PartName").lstrip("/") for o in types.iter(ns + "Override")}
    for name in names:
        if name.endswith("/"):
            continue
        if name not in overrides and name.rsplit(".", 1)[-1] not in defaults:
            problems.append(f"part without a content type: {name}")
        try:
            if name.endswith(".xml") or name.endswith(".rels"):
                ET.fromstring(z.read(name))
        except ET.ParseError as e:
            problems.append(f"{name} is not well-formed XML: {e}")
    for rels in [n for n in names if n.endswith(".rels")]:
        base = posixpath.dirname(posixpath.dirname(rels))
        for rel in ET.fromstring(z.read(rels)):
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(base, rel.get("Target"))).lstrip("/")
            if target not in names:
                problems.append(f"{rels} points at a missing part: {target}")

# Word, unlike LibreOffice, refuses properties out of the schema's order (ECMA-376 Part 1,
# CT_RPr, CT_PPr, CT_SectPr): check the order of every rPr, pPr and sectPr child.
ORDER = {
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc "
    "pgBorders lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi "
    "rtlGutter docGrid printerSettings sectPrChange",
}
WNS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
with zipfile.ZipFile(path) as z:
    for name in [n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")]:
        for element in ET.fromstring(z.read(name)).iter():
            tag = element.tag.replace(WNS, "")
            if tag not in ORDER:
                continue
            order = ORDER[tag].split()
            # headerReference and footerReference may interleave: one rank for both.
            rank = {t: i for i, t in enumerate(order)}
            rank["footerReference"] = rank.get("headerReference", 0)
            seen = [c.tag.replace(WNS, "") for c in element]
            ranks = [rank.get(t, -1) for t in seen]
            if -1 in ranks or ranks != sorted(ranks):
                problems.append(f"{name}: w:{tag} children out of schema order: {' '.join(seen)}")
                break

document = docx.Document(path)
section = document.sections[0]


def near(length, mm):
    return abs(length - Mm(mm)) <= Mm(0.5)


if not (near(section.page_width, 210) and near(section.page_height, 297)):
    problems.append(f"page is not A4: {section.page_width.mm:.1f} x {section.page_height.mm:.1f} mm")
for side, mm in [("top", 37), ("left", 28), ("bottom", 35), ("right", 26)]:
    got = getattr(section, f"{side}_margin")
    if not near(got, mm):
        problems.append(f"{side} margin {got.mm:.1f} mm, wanted {mm} mm")

texts = [p.text for p in document.paragraphs]
if title not in texts:
    problems.append(f"title paragraph not found: {title}")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
runs = 0
for paragraph in document.paragraphs:
    for run in paragraph.runs:
        if not run.text.strip():
            continue
        runs += 1
        fonts = run._element.find(f"{W}rPr/{W}rFonts")
        if fonts is None or not fonts.get(f"{W}eastAsia"):
            problems.append(f"run without an East Asian font: {run.text[:20]}")
            break

print(f"python-docx: {len(texts)} paragraphs, {runs} runs of text, "
      f"A4 {section.page_width.mm:.0f}x{section.page_height.mm:.0f} mm")


def pdf_pieces(pdf):
    """Every piece of text of the PDF with the name of its font (subset prefix removed)."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", pdf],
                         check=True, capture_output=True, text=True).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml))
    fonts = {f.get("id"): f.get("family").split("+")[-1] for f in root.iter("fontspec")}
    return [("".join(t.itertext()).strip(), fonts[t.get("font")]) for t in root.iter("text")]


# Each role: the style whose first paragraph shows it, and the kind of face it must get.
ROLES = [("title", "Title", "Serif"), ("body", "Normal", "Serif"),
         ("heading1", "Heading1", "Sans"), ("heading2", "Heading2", "Serif")]
PUNCTUATION = "。，、；：？！”’）》"

if pdf:
    print("pdffonts:", " ".join(sorted({
        line.split()[0].split("+")[-1]
        for line in subprocess.run(["pdffonts", pdf], check=True, capture_output=True,
                                   text=True).stdout.splitlines()[2:] if line.strip()})))
    pieces = pdf_pieces(pdf)
    resolved = {}
    for role, style, face in ROLES:
        first = next((p.text for p in document.paragraphs
                      if p.style.style_id == style and p.text.strip()), None)
        if first is None:
            problems.append(f"no paragraph of style {style} ({role})")
            continue
        # The paragraph's first characters: a piece of the PDF's text starts its line with them.
        key = first.replace(" ", "").replace("\u3000", "")[:5]
        font = next((f for t, f in pieces if key in t.replace(" ", "")), None)
        resolved[role] = font
        if font is None:
            problems.append(f"{role}: “{key}” not found in the PDF")
        elif face not in font:
            problems.append(f"{role} resolved to {font}, wanted a {face} CJK face")
    numbers = [f for t, f in pieces if re.fullmatch(r"—\s*\d+\s*—", t)]
    resolved["page_number"] = numbers[0] if numbers else None
    if not numbers:
        problems.append("no page number “— N —” in the PDF")
    elif any("Serif" not in f for f in numbers):
        problems.append(f"page numbers resolved to {sorted(set(numbers))}, wanted serif")
    print("fonts resolved:", ", ".join(f"{r} {f}" for r, f in resolved.items()))

    docx_text = "".join(p.text for p in document.paragraphs)
    pdf_text = subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True,
                              text=True).stdout
    for mark in PUNCTUATION:
        want, got = docx_text.count(mark), pdf_text.count(mark)
        if got != want:
            problems.append(f"“{mark}”: {want} in the DOCX, {got} in the PDF")
    print("punctuation in the PDF:",
          " ".join(f"{m}{pdf_text.count(m)}" for m in PUNCTUATION if docx_text.count(m)))
for p in problems:
    print("problem:", p)
sys.exit(1 if problems else 0)
