"""A second reader of the DOCX report: python-docx must open it and find the GB/T 9704-2012
layout in it (A4, margins 37/28/35/26 mm, the title, East Asian fonts on every run of text), and
every part the package relates to must exist and be declared in [Content_Types].xml.

    python3 e2e/docx_check.py REPORT.docx TITLE
"""
import sys
import zipfile
import posixpath
import xml.etree.ElementTree as ET

import docx
from docx.shared import Mm

path, title = sys.argv[1], sys.argv[2]
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
for p in problems:
    print("problem:", p)
sys.exit(1 if problems else 0)
