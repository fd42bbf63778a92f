//! Report services both faces call: the data of one year's report (metrics, projects, documents,
//! rule findings and the user's cause analysis), the park's saved templates with their history,
//! the cause analysis per year, and the records behind one figure. Each checks the caller's role
//! (and, for records, the data scope); each write appends its audit entry in the same
//! transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use super::compute::{compute, MetricValue};
use super::metrics::{
    Metric, MetricCatalogue, ENTERPRISES_KIND, PEOPLE_KIND, POLICIES_KIND, REQUESTS_KIND,
    TASKS_KIND, UNITS_KIND,
};
use super::queries::{self, NewVersion};
use super::render::ReportTemplate;
use super::view::ReportData;
use crate::audit::{self, Change};
use crate::auth::{Action, Principal};
use crate::calendar::Year;
use crate::db::Db;
use crate::error::AppError;
use crate::ledger::service::RecordView;

/// The longest template name accepted.
pub const MAX_NAME_CHARS: usize = 40;
/// The largest template source accepted; the default template is about 8 KB.
pub const MAX_SOURCE_BYTES: usize = 256 * 1024;
/// The longest cause analysis or measures text accepted.
pub const MAX_CAUSES_CHARS: usize = 20_000;

/// Which template a report is rendered with: the built-in default or a saved one (its latest
/// version unless one is named).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateChoice {
    Builtin,
    Saved { id: i64, version: Option<i64> },
}

impl TemplateChoice {
    /// Reads `default` (or nothing) or a saved template's id.
    pub fn parse(text: &str) -> Result<TemplateChoice, AppError> {
        match text.trim() {
            "" | "default" => Ok(TemplateChoice::Builtin),
            id => id
                .parse::<i64>()
                .map(|id| TemplateChoice::Saved { id, version: None })
                .map_err(|_| AppError::invalid("template", "模板", "请选择内置模板或已保存的模板")),
        }
    }

    /// The value a form or a link carries for this choice.
    pub fn key(self) -> String {
        match self {
            TemplateChoice::Builtin => "default".to_string(),
            TemplateChoice::Saved { id, .. } => id.to_string(),
        }
    }
}

/// One version of a saved template.
#[derive(Clone, Debug, Serialize)]
pub struct TemplateVersion {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub source: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// A template or one of its versions in a list (without the source).
#[derive(Clone, Debug, Serialize)]
pub struct VersionSummary {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// The cause analysis (原因分析) and rectification measures (整改措施) of one year.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Causes {
    pub causes: String,
    pub measures: String,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The records (or, for roster metrics, the people) one figure counts.
#[derive(Clone, Debug, Serialize)]
pub struct MetricRecords {
    pub metric: MetricValue,
    /// The metric's definition in words.
    pub definition: String,
    /// True when the figure counts people of the rosters rather than ledger records.
    pub people: bool,
    /// True when the figure counts tasks of the annual plans.
    pub tasks: bool,
    /// True when the figure counts units of the org tree or enterprises of the 企业名录
    /// (`org_items`).
    pub org: bool,
    /// True when the figure counts enterprise requests (`request_items`).
    pub requests: bool,
    /// True when the figure counts policy pushes, the policies or the enterprises they reached
    /// (`policy_items`).
    pub policies: bool,
    /// Ids of the listed page that the caller may not read (other units' records), left out.
    pub hidden: usize,
    pub records: Vec<RecordView>,
    pub persons: Vec<PersonRow>,
    pub task_items: Vec<TaskItem>,
    pub org_items: Vec<OrgItem>,
    pub request_items: Vec<RequestItem>,
    pub policy_items: Vec<PolicyItem>,
    /// What each listed record adds to a sum or a ratio (by record id): the summed value, or
    /// the numerator and denominator.
    pub parts: std::collections::HashMap<i64, (f64, Option<f64>)>,
    /// The figure recomputed from every item it counted, all pages: for a sum its total, for a
    /// ratio (and the on-time rate) the numerator's and the denominator's totals.
    pub totals: Option<(f64, Option<f64>)>,
}

/// A counted task as the list shows it.
#[derive(Clone, Debug, Serialize)]
pub struct TaskItem {
    pub id: i64,
    pub seq: String,
    pub content: String,
    pub unit_name: String,
    pub deadline: NaiveDate,
    pub status: &'static str,
    pub completed_on: Option<NaiveDate>,
    /// Done on or before its deadline: what the on-time figures count.
    pub on_time: bool,
}

/// A counted request as the list shows it, with what it adds to a rate (1 / 1 or 0 / 1) or an
/// average (its working days to close).
#[derive(Clone, Debug, Serialize)]
pub struct RequestItem {
    pub id: i64,
    pub title: String,
    pub enterprise_name: String,
    pub received_on: NaiveDate,
    pub status: &'static str,
    pub part: Option<(f64, Option<f64>)>,
}

/// A counted policy, enterprise reached or push as the list shows it, with its page and what a
/// push adds to the read rate (1 / 1 or 0 / 1).
#[derive(Clone, Debug, Serialize)]
pub struct PolicyItem {
    pub id: i64,
    pub title: String,
    /// 政策, 企业, or 政策推送 with its reading.
    pub what: String,
    /// The policy's level and issuer, the enterprise's industry, or the enterprise pushed to.
    pub detail: String,
    pub date: Option<NaiveDate>,
    pub href: String,
    pub part: Option<(f64, Option<f64>)>,
}

/// A counted unit or enterprise as the list shows it, with where it is shown: its entry on the
/// 组织 page (`/org#unit-ID`, `/org#enterprise-ID`), which lists every unit and enterprise the
/// reader may see.
#[derive(Clone, Debug, Serialize)]
pub struct OrgItem {
    pub id: i64,
    pub name: String,
    /// The unit's type (党支部), or 企业.
    pub what: String,
    /// The enterprise a unit is set up in, or the units set up in an enterprise.
    pub detail: String,
    pub href: String,
}

/// A counted person as the list shows them.
#[derive(Clone, Debug, Serialize)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub unit_id: Option<i64>,
    pub tags: String,
}

/// The data of one year's report for the operator of the command line: the metrics, the rule
/// findings (as of the year's end, or `today` while the year runs) and the saved cause analysis.
pub async fn report_data(
    db: &Db,
    park_id: i64,
    park_name: &str,
    year: Year,
    today: NaiveDate,
) -> Result<ReportData, AppError> {
    let as_of = crate::rules::default_as_of(year, today);
    let catalogue = super::park_metrics::park_metrics(db, park_id).await?;
    // The metrics and the rule checks only read: they run side by side on the pool's connections.
    // The metrics, the rule checks and the records SQL finds implausible only read: they run
    // side by side on the pool's connections.
    let (data, checks, candidates) = tokio::join!(
        super::data::gather(db, park_id, park_name, year, &catalogue),
        // Findings marked 已整改 leave the report's findings; their sentences say so.
        crate::rules::service::for_report(db, park_id, year, as_of),
        implausible_candidates(db, park_id, year, today, &catalogue),
    );
    let (mut data, (open, problems), candidates) = (data?, checks?, candidates?);
    data.problems = problems;
    data.findings = open;
    if let Some(saved) = queries::causes(db, park_id, year.get()).await? {
        data.causes = saved.causes;
        data.measures = saved.measures;
    }
    data.implausible = counted_implausible(candidates, today, &data);
    data.signed_on = Some(today);
    Ok(data)
}

/// The records of the kinds the report counts that break a plausibility rule of their kind,
/// as SQL finds them: per kind, the kind, the metrics counting it and the candidates (id, date,
/// fields). Needs none of the report's figures, so it runs beside them.
type Candidates = Vec<(
    crate::ledger::catalogue::KindDef,
    Vec<Metric>,
    Vec<queries::FieldsRow>,
)>;

/// The candidates of [`counted_implausible`]: only the kinds the metrics count are read, and
/// only the records the SQL of their plausibility rules finds.
async fn implausible_candidates(
    db: &Db,
    park_id: i64,
    year: Year,
    today: NaiveDate,
    catalogue: &MetricCatalogue,
) -> Result<Candidates, AppError> {
    use super::metrics::Period;
    let (first, last) = year.bounds();
    let mut out: Candidates = Vec::new();
    for kind in crate::ledger::queries::kinds(db, park_id).await? {
        let counting: Vec<Metric> = catalogue
            .metrics
            .iter()
            .filter(|m| m.kind == kind.id)
            .cloned()
            .collect();
        if kind.plausibility.is_empty() || counting.is_empty() {
            continue;
        }
        // A kind counted only within the year by its own date is read within the year.
        let within_year = counting
            .iter()
            .all(|m| m.period == Period::Year && m.date_field.is_none());
        let bounds = (within_year.then_some(first), last);
        let rows = queries::implausible_candidates(db, park_id, &kind, bounds, today).await?;
        out.push((kind, counting, rows));
    }
    Ok(out)
}

/// The stored records counted in the report's figures that break a plausibility rule of their
/// kind (the data-quality page's rules), each with the metrics counting it: the candidates SQL
/// found ([`implausible_candidates`]) read one by one.
fn counted_implausible(
    candidates: Candidates,
    today: NaiveDate,
    data: &ReportData,
) -> Vec<super::health::Implausible> {
    let mut out: Vec<super::health::Implausible> = Vec::new();
    for (kind, counting, rows) in candidates {
        for (id, date, fields) in rows {
            let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(&fields) else {
                continue;
            };
            let broken = crate::ledger::plausibility::violations(&kind, &fields, today);
            let metrics: Vec<String> = counting
                .iter()
                .filter(|m| {
                    data.metrics
                        .get(&m.id)
                        .is_some_and(|v| v.records.binary_search(&id).is_ok())
                })
                .map(|m| m.id.clone())
                .collect();
            if broken.is_empty() || metrics.is_empty() {
                continue;
            }
            out.push(super::health::Implausible {
                id,
                what: format!("{}中 {date} 的第 {id} 号记录", kind.sheet),
                problems: broken.into_iter().map(|v| v.message).collect(),
                metrics,
            });
        }
    }
    out
}

/// [`report_data`] for a signed-in user who may read the report.
pub async fn report(
    db: &Db,
    who: &Principal,
    year: Year,
    today: NaiveDate,
) -> Result<ReportData, AppError> {
    who.require(Action::ReadReport)?;
    let park = crate::org::queries::parks(db)
        .await?
        .into_iter()
        .find(|p| p.id == who.park_id)
        .ok_or(AppError::NotFound("园区"))?;
    report_data(db, park.id, &park.name, year, today).await
}

/// The template a choice names.
pub async fn template(
    db: &Db,
    who: &Principal,
    choice: TemplateChoice,
) -> Result<ReportTemplate, AppError> {
    who.require(Action::ReadReport)?;
    match choice {
        TemplateChoice::Builtin => Ok(ReportTemplate::builtin()),
        TemplateChoice::Saved { id, version } => {
            let v = template_version(db, who, id, version).await?;
            Ok(ReportTemplate::new(v.name, v.source))
        }
    }
}

/// A saved template by name, for the operator of the command line: its latest version, or
/// `version`. An unknown name is refused with the names saved; an unknown version with the
/// latest.
pub async fn saved_template_named(
    db: &Db,
    park_id: i64,
    name: &str,
    version: Option<i64>,
) -> Result<ReportTemplate, AppError> {
    let name = name.trim();
    let saved = queries::latest_templates(db, park_id).await?;
    let Some(found) = saved.iter().find(|t| t.name == name) else {
        let message = if saved.is_empty() {
            format!("没有名为“{name}”的已保存模板：本园区还没有保存任何模板（在网页“述职报告 → 报告模板”中保存）")
        } else {
            let names: Vec<&str> = saved.iter().map(|t| t.name.as_str()).collect();
            format!(
                "没有名为“{name}”的已保存模板；已保存的模板：{}",
                names.join("、")
            )
        };
        return Err(AppError::BadRequest(message));
    };
    let row = queries::template_version(db, park_id, found.template_id, version)
        .await?
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "模板“{name}”没有第 {} 版；已保存的是第 1 至第 {} 版",
                version.unwrap_or_default(),
                found.version
            ))
        })?;
    Ok(ReportTemplate::new(row.name, row.source))
}

/// The latest version of each saved template.
pub async fn templates(db: &Db, who: &Principal) -> Result<Vec<VersionSummary>, AppError> {
    who.require(Action::ReadReport)?;
    Ok(queries::latest_templates(db, who.park_id)
        .await?
        .into_iter()
        .map(summary)
        .collect())
}

/// Every version of one template, newest first.
pub async fn template_history(
    db: &Db,
    who: &Principal,
    id: i64,
) -> Result<Vec<VersionSummary>, AppError> {
    who.require(Action::ReadReport)?;
    let versions: Vec<VersionSummary> = queries::template_history(db, who.park_id, id)
        .await?
        .into_iter()
        .map(summary)
        .collect();
    if versions.is_empty() {
        return Err(AppError::NotFound("报告模板"));
    }
    Ok(versions)
}

/// One version of a template (the latest when `version` is `None`).
pub async fn template_version(
    db: &Db,
    who: &Principal,
    id: i64,
    version: Option<i64>,
) -> Result<TemplateVersion, AppError> {
    who.require(Action::ReadReport)?;
    let row = queries::template_version(db, who.park_id, id, version)
        .await?
        .ok_or(AppError::NotFound("报告模板或该版本"))?;
    Ok(TemplateVersion {
        id: row.template_id,
        name: row.name,
        version: row.version,
        source: row.source,
        author: row.author,
        created_at: row.created_at,
    })
}

/// What a save writes: a new template (`id` none) or the next version of one, which must still
/// be at `base_version` (the version the editor opened), so that nobody's edit is overwritten.
#[derive(Clone, Debug)]
pub struct TemplateInput {
    pub id: Option<i64>,
    pub base_version: Option<i64>,
    pub name: String,
    pub source: String,
}

/// Saves a template as a new version; earlier versions stay as they were.
pub async fn save_template(
    db: &Db,
    who: &Principal,
    input: TemplateInput,
    now: DateTime<Utc>,
) -> Result<TemplateVersion, AppError> {
    who.require(Action::WriteReport)?;
    let name = input.name.trim().to_string();
    check_template_input(&name, &input.source)?;
    let mut tx = db.begin().await?;
    let (id, version) = match input.id {
        None => {
            if queries::template_named(&mut tx, who.park_id, &name)
                .await?
                .is_some()
            {
                return Err(AppError::invalid(
                    "name",
                    "模板名称",
                    format!("已有名为“{name}”的模板，请换一个名称，或打开该模板保存新版本"),
                ));
            }
            (
                queries::insert_template(&mut tx, who.park_id, &name, now).await?,
                1,
            )
        }
        Some(id) => {
            let latest = queries::latest_version(&mut tx, who.park_id, id)
                .await?
                .ok_or(AppError::NotFound("报告模板"))?;
            if input.base_version != Some(latest) {
                return Err(AppError::BadRequest(format!(
                    "该模板已有他人保存的新版本（第 {latest} 版），请先打开最新版本再修改"
                )));
            }
            (id, latest + 1)
        }
    };
    let new = NewVersion {
        template_id: id,
        version,
        source: &input.source,
        author_id: who.user_id,
        author: &who.display_name,
    };
    queries::insert_version(&mut tx, who.park_id, &new, now).await?;
    let change = Change {
        action: if version == 1 { "create" } else { "update" },
        entity: "report_template",
        entity_id: Some(id),
        before: None,
        after: Some(json!({"name": name, "version": version, "source": input.source})),
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    template_version(db, who, id, Some(version)).await
}

fn check_template_input(name: &str, source: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let field = |key: &str, label: &str, message: String| crate::error::FieldError {
        field: key.into(),
        label: label.into(),
        message,
    };
    if name.is_empty() {
        errors.push(field("name", "模板名称", "请填写模板名称".into()));
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(field(
            "name",
            "模板名称",
            format!("模板名称最多 {MAX_NAME_CHARS} 个字"),
        ));
    }
    if source.trim().is_empty() {
        errors.push(field("source", "模板内容", "模板内容不能为空".into()));
    } else if source.len() > MAX_SOURCE_BYTES {
        errors.push(field(
            "source",
            "模板内容",
            format!("模板内容过长，最多 {} KB", MAX_SOURCE_BYTES / 1024),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// The cause analysis and measures written for `year` (empty when none were).
pub async fn causes(db: &Db, who: &Principal, year: Year) -> Result<Causes, AppError> {
    who.require(Action::ReadReport)?;
    Ok(queries::causes(db, who.park_id, year.get())
        .await?
        .map(|r| Causes {
            causes: r.causes,
            measures: r.measures,
            updated_at: Some(r.updated_at),
        })
        .unwrap_or_default())
}

/// Saves the cause analysis and measures of `year`, replacing what was written before (the
/// audit entry keeps both).
pub async fn save_causes(
    db: &Db,
    who: &Principal,
    year: Year,
    causes: &str,
    measures: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    who.require(Action::WriteReport)?;
    let (causes, measures) = (causes.trim(), measures.trim());
    let mut errors = Vec::new();
    for (key, label, text) in [
        ("causes", "原因分析", causes),
        ("measures", "整改措施", measures),
    ] {
        if text.chars().count() > MAX_CAUSES_CHARS {
            errors.push(crate::error::FieldError {
                field: key.into(),
                label: label.into(),
                message: format!("最多 {MAX_CAUSES_CHARS} 个字"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.begin().await?;
    let before = queries::causes_in(&mut tx, who.park_id, year.get()).await?;
    queries::upsert_causes(
        &mut tx,
        who.park_id,
        year.get(),
        (causes, measures),
        who.user_id,
        now,
    )
    .await?;
    let change = Change {
        action: if before.is_some() { "update" } else { "create" },
        entity: "report_causes",
        entity_id: Some(i64::from(year.get())),
        before: before.map(|b| json!({"year": year, "causes": b.causes, "measures": b.measures})),
        after: Some(json!({"year": year, "causes": causes, "measures": measures})),
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    Ok(())
}

/// The records one metric counts in `year`, as far as the caller may read them, `limit` from
/// `offset` in id order. The metric's own id list decides what is listed: the page shows
/// exactly what the figure counted.
pub async fn metric_records(
    db: &Db,
    who: &Principal,
    metric_id: &str,
    year: Year,
    (offset, limit): (usize, usize),
) -> Result<MetricRecords, AppError> {
    who.require(Action::ReadReport)?;
    let catalogue = super::park_metrics::park_metrics(db, who.park_id).await?;
    let metric = catalogue
        .get(metric_id)
        .ok_or_else(|| {
            AppError::invalid(
                "metric",
                "指标",
                format!("本园区没有“{metric_id}”这个指标（或已停用）"),
            )
        })?
        .clone();
    let one = MetricCatalogue {
        metrics: vec![metric.clone()],
    };
    let mut values = compute(db, who.park_id, year, &one).await?;
    let value = values.metrics.remove(0);
    let kinds = crate::ledger::queries::kinds(db, who.park_id).await?;
    let definition = super::describe::definition(&metric, &kinds, year);
    let page: Vec<i64> = value
        .records
        .iter()
        .skip(offset)
        .take(limit)
        .copied()
        .collect();
    let mut out = MetricRecords {
        definition,
        people: metric.kind == PEOPLE_KIND,
        tasks: metric.kind == TASKS_KIND,
        org: metric.kind == UNITS_KIND || metric.kind == ENTERPRISES_KIND,
        requests: metric.kind == REQUESTS_KIND,
        policies: metric.kind == POLICIES_KIND,
        hidden: 0,
        records: Vec::new(),
        persons: Vec::new(),
        task_items: Vec::new(),
        org_items: Vec::new(),
        request_items: Vec::new(),
        policy_items: Vec::new(),
        parts: Default::default(),
        totals: None,
        metric: value,
    };
    if out.people {
        list_people(db, who, &page, &mut out).await?;
    } else if out.tasks {
        list_tasks(db, who, year, &page, &mut out).await?;
    } else if out.org {
        list_org(db, who, metric.kind == UNITS_KIND, &page, &mut out).await?;
    } else if out.requests {
        list_requests(db, who, &metric, year, &page, &mut out).await?;
    } else if out.policies {
        list_policies(db, who, &metric, &page, &mut out).await?;
    } else {
        list_records(db, who, &metric, &page, &mut out).await?;
    }
    Ok(out)
}

/// The tasks a task figure counted, of the page `ids`; the on-time rate's totals over all.
async fn list_tasks(
    db: &Db,
    who: &Principal,
    year: Year,
    ids: &[i64],
    out: &mut MetricRecords,
) -> Result<(), AppError> {
    let counted: std::collections::HashSet<i64> = out.metric.records.iter().copied().collect();
    let rows: Vec<_> = crate::tasks::queries::tasks(db, who.park_id, None, Some(year.get()))
        .await?
        .into_iter()
        .filter(|t| counted.contains(&t.id))
        .collect();
    let on_time = |t: &crate::tasks::queries::TaskRow| {
        crate::tasks::on_time(&t.status, t.completed_on, t.deadline)
    };
    let done = rows.iter().filter(|t| on_time(t)).count();
    out.totals = Some((done as f64, Some(rows.len() as f64)));
    let may_read = who.role.allows(Action::ReadPlans);
    let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
    for t in rows.iter().filter(|t| wanted.contains(&t.id)) {
        if may_read && who.covers(Some(t.unit_id), None) {
            out.task_items.push(TaskItem {
                id: t.id,
                seq: t.seq.clone(),
                content: t.content.clone(),
                unit_name: t.unit_name.clone(),
                deadline: t.deadline,
                status: crate::tasks::status_label(&t.status),
                completed_on: t.completed_on,
                on_time: on_time(t),
            });
        } else {
            out.hidden += 1;
        }
    }
    Ok(())
}

/// The requests a request figure counted, of the page `ids`, with what each adds to a rate or
/// the average; the totals over all of them. An enterprise user sees its own only.
async fn list_requests(
    db: &Db,
    who: &Principal,
    metric: &Metric,
    year: Year,
    ids: &[i64],
    out: &mut MetricRecords,
) -> Result<(), AppError> {
    use super::metrics::{Aggregate, RequestMeasure};
    let Aggregate::Requests(measure) = metric.aggregate else {
        return Ok(());
    };
    // What each counted request adds: for a rate, whether it is in the numerator (the query
    // ran again, as one figure, with the rate's numerator as its own listing).
    let parts: std::collections::HashMap<i64, (f64, Option<f64>)> = if measure.is_rate() {
        let numerator = match measure {
            RequestMeasure::ResponseRate => RequestMeasure::ContactedInTime,
            RequestMeasure::CloseRate => RequestMeasure::Closed,
            RequestMeasure::OnTimeCloseRate => RequestMeasure::ClosedOnTime,
            RequestMeasure::SatisfactionRate => RequestMeasure::Satisfied,
            RequestMeasure::ReturnRate => RequestMeasure::Returned,
            _ => RequestMeasure::Reopened,
        };
        let part = Metric {
            aggregate: Aggregate::Requests(numerator),
            integral: true,
            decimals: 0,
            ..metric.clone()
        };
        let one = MetricCatalogue {
            metrics: vec![part],
        };
        let counted = compute(db, who.park_id, year, &one).await?;
        let inside: std::collections::HashSet<i64> =
            counted.metrics[0].records.iter().copied().collect();
        out.metric
            .records
            .iter()
            .map(|id| (*id, (f64::from(u8::from(inside.contains(id))), Some(1.0))))
            .collect()
    } else if measure == RequestMeasure::AvgWorkdaysToClose {
        super::compute::workdays_to_close(db, who.park_id, year.bounds())
            .await?
            .into_iter()
            .filter(|(id, _)| out.metric.records.binary_search(id).is_ok())
            // Working days stay far below 2^53: the conversion is exact.
            .map(|(id, n)| (id, (n as f64, None)))
            .collect()
    } else {
        Default::default()
    };
    if !parts.is_empty() || out.metric.records.is_empty() && measure.is_rate() {
        let a = parts.values().map(|p| p.0).sum();
        let b = parts.values().map(|p| p.1).sum::<Option<f64>>();
        out.totals = Some((a, b));
    }
    let may_read = who.role.allows(Action::ReadRequests);
    for id in ids {
        let row = match may_read {
            true => crate::requests::queries::get(db, who.park_id, *id).await?,
            false => None,
        };
        match row.filter(|r| crate::requests::service::in_reach(who, r)) {
            Some(r) => out.request_items.push(RequestItem {
                id: r.id,
                title: r.title,
                enterprise_name: r.enterprise_name,
                received_on: r.received_on,
                status: crate::requests::Status::parse(&r.status)
                    .map_or("", crate::requests::Status::label),
                part: parts.get(id).copied(),
            }),
            None => out.hidden += 1,
        }
    }
    Ok(())
}

/// The policies, enterprises or pushes a policy figure counted, of the page `ids`, each linking
/// to its page; for the read rate what each push adds, and the totals over all of them.
async fn list_policies(
    db: &Db,
    who: &Principal,
    metric: &Metric,
    ids: &[i64],
    out: &mut MetricRecords,
) -> Result<(), AppError> {
    use super::metrics::{Aggregate, PolicyMeasure};
    let Aggregate::Policies(measure) = metric.aggregate else {
        return Ok(());
    };
    if !who.role.allows(Action::ReadPolicies) {
        out.hidden = ids.len();
        return Ok(());
    }
    match measure {
        PolicyMeasure::Policies => {
            for id in ids {
                match crate::policies::queries::get(db, who.park_id, *id).await? {
                    Some(p) => out.policy_items.push(PolicyItem {
                        id: p.id,
                        title: p.title,
                        what: "政策".into(),
                        detail: format!("{}级 · {}", p.level, p.issuer),
                        date: Some(p.issued_on),
                        href: format!("/policies/{}", p.id),
                        part: None,
                    }),
                    None => out.hidden += 1,
                }
            }
        }
        PolicyMeasure::Enterprises => {
            for id in ids {
                match crate::org::queries::enterprise(db, who.park_id, *id).await? {
                    Some(e) => out.policy_items.push(PolicyItem {
                        id: e.id,
                        title: e.name,
                        what: "企业".into(),
                        detail: e.industry.unwrap_or_default(),
                        date: None,
                        href: format!("/org#enterprise-{}", e.id),
                        part: None,
                    }),
                    None => out.hidden += 1,
                }
            }
        }
        PolicyMeasure::Pushes | PolicyMeasure::PushesRead | PolicyMeasure::ReadRate => {
            let rate = measure == PolicyMeasure::ReadRate;
            if rate {
                let all =
                    crate::policies::queries::pushes_by_id(db, who.park_id, &out.metric.records)
                        .await?;
                let read = all.iter().filter(|p| p.read_at.is_some()).count();
                // Push counts stay far below 2^53: the conversions are exact.
                out.totals = Some((read as f64, Some(all.len() as f64)));
            }
            let pushes = crate::policies::queries::pushes_by_id(db, who.park_id, ids).await?;
            out.hidden += ids.len() - pushes.len();
            for p in pushes {
                let title = crate::policies::queries::get(db, who.park_id, p.policy_id)
                    .await?
                    .map(|x| x.title)
                    .unwrap_or_default();
                let read = p.read_at.is_some();
                out.policy_items.push(PolicyItem {
                    id: p.id,
                    title,
                    what: format!("政策推送 {}", if read { "已读" } else { "未读" }),
                    detail: p.enterprise_name,
                    date: Some(p.pushed_on),
                    href: format!("/policies/{}", p.policy_id),
                    part: rate.then_some((f64::from(u8::from(read)), Some(1.0))),
                });
            }
        }
    }
    Ok(())
}

/// A number a record holds in `field`, as a sum or a ratio reads it.
fn field_number(fields: &serde_json::Map<String, serde_json::Value>, field: &str) -> Option<f64> {
    match fields.get(field)? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// What one record adds to a sum (its value) or a ratio (numerator and denominator).
fn part_of(metric: &Metric, r: &RecordView) -> Option<(f64, Option<f64>)> {
    use super::metrics::Aggregate;
    match &metric.aggregate {
        Aggregate::Sum { field } => Some((field_number(&r.fields, field).unwrap_or(0.0), None)),
        Aggregate::Ratio {
            numerator,
            denominator,
        } => Some((
            field_number(&r.fields, numerator).unwrap_or(0.0),
            Some(field_number(&r.fields, denominator).unwrap_or(0.0)),
        )),
        _ => None,
    }
}

async fn list_records(
    db: &Db,
    who: &Principal,
    metric: &Metric,
    ids: &[i64],
    out: &mut MetricRecords,
) -> Result<(), AppError> {
    if !who.role.allows(Action::ReadRecords(&metric.kind)) {
        out.hidden = ids.len();
        return Ok(());
    }
    let summed = matches!(
        metric.aggregate,
        super::metrics::Aggregate::Sum { .. } | super::metrics::Aggregate::Ratio { .. }
    );
    if summed {
        // The totals come from every counted record, not only this page's.
        let mut totals = (0.0, None::<f64>);
        for chunk in out.metric.records.chunks(500) {
            for row in queries::records_by_id(db, who.park_id, chunk).await? {
                if let Some((a, b)) = part_of(metric, &RecordView::from_row(row)) {
                    totals.0 += a;
                    totals.1 = b.map(|b| b + totals.1.unwrap_or(0.0));
                }
            }
        }
        out.totals = Some(totals);
    }
    for row in queries::records_by_id(db, who.park_id, ids).await? {
        if who.covers(row.unit_id, row.enterprise_id) {
            let r = RecordView::from_row(row);
            if let Some(part) = part_of(metric, &r) {
                out.parts.insert(r.id, part);
            }
            out.records.push(r);
        } else {
            out.hidden += 1;
        }
    }
    Ok(())
}

/// The units (or enterprises) an org figure counted, of the page `ids`, as far as the caller
/// may see them in the 组织 page.
async fn list_org(
    db: &Db,
    who: &Principal,
    units: bool,
    ids: &[i64],
    out: &mut MetricRecords,
) -> Result<(), AppError> {
    let all_units = crate::org::queries::units(db, who.park_id).await?;
    let enterprises = match crate::org::service::list_enterprises(db, who).await {
        Ok(list) => list,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let enterprise_name = |id: Option<i64>| {
        enterprises
            .iter()
            .find(|e| Some(e.id) == id)
            .map(|e| e.name.clone())
            .unwrap_or_default()
    };
    let may_read_units = who.role.allows(Action::ReadOrg);
    for id in ids {
        let item = if units {
            all_units
                .iter()
                .find(|u| u.id == *id)
                .filter(|u| may_read_units && who.covers(Some(u.id), None))
                .map(|u| OrgItem {
                    id: u.id,
                    name: u.name.clone(),
                    what: u.unit_type.clone(),
                    detail: enterprise_name(u.enterprise_id),
                    href: format!("/org#unit-{}", u.id),
                })
        } else {
            enterprises.iter().find(|e| e.id == *id).map(|e| OrgItem {
                id: e.id,
                name: e.name.clone(),
                what: "企业".to_string(),
                detail: all_units
                    .iter()
                    .filter(|u| u.enterprise_id == Some(e.id))
                    .filter(|u| may_read_units && who.covers(Some(u.id), None))
                    .map(|u| u.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                href: format!("/org#enterprise-{}", e.id),
            })
        };
        match item {
            Some(item) => out.org_items.push(item),
            None => out.hidden += 1,
        }
    }
    Ok(())
}

async fn list_people(
    db: &Db,
    who: &Principal,
    ids: &[i64],
    out: &mut MetricRecords,
) -> Result<(), AppError> {
    if !who.role.allows(Action::ReadOrg) {
        out.hidden = ids.len();
        return Ok(());
    }
    for id in ids {
        match crate::org::queries::person(db, who.park_id, *id).await? {
            Some(p) if who.covers(p.unit_id, None) => out.persons.push(PersonRow {
                id: p.id,
                name: p.name,
                unit_id: p.unit_id,
                tags: p.tags,
            }),
            _ => out.hidden += 1,
        }
    }
    Ok(())
}

fn summary(row: queries::VersionRow) -> VersionSummary {
    VersionSummary {
        id: row.template_id,
        name: row.name,
        version: row.version,
        author: row.author,
        created_at: row.created_at,
    }
}
