//! The items behind every figure: for each default metric on the demo park, the items listed at
//! `/report/records` (all pages) recompute the figure exactly: their number for a count, the
//! total of their values for a sum, numerator over denominator for a ratio, tasks done on time
//! over tasks due for the on-time rate, the mean of the closed requests' working days for the
//! average time to close. Each item's link opens its own page: a record's, a person's, a
//! task's, a request's, or the 组织 page at the unit's or enterprise's entry.

use axum::http::StatusCode;

use crate::helpers::TestApp;
use crate::web::sign_in;

/// The listed items of one page: (link, part) of each row.
fn rows(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<tr data-id=\"") {
        rest = &rest[at..];
        let part = attr(rest, "data-part=\"").unwrap_or_default();
        let href = attr(rest, "href=\"").unwrap_or_default();
        out.push((href, part));
        rest = &rest[1..];
    }
    out
}

/// An attribute's value, unescaped as the templates escape it.
fn attr(text: &str, key: &str) -> Option<String> {
    let at = text.find(key)? + key.len();
    let end = text[at..].find('"')?;
    Some(
        text[at..at + end]
            .replace("&#x2f;", "/")
            .replace("&amp;", "&"),
    )
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let at = text.find(start)? + start.len();
    let len = text[at..].find(end)?;
    Some(&text[at..at + len])
}

/// The figure as the page states it, and its decimal places.
fn figure(html: &str) -> (f64, u32) {
    let text = between(html, "class=\"metric-value\">", "<").expect("the figure");
    let number: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len() as u32);
    (
        number.parse().unwrap_or_else(|_| panic!("{text}")),
        decimals,
    )
}

/// The number of pages a list says it has ("第 1 / N 页"), 1 without a pager.
fn pages(html: &str) -> usize {
    between(html, "第 1 / ", " 页")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(1)
}

fn round(x: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (x * scale + 0.5).floor() / scale
}

#[tokio::test]
async fn every_figure_of_the_demo_is_recomputed_by_the_items_listed_behind_it() {
    let year = 2024;
    let (app, _) = TestApp::demo(year).await;
    let office = sign_in(&app, "office").await;
    let catalogue = taizhang::report::metrics::MetricCatalogue::default_metrics();
    let mut checked = 0;
    for metric in &catalogue.metrics {
        let base = format!("/report/records?metric={}&year={year}", metric.id);
        let first = office.get(&base).await;
        assert_eq!(
            first.status,
            StatusCode::OK,
            "{}: {}",
            metric.id,
            first.body
        );
        let (value, decimals) = figure(&first.body);
        assert!(
            first.body.contains("class=\"recomputed\""),
            "{}: the page says how its items add up",
            metric.id
        );
        assert!(
            !first.body.contains("不在您的查看范围内"),
            "{}: the office sees every item",
            metric.id
        );
        let mut items = rows(&first.body);
        for page in 2..=pages(&first.body) {
            let next = office.get(&format!("{base}&page={page}")).await;
            assert_eq!(next.status, StatusCode::OK);
            items.extend(rows(&next.body));
        }
        let tasks = metric.kind == "tasks";
        let people = metric.kind == "people";
        for (href, _) in &items {
            let expected = if tasks {
                "/tasks/"
            } else if people {
                "/org/people/"
            } else if metric.kind == "units" {
                "/org#unit-"
            } else if metric.kind == "enterprises" {
                "/org#enterprise-"
            } else if metric.kind == "requests" {
                "/requests/"
            } else if metric.id == "policy_enterprises" {
                "/org#enterprise-"
            } else if metric.kind == "policies" {
                "/policies/"
            } else {
                "/records/"
            };
            assert!(href.starts_with(expected), "{}: {href}", metric.id);
        }
        let recomputed = if metric.id == "avg_workdays_to_close" {
            // Each closed request's working days to close: their average.
            let days: f64 = items.iter().map(|(_, p)| p.parse::<f64>().unwrap()).sum();
            if items.is_empty() {
                0.0
            } else {
                round(days / items.len() as f64, decimals)
            }
        } else if tasks && metric.unit == "%" {
            let on_time = items.iter().filter(|(_, p)| p.starts_with("按期")).count();
            round(100.0 * on_time as f64 / items.len().max(1) as f64, decimals)
        } else if items.iter().any(|(_, p)| p.contains(" / ")) {
            let (mut a, mut b) = (0.0, 0.0);
            for (_, p) in &items {
                let (x, y) = p.split_once(" / ").unwrap();
                a += x.parse::<f64>().unwrap();
                b += y.parse::<f64>().unwrap();
            }
            if b == 0.0 {
                0.0
            } else {
                round(100.0 * a / b, decimals)
            }
        } else if !items.is_empty() && items.iter().all(|(_, p)| p.parse::<f64>().is_ok()) {
            round(
                items.iter().map(|(_, p)| p.parse::<f64>().unwrap()).sum(),
                decimals,
            )
        } else {
            if metric.id == "tasks_completed_on_time" {
                assert!(
                    items.iter().all(|(_, p)| p.starts_with("按期")),
                    "{items:?}"
                );
            }
            items.len() as f64
        };
        assert_eq!(
            recomputed,
            value,
            "{}: listed {} items",
            metric.id,
            items.len()
        );
        // The first item's own page opens, and an entry of the 组织 page is there.
        if let Some((href, _)) = items.first() {
            let (page, entry) = href.split_once('#').unwrap_or((href, ""));
            let own = office.get(page).await;
            assert_eq!(own.status, StatusCode::OK, "{}: {href}", metric.id);
            if !entry.is_empty() {
                assert!(
                    own.body.contains(&format!("id=\"{entry}\"")),
                    "{}: no {entry} on {page}",
                    metric.id
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "{checked} metrics");
}
