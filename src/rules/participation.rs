//! 参与率 by branch for the 工作台: the park's participation rule (a ratio rule of 党支部, by
//! default `participation_low`: Σ实到人数 / Σ应到人数 of the branch's own meetings) measured over
//! the whole year, through the same statement the checks run (`queries::grids`), so that the
//! chart and a finding never disagree about a branch's meetings.

use serde::Serialize;

use super::definition::Requirement;
use super::queries::{self, Spec, Tally, Window};
use super::Rules;
use crate::auth::{Action, Principal};
use crate::calendar::Year;
use crate::db::Db;
use crate::error::AppError;

/// The unit type a participation rule must apply to for the chart.
const BRANCH: &str = "党支部";

/// One branch's sums over the year's meetings that filled in both figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rate {
    pub unit_id: i64,
    pub unit: String,
    pub numerator: f64,
    pub denominator: f64,
    /// How many meetings were measured.
    pub meetings: usize,
}

impl Rate {
    /// The rate in per cent, `None` when nobody was expected.
    pub fn percent(&self) -> Option<f64> {
        (self.denominator > 0.0).then(|| self.numerator / self.denominator * 100.0)
    }
}

/// The year's rate of every branch the principal may see that measured something, in roster
/// order; empty when the park has no ratio rule for branches.
pub async fn by_branch(db: &Db, who: &Principal, year: Year) -> Result<Vec<Rate>, AppError> {
    who.require(Action::ReadChecks)?;
    let rules = super::service::park_rules(db, who.park_id).await?;
    let Some(spec) = spec(&rules) else {
        return Ok(Vec::new());
    };
    let window = window(who.park_id, year);
    let tally = queries::grids(db, window, &[spec]).await?.pop();
    Ok(rates(who, tally))
}

/// The window the rates count: the whole year, what its ledgers hold so far.
pub(crate) fn window(park_id: i64, year: Year) -> Window {
    Window {
        park_id,
        year: year.get(),
        first: year.first_day(),
        last: year.last_day(),
    }
}

/// The park's participation rule (the first ratio rule of branches) measured over the whole
/// year as one period, `None` when the park has none.
pub(crate) fn spec(rules: &Rules) -> Option<Spec<'_>> {
    let rule = rules.rules.iter().find(|r| {
        r.applies_to.unit_type == BRANCH && matches!(r.requirement, Requirement::Ratio { .. })
    })?;
    let Requirement::Ratio {
        meeting_types,
        numerator,
        denominator,
        ..
    } = &rule.requirement
    else {
        return None;
    };
    Some(Spec::Ratio {
        applies_to: &rule.applies_to,
        period: super::Period::Year,
        meeting_types,
        numerator,
        denominator,
    })
}

/// The rates of the branches the principal may see, from the tally of [`spec`] over
/// [`window`].
pub(crate) fn rates(who: &Principal, tally: Option<Tally>) -> Vec<Rate> {
    let Some(Tally::Ratio(rows)) = tally else {
        return Vec::new();
    };
    let mut rates: Vec<Rate> = Vec::new();
    for (unit_id, unit, _period, _meeting, _on, top, bottom) in rows {
        if !who.covers(Some(unit_id), None) {
            continue;
        }
        match rates.last_mut() {
            Some(r) if r.unit_id == unit_id => r.meetings += 1,
            _ => rates.push(Rate {
                unit_id,
                unit,
                numerator: top,
                denominator: bottom,
                meetings: 1,
            }),
        }
    }
    rates
}
