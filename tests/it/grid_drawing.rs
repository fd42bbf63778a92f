//! The checks grid as drawn: every mark inside its own month's cell however many a cell holds,
//! a missed meeting filled as plainly as a held one, and the drawing as wide as the page.

use chrono::NaiveDate;
use taizhang::rules::grid::{draw, Grid, Mark, Row, Status};

fn mark(short: &str, status: Status) -> Mark {
    Mark {
        rule: format!("rule_{short}"),
        short: short.to_string(),
        meeting_type: format!("会议{short}"),
        held: i64::from(status == Status::Held),
        status,
    }
}

fn grid(marks_in_march: usize) -> Grid {
    let statuses = [Status::Held, Status::Missed, Status::NotDue];
    let mut months = vec![Vec::new(); 12];
    months[2] = (0..marks_in_march)
        .map(|i| mark(&format!("{i}"), statuses[i % 3]))
        .collect();
    months[3] = vec![mark("委", Status::Missed); 4];
    Grid {
        year: 2025,
        as_of: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        rows: vec![
            Row {
                unit_id: 1,
                unit: "甲科技党支部".to_string(),
                unit_type: "党支部".to_string(),
                months,
            },
            Row {
                unit_id: 2,
                unit: "乙制造党支部".to_string(),
                unit_type: "党支部".to_string(),
                months: vec![vec![mark("大", Status::Held)]; 12],
            },
        ],
        key: vec![],
    }
}

/// The value of `name="…"` in one tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

fn num(tag: &str, name: &str) -> f64 {
    attr(tag, name).unwrap_or("0").parse().unwrap()
}

/// The `<rect>` tags of a piece of SVG.
fn rects(svg: &str) -> Vec<&str> {
    svg.match_indices("<rect")
        .map(|(i, _)| &svg[i..i + svg[i..].find("/>").unwrap()])
        .collect()
}

/// For every cell (one `<a>`): its own rectangle and the marks drawn in it.
fn cells(svg: &str) -> Vec<(String, Vec<&str>)> {
    svg.split("<a href=")
        .skip(1)
        .map(|part| {
            let part = &part[..part.find("</a>").unwrap()];
            let title =
                part[part.find("<title>").unwrap() + 7..part.find("</title>").unwrap()].to_string();
            (title, rects(part))
        })
        .collect()
}

#[test]
fn every_mark_stays_inside_its_own_cell_however_many_it_holds() {
    for n in [4, 5, 9] {
        let svg = draw(&grid(n));
        let all = cells(&svg);
        assert_eq!(all.len(), 24);
        for (title, rects) in &all {
            let (cell, marks) = rects.split_first().unwrap();
            let (x, y) = (num(cell, "x"), num(cell, "y"));
            let (w, h) = (num(cell, "width"), num(cell, "height"));
            for m in marks {
                // A mark's border is drawn half outside its box.
                let half = num(m, "stroke-width") / 2.0;
                assert!(
                    num(m, "x") - half >= x && num(m, "x") + num(m, "width") + half <= x + w,
                    "{n} marks: a mark of {title} reaches into the next month: {m} in {cell}"
                );
                assert!(
                    num(m, "y") - half >= y && num(m, "y") + num(m, "height") + half <= y + h,
                    "{n} marks: a mark of {title} reaches into the next row: {m} in {cell}"
                );
            }
        }
        let march = all.iter().find(|(t, _)| t.contains("2025年3月")).unwrap();
        assert_eq!(march.1.len(), n + 1, "every mark is drawn");
    }
}

/// Perceived lightness of `#rrggbb`, 0 (black) to 255 (white).
fn lightness(colour: &str) -> f64 {
    let hex = colour
        .strip_prefix('#')
        .expect("a solid colour, not a pattern");
    let c = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
    0.299 * c(0) + 0.587 * c(2) + 0.114 * c(4)
}

#[test]
fn a_missed_meeting_is_filled_as_plainly_as_a_held_one() {
    let svg = draw(&grid(3));
    let april = cells(&svg)
        .into_iter()
        .find(|(t, _)| t == "甲科技党支部 2025年4月：会议委 未召开；会议委 未召开；会议委 未召开；会议委 未召开")
        .expect("the April cell");
    let missed = april.1[1];
    let held = cells(&svg)
        .into_iter()
        .find(|(t, _)| t.starts_with("乙制造党支部 2025年1月"))
        .unwrap()
        .1[1];
    let (m, h) = (
        lightness(attr(missed, "fill").unwrap()),
        lightness(attr(held, "fill").unwrap()),
    );
    assert!(
        m < 160.0,
        "a missed mark is a solid, saturated fill: {missed}"
    );
    assert!(h < 160.0, "{held}");
    assert!(
        (m - h).abs() >= 25.0,
        "held and missed stay apart in greyscale: {m} vs {h}"
    );
    assert!(
        attr(missed, "stroke-width").unwrap() >= attr(held, "stroke-width").unwrap(),
        "the missed mark's border is at least as heavy"
    );
}

#[test]
fn the_grid_is_as_wide_as_the_page() {
    let svg = draw(&grid(1));
    let head = &svg[..svg.find('>').unwrap()];
    assert_eq!(attr(head, "width"), Some("100%"), "{head}");
    assert!(
        attr(head, "height").is_none(),
        "the height follows the width: {head}"
    );
    assert!(attr(head, "viewBox").is_some());
}
