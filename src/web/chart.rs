//! Small charts drawn as SVG on the server, for the 工作台: horizontal bars (one or more series
//! per category, so grouped bars too) and a heat grid. No script and no library: the page's CSP
//! refuses inline script and style, so colours are presentation attributes.
//!
//! Every chart is as wide as its box (`width="100%"` and a `viewBox` about a phone's width, so
//! that its 12-unit text reads at 1:1 on a 390-px screen), names itself by a `<title>` and a
//! `<desc>`, writes every figure as text beside its mark, and wraps each mark in a link to the
//! records behind it, whose own `<title>` says what it counts.

use super::svg::Svg;

/// The width of every chart's `viewBox`: about a phone's width, so text is never shrunk there.
const WIDTH: u32 = 360;
const FONT: (&str, &str) = ("font-family", "sans-serif");
const INK: &str = "#222222";
const MUTED: &str = "#666666";

/// One bar: how long it is, the figure written beside it, where it links, and what its link's
/// title says (`甲支部 2025年：92.5%`).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub value: f64,
    pub shown: String,
    pub href: String,
    pub title: String,
}

/// One category of a bar chart: its label and one bar per series.
#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    pub label: String,
    pub bars: Vec<Bar>,
}

/// A series of a bar chart: its name (for the legend) and its colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub colour: &'static str,
}

/// A chart's accessible name and description, and the id its `<title>` and `<desc>` carry
/// (unique on the page).
#[derive(Clone, Copy, Debug)]
pub struct Caption<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
}

/// Horizontal bars, a row per category and a bar per series in it; `max` fixes the scale (100
/// for percentages), otherwise the largest value fills the width.
pub fn bars(
    caption: Caption<'_>,
    series: &[Series],
    categories: &[Category],
    max: Option<f64>,
) -> String {
    const BAR_H: u32 = 12;
    const ROW_GAP: u32 = 8;
    const TOP: u32 = 4;
    const LEGEND_H: u32 = 22;
    let per_row = series.len().max(1) as u32;
    let row_h = per_row * BAR_H + (per_row - 1) * 2 + ROW_GAP;
    let legend = if series.len() > 1 { LEGEND_H } else { 0 };
    let height = TOP + legend + categories.len().max(1) as u32 * row_h + 4;
    let largest = categories
        .iter()
        .flat_map(|c| c.bars.iter().map(|b| b.value))
        .fold(0.0_f64, f64::max);
    let scale_max = max.unwrap_or(largest).max(1e-9);
    // Room on the right for the longest figure.
    let longest = categories
        .iter()
        .flat_map(|c| c.bars.iter().map(|b| b.shown.chars().count()))
        .max()
        .unwrap_or(1) as u32;
    // The label column as wide as the longest (shortened) label.
    let label_w = categories
        .iter()
        .map(|c| text_width(&shorten(&c.label, 8), 12))
        .max()
        .unwrap_or(0)
        .clamp(24, 100)
        + 8;
    let area = WIDTH - label_w - 8 - longest * 7 - 4;
    let mut svg = start(caption, height);
    let mut y = TOP;
    if series.len() > 1 {
        let mut x = label_w + 4;
        for s in series {
            svg.empty(
                "rect",
                &[
                    ("x", &*x.to_string()),
                    ("y", &*(y + 2).to_string()),
                    ("width", "12"),
                    ("height", "12"),
                    ("fill", s.colour),
                ],
            );
            svg.text(
                "text",
                &[
                    ("x", &*(x + 16).to_string()),
                    ("y", &*(y + 12).to_string()),
                    ("font-size", "12"),
                    FONT,
                    ("fill", INK),
                ],
                &s.name,
            );
            x += 20 + 13 * s.name.chars().count() as u32 + 12;
        }
        y += legend;
    }
    if categories.is_empty() {
        svg.text(
            "text",
            &[
                ("x", "4"),
                ("y", &*(y + 12).to_string()),
                ("font-size", "12"),
                FONT,
                ("fill", MUTED),
            ],
            "暂无数据",
        );
    }
    for c in categories {
        svg.text(
            "text",
            &[
                ("x", &*(label_w - 4).to_string()),
                ("y", &*(y + row_h / 2).to_string()),
                ("text-anchor", "end"),
                ("font-size", "12"),
                FONT,
                ("fill", INK),
            ],
            &shorten(&c.label, 8),
        );
        for (k, bar) in c.bars.iter().enumerate() {
            let colour = series.get(k).map_or("#b3262d", |s| s.colour);
            let by = y + k as u32 * (BAR_H + 2);
            let len = ((bar.value / scale_max).clamp(0.0, 1.0) * f64::from(area)).round() as u32;
            svg.open("a", &[("href", bar.href.as_str())]);
            svg.text("title", &[], &bar.title);
            // A transparent band the whole row's width, so that a zero is still a target.
            svg.empty(
                "rect",
                &[
                    ("x", &*label_w.to_string()),
                    ("y", &*by.to_string()),
                    ("width", &*(WIDTH - label_w).to_string()),
                    ("height", &*BAR_H.to_string()),
                    ("fill", "#ffffff"),
                    ("fill-opacity", "0"),
                ],
            );
            if len > 0 {
                svg.empty(
                    "rect",
                    &[
                        ("x", &*label_w.to_string()),
                        ("y", &*by.to_string()),
                        ("width", &*len.to_string()),
                        ("height", &*BAR_H.to_string()),
                        ("fill", colour),
                    ],
                );
            }
            svg.text(
                "text",
                &[
                    ("x", &*(label_w + len + 4).to_string()),
                    ("y", &*(by + BAR_H - 2).to_string()),
                    ("font-size", "11"),
                    FONT,
                    ("fill", INK),
                ],
                &bar.shown,
            );
            svg.close();
        }
        y += row_h;
    }
    svg.finish()
}

/// One cell of a heat grid: the share done (`None`: nothing was due), its link and title.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub share: Option<f64>,
    pub href: String,
    pub title: String,
}

/// One row of a heat grid: its label and link, its cells, and the figure written at its end.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatRow {
    pub label: String,
    pub href: String,
    pub cells: Vec<Cell>,
    pub shown: String,
}

/// A grid of small squares, a row per unit and a column per heading, each filled by its share:
/// dark green all done, amber partly, red none, light grey nothing due; the row's figure at its
/// end and a legend below.
pub fn heat(caption: Caption<'_>, columns: &[String], rows: &[HeatRow]) -> String {
    const LABEL_W: u32 = 96;
    const TOTAL_W: u32 = 40;
    const HEAD_H: u32 = 18;
    const ROW_H: u32 = 20;
    const LEGEND_H: u32 = 26;
    let n = columns.len().max(1) as u32;
    let cell_w = (WIDTH - LABEL_W - TOTAL_W) / n;
    let height = HEAD_H + rows.len().max(1) as u32 * ROW_H + LEGEND_H;
    let mut svg = start(caption, height);
    for (i, c) in columns.iter().enumerate() {
        let x = LABEL_W + i as u32 * cell_w + cell_w / 2;
        svg.text(
            "text",
            &[
                ("x", &*x.to_string()),
                ("y", "13"),
                ("text-anchor", "middle"),
                ("font-size", "10"),
                FONT,
                ("fill", MUTED),
            ],
            c,
        );
    }
    svg.text(
        "text",
        &[
            ("x", &*(WIDTH - 2).to_string()),
            ("y", "13"),
            ("text-anchor", "end"),
            ("font-size", "10"),
            FONT,
            ("fill", MUTED),
        ],
        "完成率",
    );
    let mut y = HEAD_H;
    if rows.is_empty() {
        svg.text(
            "text",
            &[
                ("x", "4"),
                ("y", &*(y + 14).to_string()),
                ("font-size", "12"),
                FONT,
                ("fill", MUTED),
            ],
            "暂无数据",
        );
        y += ROW_H;
    }
    for row in rows {
        svg.open("a", &[("href", row.href.as_str())]);
        svg.text("title", &[], &row.label);
        svg.text(
            "text",
            &[
                ("x", "2"),
                ("y", &*(y + 14).to_string()),
                ("font-size", "12"),
                FONT,
                ("fill", INK),
            ],
            &shorten(&row.label, 7),
        );
        svg.close();
        for (i, cell) in row.cells.iter().enumerate() {
            let x = LABEL_W + i as u32 * cell_w;
            svg.open("a", &[("href", cell.href.as_str())]);
            svg.text("title", &[], &cell.title);
            svg.empty(
                "rect",
                &[
                    ("x", &*(x + 1).to_string()),
                    ("y", &*(y + 2).to_string()),
                    ("width", &*(cell_w - 2).to_string()),
                    ("height", &*(ROW_H - 4).to_string()),
                    ("rx", "2"),
                    ("fill", shade(cell.share)),
                ],
            );
            svg.close();
        }
        svg.text(
            "text",
            &[
                ("x", &*(WIDTH - 2).to_string()),
                ("y", &*(y + 14).to_string()),
                ("text-anchor", "end"),
                ("font-size", "11"),
                FONT,
                ("fill", INK),
            ],
            &row.shown,
        );
        y += ROW_H;
    }
    let mut x = 2;
    for (share, label) in [
        (Some(1.0), "全部召开"),
        (Some(0.5), "部分召开"),
        (Some(0.0), "未召开"),
        (None, "未到期"),
    ] {
        svg.empty(
            "rect",
            &[
                ("x", &*x.to_string()),
                ("y", &*(y + 8).to_string()),
                ("width", "12"),
                ("height", "12"),
                ("rx", "2"),
                ("fill", shade(share)),
            ],
        );
        svg.text(
            "text",
            &[
                ("x", &*(x + 16).to_string()),
                ("y", &*(y + 18).to_string()),
                ("font-size", "11"),
                FONT,
                ("fill", INK),
            ],
            label,
        );
        x += 20 + 12 * label.chars().count() as u32 + 8;
    }
    svg.finish()
}

/// The fill of a heat cell: the checks grid's own colours for all done and none done.
fn shade(share: Option<f64>) -> &'static str {
    match share {
        None => "#e6e6e6",
        Some(s) if s >= 1.0 => "#174a2c",
        Some(s) if s <= 0.0 => "#d32f2f",
        Some(_) => "#e0a030",
    }
}

/// An `<svg>` as wide as its box, named by its `<title>` and `<desc>`.
fn start(caption: Caption<'_>, height: u32) -> Svg {
    let title_id = format!("{}-title", caption.id);
    let desc_id = format!("{}-desc", caption.id);
    let mut svg = Svg::chart(WIDTH, height, &format!("{title_id} {desc_id}"));
    svg.text("title", &[("id", &*title_id)], caption.title);
    svg.text("desc", &[("id", &*desc_id)], caption.desc);
    svg
}

/// About how wide `text` is at `size` units: a CJK character a full em, others about 0.6 em.
fn text_width(text: &str, size: u32) -> u32 {
    text.chars()
        .map(|c| if c.is_ascii() { size * 6 / 10 } else { size })
        .sum()
}

/// At most `max` characters, the rest as "…" (the whole name stays in the link's title).
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(value: f64, href: &str) -> Bar {
        Bar {
            value,
            shown: format!("{value}"),
            href: href.into(),
            title: format!("共 {value} 条"),
        }
    }

    const CAPTION: Caption<'static> = Caption {
        id: "c1",
        title: "任务<状态>",
        desc: "按状态统计",
    };

    #[test]
    fn bars_name_themselves_link_every_bar_and_write_every_figure() {
        let series = [
            Series {
                name: "本年".into(),
                colour: "#b3262d",
            },
            Series {
                name: "上年".into(),
                colour: "#999999",
            },
        ];
        let cats = vec![Category {
            label: "一月".into(),
            bars: vec![bar(12.0, "/a?x=1&y=2"), bar(0.0, "/b")],
        }];
        let out = bars(CAPTION, &series, &cats, None);
        assert!(out.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 360 "
        ));
        assert!(out.contains("aria-labelledby=\"c1-title c1-desc\""));
        assert!(out.contains(
            "<title id=\"c1-title\">任务&lt;状态&gt;</title><desc id=\"c1-desc\">按状态统计</desc>"
        ));
        assert!(out.contains("<a href=\"/a?x=1&amp;y=2\"><title>共 12 条</title>"));
        assert!(out.contains("<a href=\"/b\"><title>共 0 条</title>"));
        assert!(out.contains(">12</text>") && out.contains(">0</text>"));
        assert!(out.contains(">本年</text>") && out.contains(">上年</text>"));
        assert!(out.ends_with("</svg>"));
    }

    #[test]
    fn a_full_bar_stays_inside_the_box() {
        let cats = vec![Category {
            label: "甲".into(),
            bars: vec![bar(100.0, "/a")],
        }];
        let out = bars(CAPTION, &[], &cats, Some(100.0));
        let at = out.find("fill=\"#b3262d\"").unwrap();
        let rect = &out[..at];
        let w = rect.rsplit("width=\"").next().unwrap();
        let w: u32 = w[..w.find('"').unwrap()].parse().unwrap();
        assert!(24 + 8 + w + 4 + "100".len() as u32 * 7 <= WIDTH, "{w}");
    }

    #[test]
    fn heat_cells_take_their_shade_and_link() {
        let rows = vec![HeatRow {
            label: "甲科技党支部".into(),
            href: "/checks".into(),
            cells: vec![
                Cell {
                    share: Some(1.0),
                    href: "/m1".into(),
                    title: "1月".into(),
                },
                Cell {
                    share: Some(0.0),
                    href: "/m2".into(),
                    title: "2月".into(),
                },
                Cell {
                    share: None,
                    href: "/m3".into(),
                    title: "3月".into(),
                },
            ],
            shown: "50%".into(),
        }];
        let out = heat(CAPTION, &["1".into(), "2".into(), "3".into()], &rows);
        assert!(
            out.contains("<a href=\"/m1\"><title>1月</title><rect")
                && out.contains("fill=\"#174a2c\"")
        );
        assert!(out.contains("<a href=\"/m2\"><title>2月</title>"));
        assert!(out.contains(">50%</text>"));
        assert!(out.contains(">甲科技党支部</text>"));
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("一二三四五六七八九", 8), "一二三四五六七…");
        assert_eq!(shorten("甲支部", 8), "甲支部");
    }
}
