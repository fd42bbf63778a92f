//! Reading one roster sheet row by row: each column through `value::parse` with the roster's
//! field definition, then through the identifier checks of `org::ids` where the column has one.

use std::collections::HashMap;

use super::cells::{self, SheetCells, SheetRow};
use super::columns::{self, Layout};
use super::report::{Issue, Issues, SheetSummary};
use super::rosters::{Check, RosterDef};
use crate::ledger::catalogue::KindDef;
use crate::ledger::value::Value;
use crate::org::ids::{CreditCode, IdError, IdNumber, Phone};

/// A roster sheet whose headers matched.
pub(crate) struct RosterSheet<'g> {
    pub grid: &'g SheetCells,
    pub def: &'static RosterDef,
    pub kind: KindDef,
    pub layout: Layout,
}

/// One row's values, by column key; absent keys were left empty or held an error.
pub(crate) struct RosterRow<'g> {
    pub row: SheetRow<'g>,
    /// False when a cell of the row was reported; the row still names what it names, so that
    /// later sheets referring to it do not repeat the error as "not found".
    pub ok: bool,
    values: HashMap<&'static str, String>,
    pub joined_on: Option<chrono::NaiveDate>,
}

impl<'g> RosterSheet<'g> {
    pub fn open(
        grid: &'g SheetCells,
        def: &'static RosterDef,
        issues: &mut Issues,
    ) -> Option<Self> {
        let kind = def.kind();
        let layout = columns::layout(grid, &kind, issues)?;
        Some(RosterSheet {
            grid,
            def,
            kind,
            layout,
        })
    }

    pub fn name(&self) -> &str {
        &self.grid.name
    }

    pub fn summary(&self) -> SheetSummary {
        SheetSummary {
            sheet: self.grid.name.clone(),
            kind: self.def.id.to_owned(),
            is_roster: true,
            ..SheetSummary::default()
        }
    }

    /// Every data row, its bad cells reported.
    pub fn rows(&self, issues: &mut Issues) -> Vec<RosterRow<'g>> {
        let grid: &'g SheetCells = self.grid;
        let mut out = Vec::new();
        for row in self.layout.data_rows(grid) {
            out.push(self.read(row, issues));
        }
        out
    }

    fn read(&self, row: SheetRow<'g>, issues: &mut Issues) -> RosterRow<'g> {
        let mut ok = true;
        let mut values = HashMap::new();
        let mut joined_on = None;
        for (i, (column, field)) in self.def.columns.iter().zip(&self.kind.fields).enumerate() {
            let sheet = self.name();
            let cell = self.layout.cell(&row, i);
            let is_identifier = matches!(column.check, Check::IdNumber | Check::CreditCode);
            if is_identifier && cells::is_numeric(cell) {
                // The digits beyond the 15th are gone already; guessing them back is not possible.
                let what = if column.check == Check::IdNumber {
                    "身份证号"
                } else {
                    "统一社会信用代码"
                };
                let e = IdError::DigitsLost { what };
                issues.error(self.layout.issue(sheet, &row, i).with(e.to_string()));
                ok = false;
                continue;
            }
            let value = match self.layout.parse(sheet, &row, i, field) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(issue) => {
                    issues.error(*issue);
                    ok = false;
                    continue;
                }
            };
            if let Value::Date(d) = value {
                joined_on = Some(d);
                continue;
            }
            let text = value.display();
            let checked = match column.check {
                Check::IdNumber => IdNumber::parse(&text).map(|v| v.as_str().to_owned()),
                Check::CreditCode => CreditCode::parse(&text).map(|v| v.as_str().to_owned()),
                Check::Phone => Phone::parse(&text).map(|v| v.as_str().to_owned()),
                Check::Tags | Check::None => Ok(text),
            };
            match checked {
                Ok(v) => {
                    values.insert(column.key, v);
                }
                Err(e) => {
                    issues.error(self.layout.issue(sheet, &row, i).with(e.to_string()));
                    ok = false;
                }
            }
        }
        RosterRow {
            row,
            ok,
            values,
            joined_on,
        }
    }

    /// An issue at column `key` of `row`.
    pub fn issue(&self, row: &SheetRow<'_>, key: &str) -> Issue {
        let i = self
            .kind
            .fields
            .iter()
            .position(|f| f.key == key)
            .unwrap_or(0);
        self.layout.issue(self.name(), row, i)
    }

    /// Resolves the name in column `key` against `names`, reporting an unknown name with the
    /// nearest known one.
    pub fn resolve(
        &self,
        row: &RosterRow<'_>,
        key: &str,
        what: &str,
        names: &HashMap<String, i64>,
        issues: &mut Issues,
    ) -> Result<Option<i64>, ()> {
        let Some(name) = row.get(key) else {
            return Ok(None);
        };
        match names.get(name) {
            Some(id) => Ok(Some(*id)),
            None => {
                let nearest = crate::org::nearest(name, names.keys().map(String::as_str));
                issues.error(self.issue(&row.row, key).unknown_name(what, name, nearest));
                Err(())
            }
        }
    }
}

impl RosterRow<'_> {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn owned(&self, key: &str) -> Option<String> {
        self.values.get(key).cloned()
    }

    /// The required name column; rows without it were refused by the parser.
    pub fn name(&self) -> &str {
        self.get("name").unwrap_or_default()
    }
}
