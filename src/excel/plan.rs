//! What a workbook's sheets are imported as, and the checks of rosters and ledger rows: rosters
//! first, in dependency order (企业名录, 组织架构, 党员花名册, 人员名册), then ledger rows, whose
//! unit and enterprise names resolve against the park and against the rosters of the workbook.
//!
//! Pure: the park's current state comes in as [`Existing`], nothing is read or written here.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::cells::{SheetCells, SheetRow};
use super::columns::{field_index, Layout};
use super::org_plan::{self, OrgPlan, Planned};
use super::people_plan::{PeoplePlan, Planner};
use super::report::{Issue, Issues, SheetSummary};
use super::roster_sheet::RosterSheet;
use super::rosters::{self, Roster, RosterDef, ROSTERS};
use super::ExcelError;
use crate::ledger::attendance::{Member, Roster as MemberRoster};
use crate::ledger::catalogue::{header_key, FieldType, KindDef};
use crate::ledger::queries::RecordData;
use crate::ledger::record::{self, Names};
use crate::ledger::value::Value;
use crate::org::{Enterprise, Person, Position, Unit};

/// The park's organisation as it stands before the import.
#[derive(Debug)]
pub(crate) struct Existing {
    pub units: Vec<Unit>,
    pub enterprises: Vec<Enterprise>,
    pub people: Vec<Person>,
    /// The blind index of each of `people`'s ID numbers, as stored.
    pub people_index: Vec<Option<String>>,
    /// How a row's ID number becomes its blind index.
    pub id_index: crate::crypto::ParkIndex,
    /// Open posts only.
    pub positions: Vec<Position>,
}

/// What a sheet is imported as.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target<'k> {
    Roster(&'static RosterDef),
    Kind(&'k KindDef),
}

/// The sheets an import looks for: every kind and roster, or only the one `--kind` names.
pub(crate) struct Targets {
    kinds: Vec<KindDef>,
    only: Option<Only>,
}

#[derive(Clone, Copy)]
enum Only {
    Roster(&'static RosterDef),
    Kind(usize),
}

impl Targets {
    /// `only` names a kind by id or sheet (`meeting`, `会议台账`) or a roster (`members`, `党员花名册`).
    pub fn new(kinds: Vec<KindDef>, only: Option<&str>) -> Result<Targets, ExcelError> {
        let only = match only.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(name) => {
                let wanted = header_key(name);
                let kind = kinds
                    .iter()
                    .position(|k| k.id == name || header_key(&k.sheet) == wanted);
                match (kind, rosters::by_name(name)) {
                    (Some(i), _) => Some(Only::Kind(i)),
                    (None, Some(r)) => Some(Only::Roster(r)),
                    (None, None) => {
                        let known = ROSTERS
                            .iter()
                            .map(|r| (r.id, r.sheet))
                            .chain(kinds.iter().map(|k| (k.id.as_str(), k.sheet.as_str())))
                            .map(|(id, sheet)| format!("{id}（{sheet}）"))
                            .collect::<Vec<_>>()
                            .join("、");
                        return Err(ExcelError::UnknownKind {
                            name: name.to_owned(),
                            known,
                        });
                    }
                }
            }
        };
        Ok(Targets { kinds, only })
    }

    /// What the sheet named `sheet` is imported as, if anything.
    pub fn find(&self, sheet: &str) -> Option<Target<'_>> {
        let found = match rosters::by_sheet(sheet) {
            Some(r) => Some(Target::Roster(r)),
            None => {
                let wanted = header_key(sheet);
                self.kinds
                    .iter()
                    .find(|k| header_key(&k.sheet) == wanted)
                    .map(Target::Kind)
            }
        };
        match (self.only, found) {
            (None, found) => found,
            (Some(Only::Roster(r)), Some(Target::Roster(f))) if r.id == f.id => found,
            (Some(Only::Kind(i)), Some(Target::Kind(k))) if k.id == self.kinds[i].id => found,
            _ => None,
        }
    }

    /// The sheet name a CSV file stands for: the one `--kind` names, or the file's own name.
    pub fn csv_sheet(&self, file_name: &str) -> Result<String, ExcelError> {
        match self.only {
            Some(Only::Kind(i)) => return Ok(self.kinds[i].sheet.clone()),
            Some(Only::Roster(r)) => return Ok(r.sheet.to_owned()),
            None => {}
        }
        let stem = std::path::Path::new(file_name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        match self.find(stem) {
            Some(_) => Ok(stem.to_owned()),
            None => Err(ExcelError::CsvNeedsKind),
        }
    }
}

/// The rosters of a workbook, checked and planned.
#[derive(Debug, Default)]
pub(crate) struct RosterPlan {
    pub org: OrgPlan,
    pub people: PeoplePlan,
    /// One per roster sheet, in import order.
    pub summaries: Vec<SheetSummary>,
}

/// Checks and plans the roster sheets, in dependency order. `grids` holds the roster sheets read.
pub(crate) fn plan_rosters(
    grids: &HashMap<Roster, SheetCells>,
    existing: &Existing,
    today: NaiveDate,
    issues: &mut Issues,
) -> RosterPlan {
    let mut p = RosterPlan::default();
    let open = |roster: Roster, issues: &mut Issues| {
        let def = ROSTERS.iter().find(|r| r.roster == roster)?;
        RosterSheet::open(grids.get(&roster)?, def, issues)
    };
    let enterprises = open(Roster::Enterprises, issues);
    let units = open(Roster::Units, issues);
    let members = open(Roster::Members, issues);
    let staff = open(Roster::Staff, issues);

    org_plan::plan_enterprises(
        enterprises.as_ref(),
        &existing.enterprises,
        &mut p.org,
        issues,
    );
    org_plan::plan_units(units.as_ref(), &existing.units, &mut p.org, issues);
    let mut planner = Planner::new(
        &existing.people,
        (&existing.people_index, &existing.id_index),
        &existing.positions,
        today,
    );
    let mut people_summaries = Vec::new();
    for sheet in [&members, &staff].into_iter().flatten() {
        let mut summary = sheet.summary();
        summary.rows = sheet.layout.data_rows(sheet.grid).count();
        match sheet.def.roster {
            Roster::Members => planner.members(sheet, &p.org, &mut summary, issues),
            _ => planner.staff(sheet, &p.org, &mut summary, issues),
        }
        summary.imported = summary.created + summary.updated;
        people_summaries.push(summary);
    }
    planner.link_leaders(&mut p.org);
    p.people = planner.plan;

    if let Some(sheet) = &enterprises {
        p.summaries.push(org_summary(
            sheet,
            &p.org.enterprises,
            org_plan::same_enterprise,
        ));
    }
    if let Some(sheet) = &units {
        p.summaries
            .push(org_summary(sheet, &p.org.units, org_plan::same_unit));
    }
    p.summaries.extend(people_summaries);
    p
}

impl RosterPlan {
    /// The names ledger rows may use: the park's and the rosters' (placeholder ids below zero).
    pub fn names(&self, existing: &Existing) -> Names {
        Names {
            units: self.org.unit_ids.clone(),
            enterprises: self.org.enterprise_ids.clone(),
            people: HashMap::new(),
            roster: self.roster(existing),
        }
    }

    /// The party members a meeting's attendance may name: the park's, as this workbook's roster
    /// sheets leave them (a member moved or added by the 党员 sheet counts where it puts them).
    fn roster(&self, existing: &Existing) -> MemberRoster {
        let mut parents: HashMap<i64, i64> = existing
            .units
            .iter()
            .filter_map(|u| Some((u.id, u.parent_id?)))
            .collect();
        for u in &self.org.units {
            if let Some(parent) = u.after.parent_id {
                parents.insert(u.after.id, parent);
            }
        }
        let planned: HashMap<i64, &Person> = self
            .people
            .people
            .iter()
            .filter(|p| p.before.is_some())
            .map(|p| (p.after.id, &p.after))
            .collect();
        let member = |p: &Person| {
            Some(Member {
                id: p.id,
                name: p.name.clone(),
                unit_id: p.unit_id.filter(|_| p.is_member)?,
            })
        };
        let members = existing
            .people
            .iter()
            .map(|p| planned.get(&p.id).copied().unwrap_or(p))
            .chain(
                self.people
                    .people
                    .iter()
                    .filter(|p| p.before.is_none())
                    .map(|p| &p.after),
            )
            .filter_map(member)
            .collect();
        MemberRoster::new(members, parents)
    }
}

fn org_summary<T>(
    sheet: &RosterSheet<'_>,
    planned: &[Planned<T>],
    same: fn(&T, &T) -> bool,
) -> SheetSummary {
    let mut summary = sheet.summary();
    summary.rows = sheet.layout.data_rows(sheet.grid).count();
    for p in planned {
        match &p.before {
            None => summary.created += 1,
            Some(before) if !same(before, &p.after) => summary.updated += 1,
            Some(_) => summary.skipped += 1,
        }
    }
    summary.imported = summary.created + summary.updated;
    summary
}

/// Validates one data row of a ledger sheet with `record::validate`, the path every face uses;
/// reports its errors with their cells and returns what to store when there are none.
/// The nearest known name of each unknown one, computed once per name: a misspelt unit tends to
/// be misspelt the same way in every row.
#[derive(Debug, Default)]
pub(crate) struct NearestNames(HashMap<(FieldType, String), Option<String>>);

impl NearestNames {
    fn get(
        &mut self,
        field_type: FieldType,
        name: &str,
        known: &HashMap<String, i64>,
    ) -> Option<String> {
        self.0
            .entry((field_type, name.to_owned()))
            .or_insert_with(|| crate::org::nearest(name, known.keys().map(String::as_str)))
            .clone()
    }
}

/// What a ledger row is checked against: the park's rosters and its day.
pub(crate) struct Against<'a> {
    pub names: &'a Names,
    pub today: chrono::NaiveDate,
}

pub(crate) fn ledger_row(
    sheet: &str,
    kind: &KindDef,
    layout: &Layout,
    against: &Against<'_>,
    row: &SheetRow<'_>,
    issues: &mut Issues,
    nearest: &mut NearestNames,
) -> Option<RecordData> {
    let (names, today) = (against.names, against.today);
    let reported = layout.error_cells(sheet, row, issues);
    let checked = record::validate(
        kind,
        |field| layout.raw(row, field_index(kind, field)),
        names,
    );
    let errors = match checked {
        Ok(data) => {
            // Every rule the row breaks, at the cell of its field, with both values.
            let stored: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&data.fields).unwrap_or_default();
            let mut refused = false;
            for v in crate::ledger::plausibility::violations(kind, &stored, today) {
                let i = kind.fields.iter().position(|f| f.key == v.rule.field);
                let issue = match i {
                    Some(i) => layout.issue(sheet, row, i).with(v.message.clone()),
                    None => Issue::row(sheet, row.index, None).with(v.message.clone()),
                };
                if v.refuses() {
                    refused = true;
                    issues.error(issue);
                } else {
                    issues.warn(issue);
                }
            }
            return (reported.is_empty() && !refused).then_some(data);
        }
        Err(errors) => errors,
    };
    for e in errors {
        let Some(i) = kind.fields.iter().position(|f| f.key == e.field) else {
            issues.error(Issue::row(sheet, row.index, None).with(e.message));
            continue;
        };
        if reported.contains(&i) {
            continue;
        }
        let field = &kind.fields[i];
        // Parse again for the structured reason: the nearest choice or name.
        let issue = match layout.parse(sheet, row, i, field) {
            Err(issue) => *issue,
            Ok(Some(Value::Text(name))) if is_reference(field.field_type) => {
                let (map, what) = match field.field_type {
                    FieldType::Unit => (&names.units, "单位"),
                    _ => (&names.enterprises, "企业"),
                };
                let near = nearest.get(field.field_type, &name, map);
                layout.issue(sheet, row, i).unknown_name(what, &name, near)
            }
            Ok(_) => layout.issue(sheet, row, i).with(e.message),
        };
        issues.error(issue);
    }
    None
}

fn is_reference(t: FieldType) -> bool {
    matches!(t, FieldType::Unit | FieldType::Enterprise)
}
