//! Planning the enterprise roster (企业名录) and the unit tree (组织架构) of a workbook.
//!
//! A row whose name the park already has updates that entry, and only where the row gives a value
//! that differs: a blank cell never erases what is stored, so importing the same roster twice
//! changes nothing the second time. New entries get negative placeholder ids until they are
//! written; ledger rows and later rosters refer to them through those placeholders.

use std::collections::HashMap;

use super::report::{Issue, Issues};
use super::roster_sheet::{RosterRow, RosterSheet};
use crate::org::{Enterprise, Unit};

/// One roster entry to write, with what was stored before (`None` for a new one).
#[derive(Clone, Debug)]
pub(crate) struct Planned<T> {
    pub after: T,
    pub before: Option<T>,
    /// Zero-based sheet row it came from.
    pub row: u32,
}

#[derive(Debug, Default)]
pub(crate) struct OrgPlan {
    pub enterprises: Vec<Planned<Enterprise>>,
    /// Parents before children.
    pub units: Vec<Planned<Unit>>,
    /// Every unit name the workbook may use: the park's and the sheet's (placeholders < 0).
    pub unit_ids: HashMap<String, i64>,
    pub enterprise_ids: HashMap<String, i64>,
}

/// The name of the service team's 工作组 contains this word (PRODUCT.md, the 园小二 team).
const SERVICE_TEAM_WORD: &str = "园小二";

pub(crate) fn plan_enterprises(
    sheet: Option<&RosterSheet<'_>>,
    existing: &[Enterprise],
    plan: &mut OrgPlan,
    issues: &mut Issues,
) {
    plan.enterprise_ids = existing.iter().map(|e| (e.name.clone(), e.id)).collect();
    let Some(sheet) = sheet else { return };
    let stored: HashMap<&str, &Enterprise> =
        existing.iter().map(|e| (e.name.as_str(), e)).collect();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut next_placeholder = -1;
    for row in sheet.rows(issues) {
        let name = row.name().to_owned();
        if name.is_empty() || duplicate(sheet, &row, &mut seen, issues) {
            continue;
        }
        let before = stored.get(name.as_str()).map(|e| (*e).clone());
        let id = before.as_ref().map_or_else(
            || {
                next_placeholder -= 1;
                next_placeholder + 1
            },
            |e| e.id,
        );
        plan.enterprise_ids.insert(name.clone(), id);
        if !row.ok {
            continue;
        }
        let old = before.as_ref();
        let pick = |key: &str, stored: Option<&Option<String>>| {
            row.owned(key).or_else(|| stored.cloned().flatten())
        };
        let leader_name = pick("leader", old.map(|e| &e.leader_name));
        let after = Enterprise {
            id,
            name,
            credit_code: pick("credit_code", old.map(|e| &e.credit_code)),
            scale: pick("scale", old.map(|e| &e.scale)),
            industry: pick("industry", old.map(|e| &e.industry)),
            address: pick("address", old.map(|e| &e.address)),
            contact: pick("contact", old.map(|e| &e.contact)),
            contact_phone: pick("contact_phone", old.map(|e| &e.contact_phone)),
            // A new leader's person is found once the people are planned.
            leader_person_id: old
                .filter(|e| e.leader_name == leader_name)
                .and_then(|e| e.leader_person_id),
            leader_name,
            // The workbook has no column for them: an enterprise's tags stay as they were.
            tags: old.map(|e| e.tags.clone()).unwrap_or_default(),
        };
        plan.enterprises.push(Planned {
            after,
            before,
            row: row.row.index,
        });
    }
}

pub(crate) fn plan_units(
    sheet: Option<&RosterSheet<'_>>,
    existing: &[Unit],
    plan: &mut OrgPlan,
    issues: &mut Issues,
) {
    plan.unit_ids = existing.iter().map(|u| (u.name.clone(), u.id)).collect();
    let Some(sheet) = sheet else { return };
    let stored: HashMap<&str, &Unit> = existing.iter().map(|u| (u.name.as_str(), u)).collect();
    let rows = sheet.rows(issues);
    // First every name, so that a row may name a parent further down the sheet.
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut next_placeholder = -1;
    let mut named: Vec<(&RosterRow<'_>, i64)> = Vec::new();
    for row in &rows {
        let name = row.name();
        if name.is_empty() || duplicate(sheet, row, &mut seen, issues) {
            continue;
        }
        let id = stored.get(name).map_or_else(
            || {
                next_placeholder -= 1;
                next_placeholder + 1
            },
            |u| u.id,
        );
        plan.unit_ids.insert(name.to_owned(), id);
        named.push((row, id));
    }
    let mut planned = Vec::new();
    for (row, id) in named {
        if !row.ok {
            continue;
        }
        let parent = sheet.resolve(row, "parent", "上级单位", &plan.unit_ids, issues);
        let enterprise = sheet.resolve(row, "enterprise", "企业", &plan.enterprise_ids, issues);
        let (Ok(parent), Ok(enterprise)) = (parent, enterprise) else {
            continue;
        };
        if parent == Some(id) {
            issues.error(
                sheet
                    .issue(&row.row, "parent")
                    .with("上级单位不能是本单位自己"),
            );
            continue;
        }
        let name = row.name().to_owned();
        let unit_type = row.owned("unit_type").unwrap_or_default();
        let service_team = unit_type == "工作组" && name.contains(SERVICE_TEAM_WORD);
        let before = stored.get(name.as_str()).map(|u| (*u).clone());
        let after = Unit {
            id,
            parent_id: parent.or_else(|| before.as_ref().and_then(|u| u.parent_id)),
            enterprise_id: enterprise.or_else(|| before.as_ref().and_then(|u| u.enterprise_id)),
            level: before.as_ref().and_then(|u| u.level.clone()),
            is_service_team: service_team || before.as_ref().is_some_and(|u| u.is_service_team),
            name,
            unit_type,
        };
        planned.push(Planned {
            after,
            before,
            row: row.row.index,
        });
    }
    let cyclic = cycles(&planned, existing);
    for p in planned.iter().filter(|p| cyclic.contains(&p.after.id)) {
        let mut issue = Issue::row(sheet.name(), p.row, Some("上级")).with(format!(
            "“{}”的上级关系形成了循环（一个单位不能是自己的上级的上级）",
            p.after.name
        ));
        issue.header = None;
        issues.error(issue);
    }
    planned.retain(|p| !cyclic.contains(&p.after.id));
    plan.units = parents_first(planned);
}

/// Reports a name seen earlier in the same sheet; returns whether it was.
fn duplicate(
    sheet: &RosterSheet<'_>,
    row: &RosterRow<'_>,
    seen: &mut HashMap<String, u32>,
    issues: &mut Issues,
) -> bool {
    let name = row.name().to_owned();
    if let Some(first) = seen.get(&name) {
        issues.error(sheet.issue(&row.row, "name").with(format!(
            "“{name}”与第{}行重复，同一名称只能出现一次",
            first + 1
        )));
        return true;
    }
    seen.insert(name, row.row.index);
    false
}

/// The ids of planned units whose chain of parents (planned over stored) comes back to them.
fn cycles(planned: &[Planned<Unit>], existing: &[Unit]) -> Vec<i64> {
    let mut parent: HashMap<i64, Option<i64>> =
        existing.iter().map(|u| (u.id, u.parent_id)).collect();
    for p in planned {
        parent.insert(p.after.id, p.after.parent_id);
    }
    let limit = parent.len() + 1;
    planned
        .iter()
        .map(|p| p.after.id)
        .filter(|&start| {
            let mut at = parent.get(&start).copied().flatten();
            for _ in 0..limit {
                match at {
                    Some(id) if id == start => return true,
                    Some(id) => at = parent.get(&id).copied().flatten(),
                    None => return false,
                }
            }
            // Longer than the tree itself: a loop that does not pass through `start`.
            false
        })
        .collect()
}

/// Orders planned units so that a unit whose parent is also planned comes after it.
fn parents_first(planned: Vec<Planned<Unit>>) -> Vec<Planned<Unit>> {
    let index: HashMap<i64, usize> = planned
        .iter()
        .enumerate()
        .map(|(i, p)| (p.after.id, i))
        .collect();
    let mut order = Vec::with_capacity(planned.len());
    let mut placed = vec![false; planned.len()];
    for start in 0..planned.len() {
        // Walk up to the highest unplaced planned ancestor, then place the chain top-down.
        let mut chain = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if placed[i] || chain.contains(&i) {
                break;
            }
            chain.push(i);
            at = planned[i]
                .after
                .parent_id
                .and_then(|p| index.get(&p).copied());
        }
        for &i in chain.iter().rev() {
            placed[i] = true;
            order.push(i);
        }
    }
    let mut slots: Vec<Option<Planned<Unit>>> = planned.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Whether two enterprises hold the same stored values.
pub(crate) fn same_enterprise(a: &Enterprise, b: &Enterprise) -> bool {
    (
        &a.name,
        &a.credit_code,
        &a.scale,
        &a.industry,
        &a.address,
        &a.contact,
        &a.contact_phone,
        &a.leader_name,
        a.leader_person_id,
    ) == (
        &b.name,
        &b.credit_code,
        &b.scale,
        &b.industry,
        &b.address,
        &b.contact,
        &b.contact_phone,
        &b.leader_name,
        b.leader_person_id,
    )
}

/// Whether two units hold the same stored values.
pub(crate) fn same_unit(a: &Unit, b: &Unit) -> bool {
    (
        &a.name,
        &a.unit_type,
        a.parent_id,
        a.enterprise_id,
        &a.level,
        a.is_service_team,
    ) == (
        &b.name,
        &b.unit_type,
        b.parent_id,
        b.enterprise_id,
        &b.level,
        b.is_service_team,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>) -> Planned<Unit> {
        Planned {
            after: Unit {
                id,
                parent_id: parent,
                name: format!("u{id}"),
                unit_type: "党支部".into(),
                enterprise_id: None,
                level: None,
                is_service_team: false,
            },
            before: None,
            row: 0,
        }
    }

    #[test]
    fn parents_come_first_whatever_the_row_order() {
        let planned = vec![
            unit(-3, Some(-2)),
            unit(-2, Some(-1)),
            unit(-1, Some(7)),
            unit(-4, None),
        ];
        let ids: Vec<i64> = parents_first(planned).iter().map(|p| p.after.id).collect();
        assert_eq!(ids, vec![-1, -2, -3, -4]);
    }

    #[test]
    fn loops_are_found() {
        let planned = vec![unit(-1, Some(-2)), unit(-2, Some(-1)), unit(-3, Some(-1))];
        assert_eq!(cycles(&planned, &[]), vec![-1, -2]);
    }
}
