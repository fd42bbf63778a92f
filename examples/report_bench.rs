//! The timing part of `bench/report.sh`: on a database the demo built, the whole annual report
//! (every default metric for the year and the year before, the key projects and documents, the
//! rule checks, the records that break plausibility rules, the health check) rendered as HTML and as DOCX, against the bare aggregate queries of the same
//! metrics (the same conditions, one COUNT/SUM row each, no ids listed). Each figure is the
//! median of several runs after one warm-up.
//!
//! Given the `taizhang` binary, templates render in its render workers, as the server's do.
//!
//!   report_bench DATABASE_URL [YEAR] [RUNS] [TAIZHANG_BINARY]

use std::time::{Duration, Instant};

use taizhang::calendar::Year;
use taizhang::db::Db;
use taizhang::report::{self, MetricCatalogue, ReportData, ReportTemplate};

/// The data of the report exactly as `taizhang report` and the 述职报告 page get it: the park's
/// metrics (this year and last) with their ids, projects and documents, side by side with the
/// rule checks, and the saved cause analysis.
async fn report_data(db: &Db, park: &taizhang::org::queries::Park, year: Year) -> ReportData {
    report::report_data(db, park.id, &park.name, year, year.last_day())
        .await
        .expect("report data")
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .expect("usage: report_bench DATABASE_URL [YEAR] [RUNS] [TAIZHANG_BINARY]");
    let year = Year::parse(&args.next().unwrap_or_else(|| "2024".to_string())).expect("a year");
    let runs: usize = args
        .next()
        .map_or(7, |n| n.parse().expect("a number of runs"));
    if let Some(binary) = args.next() {
        report::worker::isolate_in(binary.into());
    }
    let db = Db::connect(&url, false).await.expect("the database");
    let park = taizhang::org::queries::parks(&db)
        .await
        .expect("parks")
        .into_iter()
        .next()
        .expect("a park: run taizhang demo first");
    let template = ReportTemplate::builtin();
    let catalogue = MetricCatalogue::default_metrics();

    let (
        mut metrics_t,
        mut bare,
        mut data_t,
        mut html_t,
        mut docx_t,
        mut whole_html,
        mut whole_docx,
    ) = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut sizes = (0, 0);
    for run in 0..=runs {
        let start = Instant::now();
        let rows = report::bare_aggregates(&db, park.id, year, &catalogue)
            .await
            .expect("bare aggregates");
        let bare_time = start.elapsed();
        assert_eq!(rows.len(), catalogue.metrics.len() * 2);

        let start = Instant::now();
        report::compute_with_previous(&db, park.id, year, &catalogue)
            .await
            .expect("metrics");
        let metrics_time = start.elapsed();

        let start = Instant::now();
        let mut data = report_data(&db, &park, year).await;
        report::health::apply(&mut data, &template).expect("health check");
        let data_time = start.elapsed();
        let start = Instant::now();
        let html = report::render(&data, &template, report::Format::Html).expect("html");
        let html_time = start.elapsed();
        let start = Instant::now();
        let docx = report::render_docx(&data, &template).expect("docx");
        let docx_time = start.elapsed();
        sizes = (html.len(), docx.len());
        if run == 0 {
            let counted: usize = data.metrics.metrics.iter().map(|m| m.records.len()).sum();
            println!(
                "park {} year {year}: {} metrics, {counted} record ids listed, {} findings",
                park.name,
                data.metrics.metrics.len(),
                data.findings.len()
            );
            continue;
        }
        bare.push(bare_time);
        metrics_t.push(metrics_time);
        data_t.push(data_time);
        html_t.push(html_time);
        docx_t.push(docx_time);
        whole_html.push(data_time + html_time);
        whole_docx.push(data_time + docx_time);
    }
    let (metrics_t, bare, data_t, html_t, docx_t) = (
        median(metrics_t),
        median(bare),
        median(data_t),
        median(html_t),
        median(docx_t),
    );
    let (whole_html, whole_docx) = (median(whole_html), median(whole_docx));
    println!("median of {runs} runs (ms):");
    println!("  bare aggregate SQL (same metrics, this year and last): {bare:.1}");
    println!("  metrics with their record ids (this year and last): {metrics_t:.1}");
    println!(
        "  report data (metrics with ids, projects, documents, rule checks, health check): {data_t:.1}"
    );
    println!("  HTML render alone: {html_t:.1} ({} bytes)", sizes.0);
    println!("  DOCX render alone: {docx_t:.1} ({} bytes)", sizes.1);
    println!(
        "whole report, HTML: {whole_html:.1} ms (target <= 300 ms: {:.2} of target)",
        whole_html / 300.0
    );
    println!(
        "whole report, DOCX: {whole_docx:.1} ms (target <= 500 ms: {:.2} of target)",
        whole_docx / 500.0
    );
    println!(
        "whole report (HTML) / bare aggregate SQL: {:.2} (target <= 3)",
        whole_html / bare
    );
    println!(
        "metrics with ids / bare aggregate SQL: {:.2}",
        metrics_t / bare
    );
}
