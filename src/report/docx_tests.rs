//! Tests of the DOCX writer: the Markdown it reads, XML escaping, each part's layout values, and
//! the package as a whole (every part present, well-formed, the same bytes for the same data).

use std::io::Read;

use super::*;
use crate::report::compute::{MetricValue, MetricValues, Number};

fn data() -> ReportData {
    ReportData {
        park: "测试园区".into(),
        year: 2024,
        metrics: MetricValues {
            year: 2024,
            metrics: vec![MetricValue {
                id: "honors".into(),
                label: "荣誉".into(),
                unit: "项".into(),
                decimals: 0,
                value: Number::Int(2),
                records: vec![4, 9],
                prev: None,
                relations: Default::default(),
            }],
        },
        projects: vec![],
        documents: vec![],
        findings: vec![],
        problems: Vec::new(),
        causes: String::new(),
        measures: String::new(),
        ..Default::default()
    }
}

const TEMPLATE: &str = "# {{ park }}{{ year }}年度述职报告\n\n## 一、亮点\n\n### （一）荣誉\n\n全年获得荣誉{{ m.honors }}项，\n**成效明显**。\n\n#### 1. 细项\n\n- 甲\n- 乙\n";

/// The parts of a package by name.
fn parts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().unwrap().to_string(), text)
        })
        .collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    parts(bytes)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

/// Checks that `xml` is well-formed as far as our writer can go wrong: one root, every start
/// tag closed by its own end tag, attribute values quoted, no bare `&` or `<` in text.
fn assert_well_formed(name: &str, xml: &str) {
    let body = xml
        .strip_prefix(XML_DECL)
        .unwrap_or_else(|| panic!("{name}: no declaration"));
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "{name}: stray > in {text:?}");
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
                "{name}: bare & in {text:?}"
            );
        }
        let close = rest[open..].find('>').unwrap() + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "{name}: < inside tag {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "{name}: quotes in {tag}");
        if let Some(end) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop(),
                Some(end),
                "{name}: </{end}> closes the wrong element"
            );
        } else {
            let element = tag.split([' ', '/']).next().unwrap();
            if stack.is_empty() {
                roots += 1;
            }
            if !tag.ends_with('/') {
                stack.push(element);
            }
        }
        rest = &rest[close + 1..];
    }
    assert!(rest.trim().is_empty(), "{name}: text after the root");
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
    assert_eq!(roots, 1, "{name}: {roots} roots");
}

#[test]
fn escaping_covers_markup_and_drops_what_xml_forbids() {
    assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    assert_eq!(escape("甲\u{1}乙\u{FFFF}\t丙"), "甲乙 丙");
}

#[test]
fn bold_spans_are_split_and_unpaired_marks_kept() {
    assert_eq!(
        spans("前**重点**后"),
        [("前", false), ("重点", true), ("后", false)]
    );
    assert_eq!(spans("**全**"), [("全", true)]);
    assert_eq!(spans("共2**项"), [("共2**项", false)]);
    assert_eq!(plain_text("**标题**"), "标题");
}

#[test]
fn markdown_maps_to_the_document_styles() {
    let b = blocks("# 标题\n\n## 一、甲\n### （一）乙\n#### 1. 丙\n第一行\n第二行 ok\nnext\n\n- 项一\n- 项二\n末段\n#号不是标题\n");
    let got: Vec<(Style, &str)> = b.iter().map(|b| (b.style, b.text.as_str())).collect();
    assert_eq!(
        got,
        [
            (Style::Title, "标题"),
            (Style::Heading1, "一、甲"),
            (Style::Heading2, "（一）乙"),
            (Style::Heading3, "1. 丙"),
            (Style::Body, "第一行第二行 ok next"),
            (Style::Body, "项一"),
            (Style::Body, "项二"),
            (Style::Body, "末段#号不是标题"),
        ]
    );
}

#[test]
fn every_run_names_its_east_asian_font_and_size() {
    let fonts = DocxFonts::default();
    let xml = document_xml(&blocks(TEMPLATE), &fonts);
    let runs: Vec<&str> = xml.split("<w:r>").skip(1).collect();
    assert!(runs.len() >= 8, "{xml}");
    for run in &runs {
        assert!(run.contains("w:eastAsia=\""), "{run}");
        assert!(run.contains("<w:sz w:val=\""), "{run}");
    }
    assert!(xml.contains("<w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"方正小标宋简体\""));
    assert!(xml.contains("w:eastAsia=\"黑体\""));
    assert!(xml.contains("w:eastAsia=\"楷体_GB2312\""));
    assert!(xml.contains("<w:b/><w:bCs/><w:spacing w:val=\"-5\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr><w:t xml:space=\"preserve\">成效明显</w:t>"));
    let footer = footer_xml(&fonts, true);
    for run in footer.split("<w:r>").skip(1) {
        assert!(run.contains("w:eastAsia=\"宋体\""), "{run}");
        assert!(run.contains("<w:sz w:val=\"28\"/>"), "{run}");
    }
}

#[test]
fn the_page_is_a4_with_the_official_margins_and_22_lines() {
    let xml = document_xml(&blocks(TEMPLATE), &DocxFonts::default());
    assert!(xml.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(
        xml.contains("<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\"")
    );
    assert!(xml.contains("<w:docGrid w:type=\"lines\" w:linePitch=\"579\"/>"));
    // 28 condensed 3号 characters fit the 156 mm line, 29 do not.
    let line = f64::from(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / 20.0;
    let pitch = f64::from(BODY_SIZE) / 2.0 + f64::from(CONDENSE) / 20.0;
    assert_eq!((line / pitch).floor(), 28.0);
    assert!(xml.contains("<w:spacing w:val=\"-5\"/><w:sz w:val=\"32\"/>"));
    // 22 lines of 579 twips fill the text block to within a line.
    let block = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
    assert_eq!(block / LINE_PITCH, 22);
    // The margins are the millimetres of GB/T 9704 to the nearest twip.
    let mm = |twips: u32| f64::from(twips) / 1440.0 * 25.4;
    for (twips, want) in [
        (MARGIN_TOP, 37.0),
        (MARGIN_LEFT, 28.0),
        (MARGIN_BOTTOM, 35.0),
        (MARGIN_RIGHT, 26.0),
    ] {
        assert!((mm(twips) - want).abs() < 0.02, "{twips} twips");
    }

    let styles = styles_xml(&DocxFonts::default());
    let normal = styles
        .split("<w:style ")
        .find(|s| s.contains("w:styleId=\"Normal\""))
        .unwrap();
    assert!(normal
        .contains("<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"579\" w:lineRule=\"exact\"/>"));
    assert!(normal.contains("w:firstLine=\"640\""));
    assert!(normal.contains("w:eastAsia=\"仿宋_GB2312\""));
    assert!(normal.contains("<w:sz w:val=\"32\"/>"));
    let title = styles
        .split("<w:style ")
        .find(|s| s.contains("w:styleId=\"Title\""))
        .unwrap();
    assert!(title.contains("<w:jc w:val=\"center\"/>") && title.contains("<w:sz w:val=\"44\"/>"));
}

#[test]
fn footers_hold_a_styled_page_field_on_odd_and_even_pages() {
    let fonts = DocxFonts::default();
    let odd = footer_xml(&fonts, true);
    let even = footer_xml(&fonts, false);
    for footer in [&odd, &even] {
        let text: String = footer
            .split("<w:t xml:space=\"preserve\">")
            .skip(1)
            .map(|s| &s[..s.find("</w:t>").unwrap()])
            .collect();
        assert_eq!(text, "— 1 —");
        let field = ["begin", "separate", "end"]
            .map(|kind| footer.find(&format!("w:fldCharType=\"{kind}\"")).unwrap());
        let instr = footer.find("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>");
        let cached = footer.find(">1</w:t>").unwrap();
        assert!(field[0] < instr.unwrap() && instr.unwrap() < field[1]);
        assert!(field[1] < cached && cached < field[2]);
    }
    assert!(odd.contains("<w:ind w:right=\"280\"/><w:jc w:val=\"right\"/>"));
    assert!(even.contains("<w:ind w:left=\"280\"/><w:jc w:val=\"left\"/>"));
    assert!(settings_xml().contains("<w:evenAndOddHeaders/>"));
    let doc = document_xml(&[], &fonts);
    assert!(doc.contains("<w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/>"));
    assert!(doc.contains("<w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>"));
    assert!(
        DOCUMENT_RELS.contains("Id=\"rIdFooterOdd\"")
            && DOCUMENT_RELS.contains("Target=\"footer1.xml\"")
    );
}

#[test]
fn the_package_is_complete_well_formed_and_reproducible() {
    let mut d = data();
    d.park = "<甲&乙>园区\u{1}".into();
    let t = ReportTemplate::new("t.md", TEMPLATE);
    let bytes = render_docx(&d, &t).unwrap();
    assert_eq!(bytes, render_docx(&d, &t).unwrap(), "same data, same bytes");
    let names: Vec<String> = parts(&bytes).into_iter().map(|p| p.0).collect();
    assert_eq!(names[0], "[Content_Types].xml");
    for (name, text) in parts(&bytes) {
        assert_well_formed(&name, &text);
        if name.ends_with(".xml") && name != "[Content_Types].xml" && !name.starts_with("docProps")
        {
            let part = format!("/{name}");
            assert!(
                CONTENT_TYPES.contains(&format!("PartName=\"{part}\"")),
                "{part} has no content type"
            );
        }
    }
    assert_eq!(names.len(), 11);
    let doc = part(&bytes, "word/document.xml");
    assert!(
        doc.contains(">&lt;甲&amp;乙&gt;园区2024年度述职报告</w:t>"),
        "{doc}"
    );
    assert!(doc.contains("全年获得荣誉2项，"));
    assert!(part(&bytes, "docProps/core.xml")
        .contains("<dc:title>&lt;甲&amp;乙&gt;园区2024年度述职报告</dc:title>"));
}

#[test]
fn fonts_are_a_setting_with_named_fallbacks() {
    let fonts = DocxFonts {
        body: FontChoice::new("方正仿宋_GBK", &["仿宋", "Noto Serif CJK SC"]),
        ..DocxFonts::default()
    };
    let bytes = render_docx_with(&data(), &ReportTemplate::new("t.md", TEMPLATE), &fonts).unwrap();
    assert!(part(&bytes, "word/document.xml").contains("w:eastAsia=\"方正仿宋_GBK\""));
    assert!(part(&bytes, "word/styles.xml").contains("w:eastAsia=\"方正仿宋_GBK\""));
    let table = part(&bytes, "word/fontTable.xml");
    assert!(table.contains(
        "<w:font w:name=\"方正仿宋_GBK\"><w:altName w:val=\"仿宋\"/><w:charset w:val=\"86\"/>"
    ));
    assert!(
        table.contains("<w:font w:name=\"方正小标宋简体\"><w:altName w:val=\"方正小标宋_GBK\"/>")
    );
    assert_eq!(table.matches("w:name=\"Times New Roman\"").count(), 1);
}

#[test]
fn every_role_names_the_official_font_first_then_windows_wps_and_linux_fallbacks() {
    let fonts = DocxFonts::default();
    let serif = "Noto Serif CJK SC";
    for (role, official, kin) in [
        (&fonts.title, "方正小标宋简体", serif),
        (&fonts.body, "仿宋_GB2312", serif),
        (&fonts.heading1, "黑体", "Noto Sans CJK SC"),
        (&fonts.heading2, "楷体_GB2312", serif),
        (&fonts.page_number, "宋体", serif),
    ] {
        assert_eq!(role.name, official);
        assert!(
            role.fallbacks.iter().any(|f| f == kin),
            "{official}: {role:?}"
        );
        // The Windows and WPS names come before the Linux ones.
        let linux = role.fallbacks.iter().position(|f| f == kin).unwrap();
        assert!(linux > 0, "{official}: {role:?}");
    }
    assert!(!fonts.heading1.fallbacks.iter().any(|f| f.contains("Serif")));
}

#[test]
fn fontconfig_rules_give_each_font_its_fallbacks_in_order() {
    let fonts = DocxFonts::default();
    let rules = fontconfig_aliases(&fonts);
    let body = rules.find("<family>仿宋_GB2312</family>").expect(&rules);
    let alias = &rules[body..rules[body..].find("</alias>").unwrap() + body];
    let order: Vec<&str> = alias
        .split("<family>")
        .skip(2)
        .map(|f| f.split('<').next().unwrap())
        .collect();
    assert_eq!(order, fonts.body.fallbacks);
    assert!(rules.contains("<alias binding=\"same\">\n    <family>黑体</family>\n    <prefer>\n      <family>SimHei</family>\n      <family>Noto Sans CJK SC</family>"));
    // One rule a font, even where two roles share one.
    let shared = DocxFonts {
        heading2: fonts.body.clone(),
        ..fonts.clone()
    };
    assert_eq!(
        fontconfig_aliases(&shared)
            .matches("<family>仿宋_GB2312</family>")
            .count(),
        1
    );
    let whole = fontconfig_for_conversion(&fonts);
    assert!(whole.contains("<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>"));
    assert!(whole
        .contains(&rules[rules.find("  <alias").unwrap()..rules.find("</fontconfig>").unwrap()]));
}

/// The file shipped for Linux desktops is the rules of the default fonts; after a change of the
/// defaults, rewrite it with `UPDATE_SNAPSHOTS=1 cargo test --lib report::docx`.
#[test]
fn the_shipped_fontconfig_file_holds_the_default_fonts() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib/fontconfig/64-taizhang-gongwen.conf");
    let want = fontconfig_aliases(&DocxFonts::default());
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), want);
}

/// LibreOffice reads `w:overflowPunct` inverted: absent it lets punctuation hang, and drops a
/// hanging "。" at the end of a full justified line. Every paragraph style comes from Normal,
/// which says it.
#[test]
fn paragraphs_say_overflow_punctuation_explicitly() {
    let styles = styles_xml(&DocxFonts::default());
    let normal = &styles[styles.find("w:styleId=\"Normal\"").unwrap()..];
    let normal = &normal[..normal.find("</w:style>").unwrap()];
    assert!(
        normal.contains("<w:widowControl w:val=\"0\"/><w:overflowPunct w:val=\"1\"/><w:spacing"),
        "{normal}"
    );
    for id in ["Title", "Heading1", "Heading2", "Heading3", "Footer"] {
        let style = &styles[styles.find(&format!("w:styleId=\"{id}\"")).unwrap()..];
        let style = &style[..style.find("</w:style>").unwrap()];
        assert!(style.contains("<w:basedOn w:val=\"Normal\"/>"), "{style}");
        assert!(!style.contains("overflowPunct"), "{style}");
    }
}

#[test]
fn unbound_placeholders_and_template_errors_render_nothing() {
    let t = ReportTemplate::new("t.md", "# 标题\n\n共计XX项\n");
    assert!(matches!(
        render_docx(&data(), &t),
        Err(ReportError::Placeholders(found)) if found.len() == 1
    ));
    let t = ReportTemplate::new("t.md", "# 标题\n\n{{ m.honours }}\n");
    assert!(matches!(
        render_docx(&data(), &t),
        Err(ReportError::UnknownMetric { line: 3, .. })
    ));
}
