use super::*;
use crate::ledger::catalogue::KindDef;

fn defaults() -> MetricCatalogue {
    MetricCatalogue::default_metrics()
}

/// The default catalogue with a park's own kind: 参观接待 with a number of visitors.
fn park_ledgers() -> Catalogue {
    let mut ledgers = Catalogue::default_catalogue();
    let kind: KindDef = toml::from_str(
        r#"
id = "reception"
name = "参观接待"
sheet = "参观接待台账"
date_field = "date"
title_field = "guest"

[[field]]
key = "date"
label = "日期"
type = "date"
required = true

[[field]]
key = "guest"
label = "来访单位"
type = "text"
required = true

[[field]]
key = "visitors"
label = "人数"
type = "integer"
"#,
    )
    .unwrap();
    ledgers.kinds.push(kind);
    ledgers
}

fn parse(text: &str) -> Result<MetricCatalogue, ReportError> {
    let d = defaults();
    Overlay::parse(text, &d, &park_ledgers()).map(|o| o.apply(&d))
}

fn refusal(text: &str) -> (usize, String) {
    match parse(text) {
        Err(ReportError::MetricsFile { line, message }) => (line, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

const RECEPTIONS: &str = r#"
[[metric]]
id = "receptions"
label = "接待参观"
unit = "人次"
kind = "reception"
aggregate = "sum"
field = "visitors"
period = "year"
"#;

#[test]
fn an_empty_file_is_the_defaults() {
    assert_eq!(parse("").unwrap(), defaults());
    assert_eq!(parse("# nothing yet\n").unwrap(), defaults());
}

#[test]
fn a_new_id_adds_a_metric_after_the_defaults_on_the_parks_own_kind() {
    let c = parse(RECEPTIONS).unwrap();
    assert_eq!(c.metrics.len(), defaults().metrics.len() + 1);
    let last = c.metrics.last().unwrap();
    assert_eq!(last.id, "receptions");
    assert_eq!(last.kind, "reception");
    assert!(last.integral);
}

#[test]
fn the_same_id_replaces_the_default_in_place() {
    let text = r#"
[[metric]]
id = "honors"
label = "市级以上荣誉"
unit = "项"
kind = "honor"
filters = { level = { in = ["国家级", "省级", "市级"] } }
aggregate = "count"
period = "year"
"#;
    let c = parse(text).unwrap();
    let d = defaults();
    assert_eq!(c.metrics.len(), d.metrics.len());
    let at = d.metrics.iter().position(|m| m.id == "honors").unwrap();
    assert_eq!(c.metrics[at].label, "市级以上荣誉");
    assert_eq!(c.metrics[at].filters.len(), 1);
    assert_ne!(c.metrics[at], d.metrics[at]);
}

#[test]
fn enabled_false_turns_a_default_off_and_origins_say_what_changed() {
    let text = format!("[[metric]]\nid = \"brochures\"\nenabled = false\n{RECEPTIONS}");
    let d = defaults();
    let overlay = Overlay::parse(&text, &d, &park_ledgers()).unwrap();
    let c = overlay.apply(&d);
    assert!(c.get("brochures").is_none());
    assert!(c.get("receptions").is_some());
    assert_eq!(c.metrics.len(), d.metrics.len());
    assert_eq!(overlay.disabled, vec!["brochures".to_string()]);
    assert_eq!(overlay.origin("receptions", &d), Origin::Added);
    assert_eq!(overlay.origin("honors", &d), Origin::Default);
}

#[test]
fn a_metric_on_a_kind_the_park_lacks_is_refused_at_its_line_naming_the_metric() {
    let text = "# park metrics\n\n[[metric]]\nid = \"tours\"\nlabel = \"参观\"\nunit = \"次\"\nkind = \"tour\"\naggregate = \"count\"\nperiod = \"year\"\n";
    let (line, message) = refusal(text);
    assert_eq!(line, 7, "{message}");
    assert!(
        message.contains("tours") && message.contains("tour"),
        "{message}"
    );
    // The same file is refused on the default ledgers, where `reception` does not exist.
    let d = defaults();
    let on_defaults = Overlay::parse(RECEPTIONS, &d, &Catalogue::default_catalogue());
    assert!(on_defaults.is_err());
}

#[test]
fn a_field_the_kind_lacks_is_refused_at_the_line_that_names_it() {
    let text = RECEPTIONS.replace("field = \"visitors\"", "field = \"guests\"");
    let (line, message) = refusal(&text);
    assert_eq!(line, 8, "{message}");
    assert!(
        message.contains("receptions") && message.contains("guests"),
        "{message}"
    );
    let filter = RECEPTIONS.replace(
        "aggregate = \"sum\"",
        "filters = { region = \"本市\" }\naggregate = \"sum\"",
    );
    let (line, message) = refusal(&filter);
    assert_eq!(line, 7, "{message}");
    assert!(message.contains("region"), "{message}");
}

#[test]
fn syntax_errors_and_unknown_keys_name_their_line() {
    let (line, message) = refusal("[[metric]]\nid = \"a\"\nlabel = \"未闭合\n");
    assert_eq!(line, 3, "{message}");
    assert!(message.contains("TOML"), "{message}");
    let (line, message) =
        refusal(&RECEPTIONS.replace("period = \"year\"", "period = \"year\"\ncolour = \"red\""));
    assert_eq!(line, 10, "{message}");
    assert!(message.contains("colour"), "{message}");
    let (line, message) = refusal("rule = 1\n");
    assert_eq!(line, 1, "{message}");
}

#[test]
fn turning_off_is_only_for_defaults_and_takes_only_the_id() {
    let (line, message) = refusal("\n[[metric]]\nid = \"honours\"\nenabled = false\n");
    assert_eq!(line, 3, "{message}");
    assert!(message.contains("honors"), "{message}");
    let (line, message) =
        refusal("[[metric]]\nid = \"honors\"\nenabled = false\nlabel = \"荣誉\"\n");
    assert_eq!(line, 4, "{message}");
    let (_, message) = refusal("[[metric]]\nid = \"honors\"\nenabled = \"no\"\n");
    assert!(message.contains("enabled"), "{message}");
}

#[test]
fn an_id_twice_in_the_park_file_is_refused_at_the_second() {
    let text = format!("{RECEPTIONS}{RECEPTIONS}");
    let (line, message) = refusal(&text);
    assert_eq!(line, 12, "{message}");
    assert!(message.contains("重复"), "{message}");
}

#[test]
fn the_starter_file_changes_nothing_and_its_example_works_once_uncommented() {
    let starter = crate::report::park_metrics::STARTER_TEXT;
    assert_eq!(parse(starter).unwrap(), defaults());
    let example: Vec<&str> = starter
        .lines()
        .skip_while(|l| !l.contains("去掉行首的 #"))
        .skip(1)
        .map(|l| l.trim_start_matches('#').trim_start())
        .collect();
    let c = parse(&example.join("\n")).unwrap();
    assert!(c.get("brochures").is_none());
    assert_eq!(c.get("receptions").unwrap().unit, "人次");
}
