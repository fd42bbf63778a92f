//! Planning the party-member roster (党员花名册) and the staff roster (人员名册).
//!
//! People have no unique name, so a row is matched to a stored person by ID number first (through
//! its blind index: the stored numbers are sealed), then by
//! name (narrowed by unit when several share it); a name that stays ambiguous is an error asking
//! for the ID number rather than a guess. A staff row naming someone of the member roster in the
//! same workbook adds a post to that person. Posts: a row's 职务 (and, for staff, 人员类型) adds a
//! post in the row's unit unless the person already holds that very post there; a different open
//! post in the same unit is closed, as an appointment does in the web UI. Tags are only added.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::org_plan::{OrgPlan, Planned};
use super::report::{Issues, SheetSummary};
use super::roster_sheet::{RosterRow, RosterSheet};
use super::rosters::split_tags;
use crate::org::{Person, Position};

#[derive(Debug, Default)]
pub(crate) struct PeoplePlan {
    /// `after.id` is the stored id, or a placeholder below zero for a new person.
    pub people: Vec<Planned<Person>>,
    pub positions: Vec<Position>,
    /// Open posts to close (ended on the import's day) because a row gives a new one.
    pub close: Vec<i64>,
}

/// Matching state over the park's stored people.
pub(crate) struct Planner<'e> {
    existing: &'e [Person],
    by_name: HashMap<&'e str, Vec<usize>>,
    /// Stored people by the blind index of their ID number.
    by_id_number: HashMap<&'e str, usize>,
    id_index: &'e crate::crypto::ParkIndex,
    open: HashMap<i64, Vec<&'e Position>>,
    entry_of_stored: HashMap<i64, usize>,
    /// Entries planned from the member roster, by name.
    members: HashMap<String, Vec<usize>>,
    next_placeholder: i64,
    today: NaiveDate,
    pub plan: PeoplePlan,
}

impl<'e> Planner<'e> {
    pub fn new(
        existing: &'e [Person],
        (indexes, id_index): (&'e [Option<String>], &'e crate::crypto::ParkIndex),
        open_positions: &'e [Position],
        today: NaiveDate,
    ) -> Self {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_id_number = HashMap::new();
        for (i, p) in existing.iter().enumerate() {
            by_name.entry(p.name.as_str()).or_default().push(i);
        }
        for (i, index) in indexes.iter().enumerate() {
            if let Some(index) = index {
                by_id_number.insert(index.as_str(), i);
            }
        }
        let mut open: HashMap<i64, Vec<&Position>> = HashMap::new();
        for pos in open_positions.iter().filter(|p| p.end_on.is_none()) {
            open.entry(pos.person_id).or_default().push(pos);
        }
        Planner {
            existing,
            by_name,
            by_id_number,
            id_index,
            open,
            entry_of_stored: HashMap::new(),
            members: HashMap::new(),
            next_placeholder: -1,
            today,
            plan: PeoplePlan::default(),
        }
    }

    pub fn members(
        &mut self,
        sheet: &RosterSheet<'_>,
        org: &OrgPlan,
        summary: &mut SheetSummary,
        issues: &mut Issues,
    ) {
        let mut seen: HashMap<String, Vec<(u32, Option<String>)>> = HashMap::new();
        let mut seen_numbers: HashMap<String, u32> = HashMap::new();
        for row in sheet.rows(issues) {
            let name = row.name().to_owned();
            if name.is_empty() {
                continue;
            }
            let id_number = row.owned("id_number");
            if let Some(n) = &id_number {
                if let Some(first) = seen_numbers.get(n) {
                    issues.error(sheet.issue(&row.row, "id_number").with(format!(
                        "身份证号与第{}行相同：一个身份证号只能属于一人",
                        first + 1
                    )));
                    continue;
                }
                seen_numbers.insert(n.clone(), row.row.index);
            }
            let earlier = seen.entry(name.clone()).or_default();
            if let Some((first, _)) = earlier
                .iter()
                .find(|(_, n)| n.is_none() || id_number.is_none() || *n == id_number)
            {
                issues.error(sheet.issue(&row.row, "name").with(format!(
                    "“{name}”与第{}行重复；同名的两人请分别填写身份证号",
                    first + 1
                )));
                continue;
            }
            earlier.push((row.row.index, id_number.clone()));
            let Ok(Some(unit)) = sheet.resolve(&row, "unit", "单位", &org.unit_ids, issues)
            else {
                continue;
            };
            if !row.ok {
                continue;
            }
            let Some((entry, new)) = self.entry(sheet, &row, id_number.as_deref(), unit, issues)
            else {
                continue;
            };
            let before = self.plan.people[entry].after.clone();
            let p = &mut self.plan.people[entry].after;
            p.gender = row.owned("gender").or(p.gender.take());
            p.id_number = id_number.or(p.id_number.take());
            p.phone = row.owned("phone").or(p.phone.take());
            p.unit_id = Some(unit);
            p.is_member = true;
            p.member_type = row.owned("member_type").or(p.member_type.take());
            p.joined_on = row.joined_on.or(p.joined_on);
            let person_id = p.id;
            self.members.entry(name).or_default().push(entry);
            let posted = match row.get("title") {
                Some(title) => self.post(person_id, unit, title, None),
                None => false,
            };
            self.count(entry, new, &before, posted, summary);
        }
    }

    pub fn staff(
        &mut self,
        sheet: &RosterSheet<'_>,
        org: &OrgPlan,
        summary: &mut SheetSummary,
        issues: &mut Issues,
    ) {
        let mut seen: HashMap<String, u32> = HashMap::new();
        for row in sheet.rows(issues) {
            let name = row.name().to_owned();
            if name.is_empty() {
                continue;
            }
            if let Some(first) = seen.get(&name) {
                issues.error(sheet.issue(&row.row, "name").with(format!(
                    "“{name}”与第{}行重复，同一人只能出现一次",
                    first + 1
                )));
                continue;
            }
            seen.insert(name.clone(), row.row.index);
            let Ok(Some(unit)) = sheet.resolve(&row, "unit", "单位", &org.unit_ids, issues)
            else {
                continue;
            };
            if !row.ok {
                continue;
            }
            let entry = match self.members.get(&name).map(Vec::as_slice) {
                Some([one]) => Some((*one, false)),
                Some(_) => {
                    issues.error(
                        sheet
                            .issue(&row.row, "name")
                            .with(format!("党员花名册中有多位“{name}”，无法确定是哪一位")),
                    );
                    None
                }
                None => self.entry(sheet, &row, None, unit, issues),
            };
            let Some((entry, new)) = entry else { continue };
            let before = self.plan.people[entry].after.clone();
            let p = &mut self.plan.people[entry].after;
            let mut tags = split_tags(&p.tags);
            for tag in split_tags(row.get("tags").unwrap_or_default()) {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            p.tags = tags.join(",");
            if !p.is_member {
                p.unit_id = Some(unit);
            }
            let person_id = p.id;
            let staff_type = row.owned("staff_type");
            let title = row.get("title");
            let posted = if staff_type.is_some() || title.is_some() {
                self.post(person_id, unit, title.unwrap_or_default(), staff_type)
            } else {
                false
            };
            self.count(entry, new, &before, posted, summary);
        }
    }

    /// The entry of the person a row names, and whether the row creates that person.
    fn entry(
        &mut self,
        sheet: &RosterSheet<'_>,
        row: &RosterRow<'_>,
        id_number: Option<&str>,
        unit: i64,
        issues: &mut Issues,
    ) -> Option<(usize, bool)> {
        let name = row.name();
        let index = id_number.map(|n| self.id_index.of(n));
        let stored = match index.and_then(|i| self.by_id_number.get(i.as_str()).copied()) {
            Some(i) => Some(i),
            None => {
                // A stored person with another ID number is someone else of the same name.
                let candidates: Vec<usize> = self
                    .by_name
                    .get(name)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&i| id_number.is_none() || self.existing[i].id_number.is_none())
                    .collect();
                match candidates.as_slice() {
                    [] => None,
                    [one] => Some(*one),
                    several => {
                        let here: Vec<usize> = several
                            .iter()
                            .copied()
                            .filter(|&i| self.in_unit(&self.existing[i], unit))
                            .collect();
                        if let [one] = here.as_slice() {
                            Some(*one)
                        } else {
                            issues.error(sheet.issue(&row.row, "name").with(format!(
                                "园区中已有 {} 位名为“{name}”的人员，无法确定是哪一位；请在党员花名册中填写身份证号",
                                several.len()
                            )));
                            return None;
                        }
                    }
                }
            }
        };
        let Some(i) = stored else {
            let id = self.next_placeholder;
            self.next_placeholder -= 1;
            self.plan.people.push(Planned {
                after: Person {
                    id,
                    name: name.to_owned(),
                    gender: None,
                    id_number: None,
                    phone: None,
                    unit_id: Some(unit),
                    is_member: false,
                    member_type: None,
                    joined_on: None,
                    tags: String::new(),
                },
                before: None,
                row: row.row.index,
            });
            return Some((self.plan.people.len() - 1, true));
        };
        let person = &self.existing[i];
        if let Some(&entry) = self.entry_of_stored.get(&person.id) {
            return Some((entry, false));
        }
        self.plan.people.push(Planned {
            after: person.clone(),
            before: Some(person.clone()),
            row: row.row.index,
        });
        let entry = self.plan.people.len() - 1;
        self.entry_of_stored.insert(person.id, entry);
        Some((entry, false))
    }

    fn in_unit(&self, person: &Person, unit: i64) -> bool {
        person.unit_id == Some(unit)
            || self
                .open
                .get(&person.id)
                .is_some_and(|posts| posts.iter().any(|p| p.unit_id == unit))
    }

    /// Plans a post; returns false when the person already holds exactly this post.
    fn post(&mut self, person: i64, unit: i64, title: &str, staff_type: Option<String>) -> bool {
        let same =
            |p: &Position| p.unit_id == unit && p.title == title && p.staff_type == staff_type;
        let held = self
            .open
            .get(&person)
            .into_iter()
            .flatten()
            .any(|p| same(p));
        let planned = self
            .plan
            .positions
            .iter()
            .any(|p| p.person_id == person && same(p));
        if held || planned {
            return false;
        }
        let mut replaces = false;
        for p in self.open.get(&person).into_iter().flatten() {
            if p.unit_id == unit && !self.plan.close.contains(&p.id) {
                self.plan.close.push(p.id);
                replaces = true;
            }
        }
        // A roster says who holds a post, not since when: a first post has no known start (it
        // counts for every year), while a post that replaces another starts with the change.
        self.plan.positions.push(Position {
            id: 0,
            person_id: person,
            unit_id: unit,
            title: title.to_owned(),
            staff_type,
            start_on: replaces.then_some(self.today),
            end_on: None,
        });
        true
    }

    fn count(
        &self,
        entry: usize,
        new: bool,
        before: &Person,
        posted: bool,
        summary: &mut SheetSummary,
    ) {
        if new {
            summary.created += 1;
        } else if posted || !same_person(before, &self.plan.people[entry].after) {
            summary.updated += 1;
        } else {
            summary.skipped += 1;
        }
    }

    /// Links each enterprise's paired leader (包联领导) to the person of that name, where exactly
    /// one person of the park or of the workbook bears it.
    pub fn link_leaders(&self, org: &mut OrgPlan) {
        for e in &mut org.enterprises {
            let Some(leader) = e.after.leader_name.clone() else {
                continue;
            };
            if e.after.leader_person_id.is_some() {
                continue;
            }
            let planned: Vec<i64> = self
                .plan
                .people
                .iter()
                .filter(|p| p.after.name == leader)
                .map(|p| p.after.id)
                .collect();
            let stored: Vec<i64> = self
                .by_name
                .get(leader.as_str())
                .into_iter()
                .flatten()
                .map(|&i| self.existing[i].id)
                .filter(|id| !planned.contains(id))
                .collect();
            if let [one] = [planned, stored].concat().as_slice() {
                e.after.leader_person_id = Some(*one);
            }
        }
    }
}

/// Whether two people hold the same stored values.
pub(crate) fn same_person(a: &Person, b: &Person) -> bool {
    (
        &a.name,
        &a.gender,
        &a.id_number,
        &a.phone,
        a.unit_id,
        a.is_member,
        &a.member_type,
        a.joined_on,
        &a.tags,
    ) == (
        &b.name,
        &b.gender,
        &b.id_number,
        &b.phone,
        b.unit_id,
        b.is_member,
        &b.member_type,
        b.joined_on,
        &b.tags,
    )
}
