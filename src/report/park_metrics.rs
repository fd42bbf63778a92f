//! The park's own metric catalogue: its metric file (`park_metrics`), an overlay on the
//! embedded defaults (see [`overlay`](super::overlay)), read and replaced here. Everything that
//! computes or names a park's metrics asks [`park_metrics`] for them. The services check the
//! role; a save writes its audit entry in the same transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::metrics::{Aggregate, Metric, MetricCatalogue, Period, TaskMeasure, PEOPLE_KIND};
use super::overlay::{Origin, Overlay};
use super::ReportError;
use crate::audit::{self, Change};
use crate::auth::{Action, Principal};
use crate::db::{Db, DbError, Tx};
use crate::error::AppError;
use crate::ledger::catalogue::{Catalogue, KindDef};
use crate::{on_db, on_tx};

/// What the editor offers a park that has not saved a metric file: the overlay's rules in
/// comments and an example, changing nothing.
pub const STARTER_TEXT: &str = include_str!("park_metrics.toml");

/// Longest metric file accepted: a few hundred metrics.
const MAX_TEXT: usize = 200_000;

/// The park's metric file and what it makes of the defaults.
#[derive(Clone, Debug, Serialize)]
pub struct MetricsFile {
    /// The park's saved file, or [`STARTER_TEXT`] when it has none.
    pub text: String,
    /// Whether the park has saved a file of its own.
    pub own: bool,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The park's catalogue, in the order the report computes it.
    pub metrics: Vec<MetricSummary>,
    /// Default metrics the park turned off.
    pub disabled: Vec<String>,
    /// Why the saved file no longer fits the park's ledgers (a kind or field it names was
    /// removed since), with its line; the report waits until the file is mended.
    pub problem: Option<String>,
    pub problem_line: Option<usize>,
}

/// One metric of a park's catalogue as the catalogue page and the API list it.
#[derive(Clone, Debug, Serialize)]
pub struct MetricSummary {
    pub id: String,
    pub label: String,
    pub unit: String,
    /// The ledger kind's id (`people`, `tasks` for the rosters and the plans' tasks).
    pub kind: String,
    /// The kind's sheet name (会议台账), 人员名册 or 年度任务.
    pub kind_name: String,
    /// The aggregate in words: 计数, 合计“人次”, …
    pub aggregate: String,
    /// year | to_date
    pub period: &'static str,
    /// 本年度 | 截至年底累计
    pub period_name: &'static str,
    /// 系统默认 | 本园区修改 | 本园区新增
    pub origin: &'static str,
}

/// The metrics the park's report computes: the defaults with the park's file laid over them.
/// A saved file is checked again against the park's current ledger catalogue, since a kind or
/// field it names may have been removed since.
pub async fn park_metrics(db: &Db, park_id: i64) -> Result<MetricCatalogue, AppError> {
    let defaults = MetricCatalogue::default_metrics();
    match stored(db, park_id).await? {
        None => Ok(defaults),
        Some(row) => {
            let ledgers = park_ledgers(db, park_id).await?;
            let overlay = Overlay::parse(&row.text, &defaults, &ledgers).map_err(stale)?;
            Ok(overlay.apply(&defaults))
        }
    }
}

/// The park's metric file and catalogue, for whoever may read the report.
pub async fn metrics_file(db: &Db, who: &Principal) -> Result<MetricsFile, AppError> {
    who.require(Action::ReadReport)?;
    let defaults = MetricCatalogue::default_metrics();
    let ledgers = park_ledgers(db, who.park_id).await?;
    let Some(row) = stored(db, who.park_id).await? else {
        return Ok(describe(
            STARTER_TEXT.to_string(),
            false,
            None,
            &Overlay::default(),
            &ledgers,
        ));
    };
    // The page that mends a stale file must still open: it shows the problem over the defaults.
    let (overlay, problem) = match Overlay::parse(&row.text, &defaults, &ledgers) {
        Ok(o) => (o, None),
        Err(e) => (Overlay::default(), Some(e)),
    };
    let mut file = describe(row.text.clone(), true, Some(row), &overlay, &ledgers);
    if let Some(e) = problem {
        file.problem_line = match &e {
            ReportError::MetricsFile { line, .. } => Some(*line),
            _ => None,
        };
        file.problem = Some(e.to_string());
    }
    Ok(file)
}

/// Replaces the park's metric file (党建办). The text is checked against the defaults and the
/// park's ledger catalogue first: a refusal ([`ReportError::MetricsFile`]) names the line and
/// nothing is saved. A file with nothing but blanks removes the park's file: the park goes back
/// to the defaults.
pub async fn save_metrics(
    db: &Db,
    who: &Principal,
    text: &str,
    now: DateTime<Utc>,
) -> Result<MetricsFile, ReportError> {
    who.require(Action::WriteReport)?;
    if text.len() > MAX_TEXT {
        return Err(ReportError::MetricsFile {
            line: 1,
            message: format!("指标文件过长（超过 {} KB）", MAX_TEXT / 1000),
        });
    }
    let defaults = MetricCatalogue::default_metrics();
    let ledgers = park_ledgers(db, who.park_id).await?;
    let overlay = Overlay::parse(text, &defaults, &ledgers)?;
    write(db, who, text, &overlay, now).await?;
    Ok(metrics_file(db, who).await?)
}

/// A refusal of [`save_metrics`] as the API and the form show it: an error at the `text` field.
pub fn refused(e: ReportError) -> AppError {
    match e {
        ReportError::App(e) => e,
        e => AppError::invalid("text", "指标文件", e.to_string()),
    }
}

async fn write(
    db: &Db,
    who: &Principal,
    text: &str,
    overlay: &Overlay,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let reset = text.trim().is_empty();
    let mut tx = db.begin().await?;
    let before = stored_text(&mut tx, who.park_id).await?;
    if reset {
        if before.is_none() {
            // Nothing saved, nothing to remove: no change, no entry.
            tx.commit().await?;
            return Ok(());
        }
        delete(&mut tx, who.park_id).await?;
    } else {
        save(&mut tx, who.park_id, text, who.user_id, now).await?;
    }
    let ids: Vec<String> = overlay
        .apply(&MetricCatalogue::default_metrics())
        .metrics
        .into_iter()
        .map(|m| m.id)
        .collect();
    let change = Change {
        action: match (&before, reset) {
            (_, true) => "delete",
            (None, false) => "create",
            (Some(_), false) => "update",
        },
        entity: "report_metrics",
        entity_id: None,
        before: before.map(|text| json!({ "text": text })),
        after: (!reset)
            .then(|| json!({ "text": text, "metrics": ids, "disabled": overlay.disabled })),
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    Ok(())
}

/// A saved file that no longer fits the park's ledgers: the report cannot be computed until the
/// file is mended, and the message says where.
fn stale(e: ReportError) -> AppError {
    AppError::BadRequest(format!(
        "本园区的{e}。台账目录已改动，请到“报告指标”页（/report/metrics）修改指标文件"
    ))
}

/// The park's ledger catalogue, which its metric file is checked against.
async fn park_ledgers(db: &Db, park_id: i64) -> Result<Catalogue, AppError> {
    let kinds = crate::ledger::queries::kinds(db, park_id).await?;
    Ok(if kinds.is_empty() {
        Catalogue::default_catalogue()
    } else {
        Catalogue { kinds }
    })
}

fn describe(
    text: String,
    own: bool,
    row: Option<StoredRow>,
    overlay: &Overlay,
    ledgers: &Catalogue,
) -> MetricsFile {
    let defaults = MetricCatalogue::default_metrics();
    let metrics = overlay
        .apply(&defaults)
        .metrics
        .iter()
        .map(|m| summary(m, ledgers.kind(&m.kind), overlay.origin(&m.id, &defaults)))
        .collect();
    let (updated_by, updated_at) = match row {
        Some(r) => (r.author, Some(r.updated_at)),
        None => (None, None),
    };
    MetricsFile {
        text,
        own,
        updated_by,
        updated_at,
        metrics,
        disabled: overlay.disabled.clone(),
        problem: None,
        problem_line: None,
    }
}

fn summary(m: &Metric, kind: Option<&KindDef>, origin: Origin) -> MetricSummary {
    let label = |key: &str| {
        kind.and_then(|k| k.field(key))
            .map_or_else(|| key.to_string(), |f| f.label.clone())
    };
    let kind_name = match (&m.aggregate, kind) {
        (Aggregate::Tasks(_), _) => "年度任务".to_string(),
        (Aggregate::Requests(_), _) => "企业诉求".to_string(),
        (Aggregate::Policies(_), _) => "惠企政策推送".to_string(),
        _ if m.kind == PEOPLE_KIND => "人员名册".to_string(),
        (Aggregate::Units { .. }, _) => "组织架构".to_string(),
        (Aggregate::EnterprisesWith { .. }, _) => "企业名录".to_string(),
        (_, Some(k)) => k.sheet.clone(),
        (_, None) => m.kind.clone(),
    };
    let aggregate = match &m.aggregate {
        Aggregate::Count => "计数".to_string(),
        Aggregate::Sum { field } => format!("合计“{}”", label(field)),
        Aggregate::Ratio {
            numerator,
            denominator,
        } => format!("“{}”÷“{}”（%）", label(numerator), label(denominator)),
        Aggregate::PeopleTagged { tag } => format!("标签含“{tag}”的人数"),
        Aggregate::ServiceStaff { staff_type, .. } => format!("服务团队{staff_type}人数"),
        Aggregate::Tasks(TaskMeasure::Decomposed) => "分解的子任务数".to_string(),
        Aggregate::Tasks(TaskMeasure::Due) => "年内到期的任务数".to_string(),
        Aggregate::Tasks(TaskMeasure::OnTime) => "按期完成的任务数".to_string(),
        Aggregate::Tasks(TaskMeasure::OnTimeRate) => "按期完成率（%）".to_string(),
        Aggregate::Members => "党员人数".to_string(),
        Aggregate::MembersJoined => "本年入党的党员人数".to_string(),
        Aggregate::Units { unit_types, .. } => format!("{}个数", unit_types.join("、")),
        Aggregate::EnterprisesWith { unit_types } => {
            format!("设有{}的企业数", unit_types.join("、"))
        }
        Aggregate::Requests(measure) => measure.describe().to_string(),
        Aggregate::Policies(measure) => measure.describe().to_string(),
    };
    let (period, period_name) = match m.period {
        Period::Year => ("year", "本年度"),
        Period::ToDate => ("to_date", "截至年底累计"),
    };
    MetricSummary {
        id: m.id.clone(),
        label: m.label.clone(),
        unit: m.unit.clone(),
        kind: m.kind.clone(),
        kind_name,
        aggregate,
        period,
        period_name,
        origin: origin.label(),
    }
}

// ---- storage ----

#[derive(Clone, Debug)]
struct StoredRow {
    text: String,
    /// The display name of who saved it last, while the account exists.
    author: Option<String>,
    updated_at: DateTime<Utc>,
}
crate::from_row!(StoredRow: text, author, updated_at);

async fn stored(db: &Db, park_id: i64) -> Result<Option<StoredRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT p.text, u.display_name AS author, p.updated_at FROM park_metrics p \
         LEFT JOIN users u ON u.park_id = p.park_id AND u.id = p.updated_by \
         WHERE p.park_id = $1"
    )
    .bind(park_id)
    .fetch_optional(pool)
    .await)?)
}

async fn stored_text(tx: &mut Tx, park_id: i64) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT text FROM park_metrics WHERE park_id = $1"
    )
    .bind(park_id)
    .fetch_optional(c)
    .await)?)
}

async fn save(
    tx: &mut Tx,
    park_id: i64,
    text: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO park_metrics (park_id, text, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (park_id) DO UPDATE SET text = excluded.text, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at"
    )
    .bind(park_id)
    .bind(text)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

async fn delete(tx: &mut Tx, park_id: i64) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "DELETE FROM park_metrics WHERE park_id = $1"
    )
    .bind(park_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
