//! Turns the rows of a rule's query into findings, each with the evidence a secretary can check:
//! what was (not) found in the period, the meetings held around it, and the records considered.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::definition::{NumberField, Requirement, Rule};
use super::queries::{self, CountRow, RatioRow, Spec, Tally, TaskRow, Window};
use super::Finding;
use crate::db::{Db, DbError};

/// Evidence lists at most this many meetings by date and id; `record_ids` holds them all.
const LISTED: usize = 5;

/// The findings of `rules`. The meeting rules (count and ratio) are evaluated together, their
/// grids read in one statement that parses the year's meetings once ([`queries::grids`]), side
/// by side with the task and 包联 rules' own queries (all only read); a rule with no period
/// over yet cannot be violated and is not evaluated. The task and 包联 findings come first, in
/// rule order, then the meeting rules'.
///
/// The grids of `extra` specs (over the same window) are read in the same statement as the
/// meeting rules', so that the year's meetings are parsed once for both; they come back in the
/// order of `extra`.
pub(crate) async fn rules(
    db: &Db,
    scope: Window,
    rules: &[&Rule],
    extra: &[Spec<'_>],
) -> Result<(Vec<Finding>, Vec<Tally>), DbError> {
    let (mut batch, mut specs) = (Vec::new(), Vec::new());
    for &rule in rules {
        let spec = match &rule.requirement {
            Requirement::TasksDone | Requirement::PairedVisits => continue,
            _ if rule.period.ended(scope.year, scope.last) == 0 => continue,
            Requirement::Count { meeting_type, min } => Spec::Count {
                applies_to: &rule.applies_to,
                period: rule.period,
                meeting_type,
                min: *min,
            },
            Requirement::Ratio {
                meeting_types,
                numerator,
                denominator,
                ..
            } => Spec::Ratio {
                applies_to: &rule.applies_to,
                period: rule.period,
                meeting_types,
                numerator,
                denominator,
            },
        };
        specs.push(spec);
        batch.push(rule);
    }
    let others = async {
        let mut findings = Vec::new();
        for &rule in rules {
            match &rule.requirement {
                // A task is overdue from the day after its deadline, whatever period the rule
                // names.
                Requirement::TasksDone => {
                    let rows = queries::overdue_tasks(db, scope).await?;
                    findings.extend(task_findings(rule, scope, rows));
                }
                Requirement::PairedVisits => {
                    let ended = rule.period.ended(scope.year, scope.last);
                    if ended == 0 {
                        continue;
                    }
                    let rows = crate::visits::service::uncovered(
                        db,
                        scope.park_id,
                        scope.year,
                        rule.period,
                        ended,
                    )
                    .await?;
                    findings.extend(visit_findings(rule, scope.year, rows));
                }
                _ => {}
            }
        }
        Ok::<_, DbError>(findings)
    };
    let checked = specs.len();
    specs.extend_from_slice(extra);
    let (others, grids) = tokio::join!(others, queries::grids(db, scope, &specs));
    let (mut findings, mut grids) = (others?, grids?);
    let extra_grids = grids.split_off(checked.min(grids.len()));
    for (rule, grid) in batch.into_iter().zip(grids) {
        match (&rule.requirement, grid) {
            (Requirement::Count { meeting_type, min }, Tally::Count(rows)) => {
                findings.extend(count_findings(rule, scope.year, meeting_type, *min, rows));
            }
            (
                Requirement::Ratio {
                    meeting_types,
                    numerator,
                    denominator,
                    min_ratio,
                },
                Tally::Ratio(rows),
            ) => {
                let ratio = RatioRule {
                    meeting_types,
                    numerator,
                    denominator,
                    min_ratio: *min_ratio,
                };
                findings.extend(ratio_findings(rule, scope.year, &ratio, rows));
            }
            // `grids` answers each spec in its own shape.
            _ => {}
        }
    }
    Ok((findings, extra_grids))
}

/// One (unit, period) cell of a count rule.
#[derive(Default)]
struct Cell {
    meetings: Vec<(i64, NaiveDate)>,
    held: i64,
    violated: bool,
}

fn count_findings(
    rule: &Rule,
    year: i32,
    meeting_type: &str,
    min: u32,
    rows: Vec<CountRow>,
) -> Vec<Finding> {
    // unit id -> (name, period -> cell); ordered so that output never depends on hashing.
    let mut units: BTreeMap<i64, (String, BTreeMap<u32, Cell>)> = BTreeMap::new();
    for (unit_id, name, p, record, on, held, violated) in rows {
        let (_, cells) = units
            .entry(unit_id)
            .or_insert_with(|| (name, BTreeMap::new()));
        let cell = cells.entry(period_index(p)).or_default();
        cell.held = held;
        cell.violated = violated != 0;
        if let (Some(id), Some(on)) = (record, on) {
            cell.meetings.push((id, on));
        }
    }
    let subject = subject(&rule.applies_to.unit_type);
    let mut findings = Vec::new();
    for (name, cells) in units.values() {
        for (&index, cell) in cells.iter().filter(|(_, c)| c.violated) {
            let mut evidence = format!("{}{subject}", rule.period.chinese(year, index));
            if cell.held == 0 {
                evidence.push_str(&format!("无{meeting_type}记录"));
            } else {
                evidence.push_str(&format!(
                    "仅有{meeting_type}{}次（{}），少于要求的{min}次",
                    cell.held,
                    listing(&cell.meetings)
                ));
            }
            let around: Vec<(i64, NaiveDate)> = rule
                .period
                .neighbours(index)
                .iter()
                .filter_map(|i| cells.get(i))
                .flat_map(|c| c.meetings.iter().copied())
                .collect();
            let others = rule.period.neighbours_name();
            if !others.is_empty() {
                if around.is_empty() {
                    evidence.push_str(&format!("；{others}也无{meeting_type}记录"));
                } else {
                    evidence.push_str(&format!("；{others}的{meeting_type}：{}", listing(&around)));
                }
            }
            let mut record_ids: Vec<i64> = cell.meetings.iter().map(|m| m.0).collect();
            record_ids.extend(around.iter().map(|m| m.0));
            findings.push(finding(rule, name, year, index, evidence, record_ids, None));
        }
    }
    findings
}

/// One finding per responsible unit holding tasks past their deadline and not done as of the
/// check date, the tasks listed by 序号, content and deadline.
fn task_findings(rule: &Rule, scope: Window, rows: Vec<TaskRow>) -> Vec<Finding> {
    // (unit id, unit name, the unit's overdue tasks as listed, their ids), rows coming by unit.
    let mut units: Vec<(i64, String, Vec<String>, Vec<i64>)> = Vec::new();
    for (unit_id, name, task_id, seq, content, deadline) in rows {
        let item = format!(
            "{seq} {content}（完成时限 {}，任务#{task_id}）",
            deadline.format("%Y-%m-%d")
        );
        match units.last_mut() {
            Some((id, _, items, ids)) if *id == unit_id => {
                items.push(item);
                ids.push(task_id);
            }
            _ => units.push((unit_id, name, vec![item], vec![task_id])),
        }
    }
    units
        .into_iter()
        .map(|(_, name, items, task_ids)| {
            let shown: Vec<&str> = items.iter().take(LISTED).map(String::as_str).collect();
            let mut evidence = format!(
                "截至 {}，{}项任务已过完成时限仍未完成：{}",
                scope.last.format("%Y-%m-%d"),
                items.len(),
                shown.join("；")
            );
            if items.len() > LISTED {
                evidence.push_str(&format!("等共{}项", items.len()));
            }
            // The evidence of a task rule is tasks, not ledger records: its `record_ids` are the
            // overdue tasks' ids (every one of them, where the sentence lists the first few).
            finding(rule, &name, scope.year, 1, evidence, task_ids, None)
        })
        .collect()
}

/// One finding per paired enterprise and period its 包联领导 did not visit, citing the period's
/// other visits (by others), whose ids are its `record_ids`.
fn visit_findings(
    rule: &Rule,
    year: i32,
    rows: Vec<crate::visits::service::Uncovered>,
) -> Vec<Finding> {
    rows.into_iter()
        .map(|u| {
            let period = rule.period.label(year, u.index);
            let mut evidence = format!("包联领导{}在{period}未走访该企业", u.leader);
            if u.others.is_empty() {
                evidence.push_str("，该期间无走访记录");
            } else {
                let shown: Vec<String> = u
                    .others
                    .iter()
                    .take(LISTED)
                    .map(|(id, on, by)| format!("{}（{by}，记录#{id}）", on.format("%Y-%m-%d")))
                    .collect();
                evidence.push_str(&format!(
                    "；该期间其他人员走访{}次：{}",
                    u.others.len(),
                    shown.join("、")
                ));
            }
            let ids = u.others.iter().map(|o| o.0).collect();
            let mut f = finding(rule, &u.enterprise, year, u.index, evidence, ids, None);
            f.unit_type = ENTERPRISE.to_string();
            f.enterprise_id = Some(u.enterprise_id);
            f
        })
        .collect()
}

/// The `unit_type` of a finding about an enterprise (a 包联 visit rule's).
pub(crate) const ENTERPRISE: &str = "企业";

/// A ratio requirement, borrowed from its rule.
struct RatioRule<'a> {
    meeting_types: &'a [String],
    numerator: &'a NumberField,
    denominator: &'a NumberField,
    min_ratio: f64,
}

/// One (unit, period) of a ratio rule: the unit's name, the two sums, and the meetings summed.
struct Measured {
    name: String,
    top: f64,
    bottom: f64,
    ids: Vec<i64>,
}

fn ratio_findings(
    rule: &Rule,
    year: i32,
    ratio: &RatioRule<'_>,
    rows: Vec<RatioRow>,
) -> Vec<Finding> {
    let mut cells: BTreeMap<(i64, u32), Measured> = BTreeMap::new();
    for (unit_id, name, p, record, _on, top, bottom) in rows {
        cells
            .entry((unit_id, period_index(p)))
            .or_insert_with(|| Measured {
                name,
                top,
                bottom,
                ids: Vec::new(),
            })
            .ids
            .push(record);
    }
    let subject = subject(&rule.applies_to.unit_type);
    let meetings = if ratio.meeting_types.is_empty() {
        "各类会议".to_string()
    } else {
        ratio.meeting_types.join("、")
    };
    let mut findings = Vec::new();
    for ((_, index), cell) in cells {
        let Measured {
            name,
            top,
            bottom,
            ids,
        } = cell;
        // Division, not `top < min × bottom`: both sides are then correctly rounded, so a rate
        // exactly at the threshold (9 of 10 against 0.9) never counts as below it.
        if bottom <= 0.0 || top / bottom >= ratio.min_ratio {
            continue;
        }
        let rate = top / bottom;
        let evidence = format!(
            "{}{subject}{meetings}合计{} {} / {} {} = {}%，低于 {}%（{}）",
            rule.period.chinese(year, index),
            ratio.numerator.label,
            number(top),
            ratio.denominator.label,
            number(bottom),
            percent_below(rate),
            number(ratio.min_ratio * 100.0),
            id_listing(&ids)
        );
        findings.push(finding(rule, &name, year, index, evidence, ids, Some(rate)));
    }
    findings
}

fn finding(
    rule: &Rule,
    unit: &str,
    year: i32,
    index: u32,
    evidence: String,
    record_ids: Vec<i64>,
    measured: Option<f64>,
) -> Finding {
    Finding {
        rule: rule.id.clone(),
        unit: unit.to_string(),
        period: rule.period.label(year, index),
        article: rule.article.clone(),
        evidence,
        record_ids,
        title: rule.title.clone(),
        unit_type: rule.applies_to.unit_type.clone(),
        measured,
        enterprise_id: None,
    }
}

/// A period number from SQL, which only ever yields 1..=12.
fn period_index(p: i64) -> u32 {
    u32::try_from(p).unwrap_or(0)
}

/// How evidence refers to the unit it is about.
fn subject(unit_type: &str) -> String {
    match unit_type {
        "党支部" => "该支部".to_string(),
        // The park has one 党工委, whose own meetings are named after it.
        "党工委" => String::new(),
        other => format!("该{other}"),
    }
}

/// `2025-01-12（记录#123）、2025-02-10（记录#130）`, at most [`LISTED`] of them.
fn listing(meetings: &[(i64, NaiveDate)]) -> String {
    let shown: Vec<String> = meetings
        .iter()
        .take(LISTED)
        .map(|(id, on)| format!("{}（记录#{id}）", on.format("%Y-%m-%d")))
        .collect();
    let mut text = shown.join("、");
    if meetings.len() > LISTED {
        text.push_str(&format!("等共{}次", meetings.len()));
    }
    text
}

/// `记录#1、#2、#3等共24条`.
fn id_listing(ids: &[i64]) -> String {
    let shown: Vec<String> = ids.iter().take(LISTED).map(|id| format!("#{id}")).collect();
    let mut text = format!("记录{}", shown.join("、"));
    if ids.len() > LISTED {
        text.push_str(&format!("等共{}条", ids.len()));
    }
    text
}

/// A sum as people write it: `45`, or `45.5` when it has a fraction.
fn number(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A rate below a threshold as a percentage with one decimal, cut rather than rounded, so that a
/// rate below the threshold never prints as reaching it (89.96% is 89.9%, not 90.0%).
pub(crate) fn percent_below(rate: f64) -> String {
    // The small addend keeps 0.7 × 1000 = 699.999… from being cut to 69.9.
    let tenths = (rate * 1000.0 + 1e-9).floor();
    format!("{:.1}", tenths / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_below_a_threshold_never_print_as_reaching_it() {
        assert_eq!(percent_below(0.8996), "89.9");
        assert_eq!(percent_below(0.75), "75.0");
        assert_eq!(percent_below(0.7), "70.0");
        assert_eq!(number(45.0), "45");
        assert_eq!(number(90.0), "90");
        assert_eq!(number(45.5), "45.5");
    }

    #[test]
    fn long_listings_are_cut() {
        let ids: Vec<i64> = (1..=7).collect();
        assert_eq!(id_listing(&ids), "记录#1、#2、#3、#4、#5等共7条");
        let on = NaiveDate::from_ymd_opt(2025, 1, 12).unwrap();
        assert_eq!(listing(&[(123, on)]), "2025-01-12（记录#123）");
    }
}
