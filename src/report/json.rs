//! `report --format json`, exactly as PRODUCT.md fixes it:
//! `{"park": .., "year": .., "metrics": {ID: {"value": .., "label": .., "unit": .., "records":
//! [ids]}}, "findings": [..], "warnings": [..]}`, each warning (the health check,
//! `health::Warning`) with its `code`, `metric`, `value`, `reason` and `link`. Values are integers for counts and floats for
//! areas, lengths and rates.

use serde_json::{json, Map, Value as Json};

use super::view::ReportData;

pub fn to_json(data: &ReportData) -> Json {
    let metrics: Map<String, Json> = data
        .metrics
        .metrics
        .iter()
        .map(|m| {
            (
                m.id.clone(),
                json!({
                    "value": m.value,
                    "label": m.label,
                    "unit": m.unit,
                    "records": m.records,
                }),
            )
        })
        .collect();
    json!({
        "park": data.park,
        "year": data.year,
        "metrics": metrics,
        "findings": data.findings,
        "warnings": data.warnings,
    })
}

/// The JSON document as written to a file: pretty-printed, ending in a newline.
pub fn to_json_string(data: &ReportData) -> String {
    let mut text = serde_json::to_string_pretty(&to_json(data)).unwrap_or_default();
    text.push('\n');
    text
}
