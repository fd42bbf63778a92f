//! The checker that reads along: it receives each sheet's rows from the reader as they complete,
//! plans the rosters once they are all read (they are read first), checks every ledger row as it
//! arrives, and hands the valid records on in chunks, so that writing overlaps with reading.
//!
//! Records are handed on only while no error has been found. A later error still means nothing
//! is kept: the writer's transaction is rolled back, never committed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use tokio::sync::mpsc;

use super::cells::{SheetCell, SheetCells, SheetRow};
use super::columns::{self, Layout, HEADER_ROWS};
use super::org_plan::OrgPlan;
use super::people_plan::PeoplePlan;
use super::plan::{self, Existing, NearestNames, Target, Targets};
use super::read::Sink;
use super::report::{Issue, Issues, SheetPreview, SheetSummary};
use super::rosters::{Roster, ROSTERS};
use crate::ledger::catalogue::KindDef;
use crate::ledger::queries::RecordData;
use crate::ledger::record::Names;

/// Records handed to the writer at a time.
const CHUNK: usize = 2_000;

/// What the checker hands to the writer, in this order: the rosters, then records.
pub(crate) enum Batch {
    Org(Box<(OrgPlan, PeoplePlan)>),
    Records {
        /// Index of the sheet's summary.
        summary: usize,
        kind: String,
        records: Vec<RecordData>,
    },
}

/// What the checker found, once the whole file is read.
pub(crate) struct Outcome {
    /// Rosters first, then ledger sheets in workbook order.
    pub summaries: Vec<SheetSummary>,
    pub issues: Issues,
    /// The names of the sheets read, in the order read.
    pub read: Vec<String>,
    /// Sheets that are neither a kind nor a roster.
    pub ignored: Vec<String>,
    pub previews: Vec<SheetPreview>,
}

pub(crate) struct Checker {
    targets: Arc<Targets>,
    existing: Existing,
    today: NaiveDate,
    out: Option<mpsc::Sender<Batch>>,
    issues: Issues,
    summaries: Vec<SheetSummary>,
    ignored: Vec<String>,
    read: Vec<String>,
    rosters: HashMap<Roster, SheetCells>,
    /// Set once the rosters are planned.
    names: Option<Names>,
    /// The ledger sheet being read.
    ledger: Option<LedgerSheet>,
    nearest: NearestNames,
    previews: Vec<SheetPreview>,
    /// Rows read so far, for a caller showing progress.
    progress: Option<Arc<AtomicU64>>,
}

struct LedgerSheet {
    kind: KindDef,
    summary: usize,
    /// The first rows, kept until the header row is found among them.
    head: Vec<(u32, Vec<SheetCell>)>,
    /// `Some(None)`: the header was looked for and the sheet cannot be read.
    layout: Option<Option<Layout>>,
    records: Vec<RecordData>,
}

impl Checker {
    pub fn new(
        targets: Arc<Targets>,
        existing: Existing,
        today: NaiveDate,
        out: mpsc::Sender<Batch>,
        progress: Option<Arc<AtomicU64>>,
    ) -> Checker {
        Checker {
            targets,
            existing,
            today,
            out: Some(out),
            issues: Issues::default(),
            summaries: Vec::new(),
            ignored: Vec::new(),
            read: Vec::new(),
            rosters: HashMap::new(),
            names: None,
            ledger: None,
            nearest: NearestNames::default(),
            previews: Vec::new(),
            progress,
        }
    }

    pub fn finish(mut self) -> Outcome {
        self.plan_rosters();
        Outcome {
            summaries: self.summaries,
            issues: self.issues,
            read: self.read,
            ignored: self.ignored,
            previews: self.previews,
        }
    }

    /// Plans the rosters read so far (all of them: they are read first) and hands them on.
    fn plan_rosters(&mut self) {
        if self.names.is_some() {
            return;
        }
        let planned =
            plan::plan_rosters(&self.rosters, &self.existing, self.today, &mut self.issues);
        self.names = Some(planned.names(&self.existing));
        self.summaries.extend(planned.summaries);
        self.rosters.clear();
        if self.issues.errors.is_empty() {
            send(
                &mut self.out,
                Batch::Org(Box::new((planned.org, planned.people))),
            );
        }
    }

    /// Decides the header of the current ledger sheet from the rows kept, then checks those rows.
    fn settle_header(&mut self) {
        let Some(sheet) = self.ledger.as_mut() else {
            return;
        };
        if sheet.layout.is_some() {
            return;
        }
        let name = &self.summaries[sheet.summary].sheet;
        let head = std::mem::take(&mut sheet.head);
        let rows: Vec<SheetRow<'_>> = head
            .iter()
            .map(|(index, cells)| SheetRow {
                index: *index,
                cells,
            })
            .collect();
        sheet.layout = Some(columns::layout_of(
            name,
            &rows,
            &sheet.kind,
            &mut self.issues,
        ));
        for row in rows {
            self.check(row);
        }
    }

    fn check(&mut self, row: SheetRow<'_>) {
        let (Some(sheet), Some(names)) = (self.ledger.as_mut(), self.names.as_ref()) else {
            return;
        };
        let Some(Some(layout)) = &sheet.layout else {
            return;
        };
        if !layout.is_data(&row) {
            return;
        }
        // The preview shows what was read, not the text of the cell.
        if let Some(preview) = self.previews.last_mut() {
            for (i, field) in sheet.kind.fields.iter().enumerate() {
                let Some(col) = layout.columns[i] else {
                    continue;
                };
                if let Ok(Some(v)) = layout.parse("", &row, i, field) {
                    preview.read_as(row.index, col, v.display());
                }
            }
        }
        let summary = &mut self.summaries[sheet.summary];
        summary.rows += 1;
        // A kind the catalogue closed takes no rows: the sheet is refused once, at its first
        // row, with the catalogue's message; an empty sheet of it (the template) passes.
        if let Some(message) = &sheet.kind.closed {
            if summary.rows == 1 {
                let why = format!("本表不再导入：{message}");
                self.issues.error(Issue::sheet(&summary.sheet, why));
            }
            return;
        }
        let record = plan::ledger_row(
            &summary.sheet,
            &sheet.kind,
            layout,
            &plan::Against {
                names,
                today: self.today,
            },
            &row,
            &mut self.issues,
            &mut self.nearest,
        );
        // After the first error nothing will be written: stop handing records on.
        if let Some(record) = record.filter(|_| self.issues.errors.is_empty()) {
            sheet.records.push(record);
            if sheet.records.len() >= CHUNK {
                let batch = Batch::Records {
                    summary: sheet.summary,
                    kind: sheet.kind.id.clone(),
                    records: std::mem::take(&mut sheet.records),
                };
                send(&mut self.out, batch);
            }
        }
    }
}

impl Sink for Checker {
    fn choose(&mut self, names: Vec<String>) -> Vec<String> {
        let mut rosters = Vec::new();
        let mut ledgers = Vec::new();
        for name in names {
            match self.targets.find(&name) {
                Some(Target::Roster(def)) => {
                    let order = ROSTERS.iter().position(|r| r.roster == def.roster);
                    rosters.push((order, name));
                }
                Some(Target::Kind(_)) => ledgers.push(name),
                None if super::template::is_own_sheet(&name) => {}
                None => self.ignored.push(name),
            }
        }
        // Rosters first, in dependency order (a stable sort keeps a duplicate after its first).
        rosters.sort_by_key(|(order, _)| *order);
        rosters.into_iter().map(|(_, n)| n).chain(ledgers).collect()
    }

    fn begin(&mut self, sheet: &str) -> bool {
        self.read.push(sheet.to_owned());
        self.previews.push(SheetPreview {
            sheet: sheet.to_owned(),
            rows: Vec::new(),
        });
        let kind = match self.targets.find(sheet) {
            Some(Target::Kind(kind)) => kind.clone(),
            // Rosters are planned from their whole sheets, once all are read.
            _ => return true,
        };
        self.plan_rosters();
        self.summaries.push(SheetSummary {
            sheet: sheet.to_owned(),
            kind: kind.id.clone(),
            ..SheetSummary::default()
        });
        self.ledger = Some(LedgerSheet {
            kind,
            summary: self.summaries.len() - 1,
            head: Vec::new(),
            layout: None,
            records: Vec::new(),
        });
        // Ledger rows are checked as they come; the error workbook reads the file again.
        false
    }

    fn row(&mut self, row: SheetRow<'_>) {
        if let Some(preview) = self.previews.last_mut() {
            preview.take(&row);
        }
        if let Some(progress) = &self.progress {
            progress.fetch_add(1, Ordering::Relaxed);
        }
        let Some(sheet) = self.ledger.as_mut() else {
            return;
        };
        if sheet.layout.is_none() {
            sheet.head.push((row.index, row.cells.to_vec()));
            if sheet.head.len() >= HEADER_ROWS {
                self.settle_header();
            }
            return;
        }
        self.check(row);
    }

    fn end(&mut self, grid: SheetCells) {
        if self.ledger.is_some() {
            self.settle_header();
            if let Some(sheet) = self.ledger.take() {
                if !sheet.records.is_empty() && self.issues.errors.is_empty() {
                    let batch = Batch::Records {
                        summary: sheet.summary,
                        kind: sheet.kind.id,
                        records: sheet.records,
                    };
                    send(&mut self.out, batch);
                }
            }
            return;
        }
        let Some(Target::Roster(def)) = self.targets.find(&grid.name) else {
            return;
        };
        if let Some(first) = self.rosters.get(&def.roster) {
            let message = format!("与工作表“{}”都是{}，请合并为一张表", first.name, def.sheet);
            self.issues.error(Issue::sheet(&grid.name, message));
        } else {
            self.rosters.insert(def.roster, grid);
        }
    }
}

/// Hands a batch to the writer; a writer that has stopped (a database error) takes no more.
fn send(out: &mut Option<mpsc::Sender<Batch>>, batch: Batch) {
    if let Some(sender) = out {
        if sender.blocking_send(batch).is_err() {
            *out = None;
        }
    }
}
