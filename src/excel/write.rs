//! Writing what the checker hands on, in one transaction: enterprises, units (parents first),
//! people, posts, then the records in multi-row inserts (`ledger::bulk`), and one audit entry for
//! the whole import. Placeholder ids (below zero) of new roster entries are replaced by the ids
//! the database gives them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::org_plan::{same_enterprise, same_unit, OrgPlan};
use super::people_plan::{same_person, PeoplePlan};
use super::queries;
use super::report::SheetSummary;
use super::stream::Batch;
use super::ExcelError;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::ledger::bulk;
use crate::ledger::queries::RecordData;
use crate::org::queries as org;

/// What the audit entry says about the file.
pub(crate) struct FileFacts<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
}

/// Receives the checker's batches and writes them in one transaction (or, in a dry run, only
/// counts the duplicates). Dropping it without [`Writer::finish`] rolls everything back.
pub(crate) struct Writer<'d> {
    db: &'d Db,
    park_id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
    /// `None` in a dry run.
    tx: Option<Tx>,
    ids: Ids,
    /// Per kind, the date and fields of the records already stored.
    stored: HashMap<String, HashMap<NaiveDate, HashSet<String>>>,
    /// Per sheet summary: records written (or writable) and duplicates skipped.
    counts: HashMap<usize, (usize, usize)>,
    /// The highest record id before this import wrote any.
    before: Option<i64>,
    /// The connection's page cache size before the import widened it (SQLite).
    cache: Option<i64>,
}

impl<'d> Writer<'d> {
    /// Starts the transaction, unless this is a dry run.
    pub async fn begin(
        db: &'d Db,
        park_id: i64,
        by: Option<i64>,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<Writer<'d>, ExcelError> {
        let (tx, cache) = if dry_run {
            (None, None)
        } else {
            let mut tx = db.begin().await?;
            let cache = bulk::widen_cache(&mut tx).await?;
            (Some(tx), cache)
        };
        Ok(Writer {
            db,
            park_id,
            by,
            now,
            tx,
            ids: Ids::default(),
            stored: HashMap::new(),
            counts: HashMap::new(),
            before: None,
            cache,
        })
    }

    pub async fn accept(&mut self, batch: Batch) -> Result<(), ExcelError> {
        match batch {
            Batch::Org(plan) => {
                let (org, people) = *plan;
                if let Some(tx) = &mut self.tx {
                    write_org(tx, self.park_id, &org, &people, &mut self.ids, self.now).await?;
                }
            }
            Batch::Records {
                summary,
                kind,
                mut records,
            } => {
                if !self.stored.contains_key(&kind) {
                    let keys = self.load_keys(&kind).await?;
                    self.stored.insert(kind.clone(), keys);
                }
                let skipped = match self.stored.get(&kind) {
                    Some(stored) => drop_duplicates(&mut records, stored),
                    None => 0,
                };
                if let Some(tx) = &mut self.tx {
                    for r in &mut records {
                        r.unit_id = r.unit_id.map(|id| self.ids.unit(id)).transpose()?;
                        r.enterprise_id = r
                            .enterprise_id
                            .map(|id| self.ids.enterprise(id))
                            .transpose()?;
                    }
                    if self.before.is_none() {
                        self.before = Some(queries::max_record_id(tx, self.park_id).await?);
                    }
                    bulk::insert_records(tx, self.park_id, &records, self.by, self.now).await?;
                }
                let count = self.counts.entry(summary).or_default();
                count.0 += records.len();
                count.1 += skipped;
            }
        }
        Ok(())
    }

    /// Fills in the counts; unless a dry run, writes the audit entry and commits. Returns the
    /// first and last id of the records written.
    pub async fn finish(
        self,
        summaries: &mut [SheetSummary],
        actor: &Actor,
        file: FileFacts<'_>,
    ) -> Result<Option<[i64; 2]>, ExcelError> {
        for (&i, &(imported, skipped)) in &self.counts {
            if let Some(s) = summaries.get_mut(i) {
                s.imported = imported;
                s.skipped = skipped;
            }
        }
        let Some(mut tx) = self.tx else {
            return Ok(None);
        };
        let range = match self.before {
            Some(before) => queries::written_range(&mut tx, self.park_id, before, self.now).await?,
            None => None,
        };
        let after = serde_json::json!({
            "file": file.name,
            "sha256": file.sha256,
            "sheets": summaries.iter().map(audit_counts).collect::<Vec<_>>(),
            "record_ids": range,
        });
        audit::record(
            &mut tx,
            self.park_id,
            actor,
            self.now,
            Change {
                action: "import",
                entity: "park",
                entity_id: Some(self.park_id),
                before: None,
                after: Some(after),
            },
        )
        .await?;
        bulk::narrow_cache(&mut tx, self.cache).await?;
        tx.commit().await?;
        Ok(range)
    }

    /// Rolls everything back (dropping the transaction), leaving the connection's cache size as
    /// it was found. A writer dropped without this, on a database error, rolls back the same
    /// but leaves the larger cache on its pooled connection.
    pub async fn abandon(self) {
        if let Some(mut tx) = self.tx {
            // Best effort: the rollback does not depend on it.
            let _ = bulk::narrow_cache(&mut tx, self.cache).await;
        }
    }

    /// What a duplicate of `kind` matches: read inside the transaction, so that two imports of
    /// one file at once cannot both pass the check.
    async fn load_keys(
        &mut self,
        kind: &str,
    ) -> Result<HashMap<NaiveDate, HashSet<String>>, ExcelError> {
        let rows = match &mut self.tx {
            Some(tx) => queries::record_keys_in(tx, self.park_id, kind).await?,
            None => queries::record_keys(self.db, self.park_id, kind).await?,
        };
        let mut stored: HashMap<NaiveDate, HashSet<String>> = HashMap::new();
        for (date, fields) in rows {
            stored.entry(date).or_default().insert(fields);
        }
        Ok(stored)
    }
}

/// Removes the records identical (same date, same fields) to one already stored; returns how
/// many. Rows of the file are never compared with each other: two equal rows may be two events.
fn drop_duplicates(
    records: &mut Vec<RecordData>,
    stored: &HashMap<NaiveDate, HashSet<String>>,
) -> usize {
    if stored.is_empty() {
        return 0;
    }
    let before = records.len();
    records.retain(|r| {
        !stored
            .get(&r.occurred_on)
            .is_some_and(|set| set.contains(r.fields.as_str()))
    });
    before - records.len()
}

fn audit_counts(s: &SheetSummary) -> serde_json::Value {
    serde_json::json!({
        "sheet": s.sheet,
        "kind": s.kind,
        "imported": s.imported,
        "skipped": s.skipped,
        "created": s.created,
        "updated": s.updated,
    })
}

/// Placeholder ids of new roster entries and the ids they were stored under.
#[derive(Default)]
struct Ids {
    units: HashMap<i64, i64>,
    enterprises: HashMap<i64, i64>,
    people: HashMap<i64, i64>,
}

impl Ids {
    fn unit(&self, id: i64) -> Result<i64, ExcelError> {
        real(&self.units, id)
    }

    fn enterprise(&self, id: i64) -> Result<i64, ExcelError> {
        real(&self.enterprises, id)
    }

    fn person(&self, id: i64) -> Result<i64, ExcelError> {
        real(&self.people, id)
    }
}

fn real(map: &HashMap<i64, i64>, id: i64) -> Result<i64, ExcelError> {
    if id > 0 {
        return Ok(id);
    }
    // The plan orders entries so that every placeholder is stored before it is referred to.
    map.get(&id)
        .copied()
        .ok_or_else(|| ExcelError::Internal(format!("未知的临时编号 {id}")))
}

async fn write_org(
    tx: &mut Tx,
    park_id: i64,
    org_plan: &OrgPlan,
    people: &PeoplePlan,
    ids: &mut Ids,
    now: DateTime<Utc>,
) -> Result<(), ExcelError> {
    let today = crate::calendar::today(now);
    for e in &org_plan.enterprises {
        let mut row = e.after.clone();
        // A leader who is new in this file is linked once the people are stored.
        row.leader_person_id = row.leader_person_id.filter(|&id| id > 0);
        match &e.before {
            None => {
                let id = org::insert_enterprise(tx, park_id, &row, now).await?;
                ids.enterprises.insert(row.id, id);
            }
            Some(b) if !same_enterprise(b, &e.after) => {
                org::update_enterprise(tx, park_id, &row).await?;
            }
            Some(_) => {}
        }
    }
    for u in &org_plan.units {
        let mut row = u.after.clone();
        row.parent_id = row.parent_id.map(|id| ids.unit(id)).transpose()?;
        row.enterprise_id = row.enterprise_id.map(|id| ids.enterprise(id)).transpose()?;
        match &u.before {
            None => {
                let id = org::insert_unit(tx, park_id, &row, now).await?;
                ids.units.insert(u.after.id, id);
            }
            Some(b) if !same_unit(b, &u.after) => org::update_unit(tx, park_id, &row).await?,
            Some(_) => {}
        }
    }
    for p in &people.people {
        let mut row = p.after.clone();
        row.unit_id = row.unit_id.map(|id| ids.unit(id)).transpose()?;
        match &p.before {
            None => {
                let id = org::insert_person(tx, park_id, &row, now).await?;
                ids.people.insert(p.after.id, id);
            }
            Some(b) if !same_person(b, &p.after) => org::update_person(tx, park_id, &row).await?,
            Some(_) => {}
        }
    }
    for &id in &people.close {
        org::end_position(tx, park_id, id, today).await?;
    }
    for pos in &people.positions {
        let mut row = pos.clone();
        row.person_id = ids.person(row.person_id)?;
        row.unit_id = ids.unit(row.unit_id)?;
        org::insert_position(tx, park_id, &row).await?;
    }
    for e in &org_plan.enterprises {
        if let Some(person) = e.after.leader_person_id.filter(|&id| id < 0) {
            let enterprise = ids.enterprise(e.after.id)?;
            queries::set_enterprise_leader(tx, park_id, enterprise, ids.person(person)?).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(day: u32, fields: &str) -> RecordData {
        RecordData {
            kind: "meeting".into(),
            occurred_on: NaiveDate::from_ymd_opt(2025, 3, day).unwrap(),
            unit_id: None,
            enterprise_id: None,
            title: String::new(),
            fields: fields.into(),
            search_text: String::new(),
        }
    }

    #[test]
    fn only_stored_twins_are_dropped() {
        let mut records = vec![
            record(1, "{\"a\":1}"),
            record(1, "{\"a\":1}"),
            record(2, "{\"a\":1}"),
        ];
        let mut stored: HashMap<NaiveDate, HashSet<String>> = HashMap::new();
        stored
            .entry(NaiveDate::from_ymd_opt(2025, 3, 2).unwrap())
            .or_default()
            .insert("{\"a\":1}".to_owned());
        assert_eq!(drop_duplicates(&mut records, &stored), 1);
        assert_eq!(records.len(), 2, "two equal rows of one file both stay");
    }
}
