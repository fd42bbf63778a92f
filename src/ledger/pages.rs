//! The ledger pages: list with filters, the record form (create and edit), the detail page with
//! attachments and history. Thin handlers over `ledger::service`, views built here, HTML from
//! templates.

use std::collections::HashMap;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::catalogue::{FieldDef, FieldType, KindDef};
use super::service::{self, ListParams, RecordInput, RecordView};
use super::{attachments, kinds};
use crate::error::{AppError, FieldError};
use crate::web::form::{saved_or_again, saved_or_refused, Refusal};
use crate::web::ui::{error_page, render, urlencode, Chrome, Page, Upload};
use crate::web::{AppState, CsrfForm, PageError, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ledger/{kind}", get(list))
        .route("/ledger/{kind}/new", get(new_form).post(create))
        .route("/records/{id}", get(detail))
        .route("/records/{id}/edit", get(edit_form).post(update))
        .route("/records/{id}/delete", post(delete))
        .route("/records/{id}/restore", post(restore))
        .route("/records/{id}/attachments", post(upload))
        .route("/attachments/{id}", get(download))
        .route("/data-quality", get(data_quality))
}

#[derive(Deserialize)]
struct YearQuery {
    #[serde(default)]
    year: String,
}

#[derive(Serialize)]
struct QualityView {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    today: String,
    rows: Vec<service::Implausible>,
}

/// 数据质量: the stored records of the working year that break a plausibility rule of their
/// kind, each linked to its page.
async fn data_quality(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let loaded = async {
        page.who.require(crate::auth::Action::ReadChecks)?;
        let year = match crate::web::ui::parse_year(&q.year) {
            Some(y) => y,
            None => crate::ledger::pages::working_year(&st, &page).await?,
        };
        let today = crate::calendar::today(st.now());
        let rows = service::implausible(
            &st.db,
            &st.part::<crate::ledger::service::CountCache>(),
            &page.who,
            year,
            today,
        )
        .await?;
        let years = crate::web::ui::years_offered(chrono::Datelike::year(&today), 5, year);
        Ok::<_, AppError>(QualityView {
            chrome: page.chrome(&st, "/data-quality").await?,
            year,
            years,
            today: today.to_string(),
            rows,
        })
    };
    match loaded.await {
        Ok(view) => Ok(render("data_quality.html", view)),
        Err(e) => Err(e.into()),
    }
}

/// The year a page opens on when its link names none: the year last chosen on any page,
/// else the park's current year, or the latest earlier year with records the user may
/// read when this year has none yet (early January, or ledgers imported from past years).
/// Never a later year: one record dated next year does not empty the pages.
pub async fn working_year(st: &AppState, page: &Page) -> Result<i32, AppError> {
    if let Some(y) = page.chosen_year {
        return Ok(y);
    }
    let this_year = chrono::Datelike::year(&crate::calendar::today(st.now()));
    let counts = st.part::<service::CountCache>();
    service::latest_year(&st.db, &counts, &page.who, this_year).await
}

/// The ledger pages' templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "data_quality.html",
        include_str!("templates/data_quality.html"),
    ),
    (
        "ledger_list.html",
        include_str!("templates/ledger_list.html"),
    ),
    (
        "record_form.html",
        include_str!("templates/record_form.html"),
    ),
    (
        "record_detail.html",
        include_str!("templates/record_detail.html"),
    ),
];

const PAGE_SIZE: i64 = 50;

/// Names of the park's units and enterprises, for showing ids and offering choices.
struct Lookups {
    units: HashMap<i64, String>,
    unit_names: Vec<String>,
    enterprise_names: Vec<String>,
}

async fn lookups(st: &AppState, page: &Page) -> Result<Lookups, AppError> {
    let units = crate::org::queries::units(&st.db, page.who.park_id).await?;
    let unit_names = units
        .iter()
        .filter(|u| page.who.covers(Some(u.id), None))
        .map(|u| u.name.clone())
        .collect();
    let enterprise_names = match crate::org::service::list_enterprises(&st.db, &page.who).await {
        Ok(list) => list.into_iter().map(|e| e.name).collect(),
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(Lookups {
        units: units.into_iter().map(|u| (u.id, u.name)).collect(),
        unit_names,
        enterprise_names,
    })
}

fn display(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => String::new(),
        Some(Json::Bool(true)) => "是".into(),
        Some(Json::Bool(false)) => "否".into(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

// ---- list ----

/// Page sizes offered on a list; the first page of a list shows [`PAGE_SIZE`] rows.
const PAGE_SIZES: [i64; 3] = [20, 50, 100];

#[derive(Serialize)]
struct ListView {
    chrome: Chrome,
    kind: KindHead,
    columns: Vec<String>,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    size: i64,
    sizes: [i64; 3],
    filters: Vec<Filter>,
    year: String,
    years: Vec<i32>,
    q: String,
    deleted: bool,
    /// The filters (not the page) as a query string, for the pager.
    query: String,
    /// The same as pairs, kept as hidden fields of the page-jump form.
    query_pairs: Vec<(String, String)>,
    /// The filters as shown, with the year made explicit, for the export link.
    export_query: String,
    /// The unit and dates a link narrowed the list to, in words; empty when none.
    narrowed: String,
    /// The units the principal may see, indented under their parents, for the unit filter.
    units: Vec<(i64, String)>,
    unit: String,
    sub_units: bool,
    from: String,
    to: String,
    /// What is wrong with the filters, in words; the list is then not read.
    errors: Vec<String>,
    /// This list with its filters, for the records' way back.
    back: String,
    can_write: bool,
    /// The staff's controls (export, import template, deleted records): never an enterprise's.
    staff_controls: bool,
    /// Why the kind takes no new records, and where to record instead (a `closed` kind).
    closed: Option<String>,
}

#[derive(Serialize)]
struct KindHead {
    id: String,
    sheet: String,
    name: String,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    /// The running number across pages (序号).
    no: i64,
    cells: Vec<String>,
    /// A visit not by the enterprise's 包联领导: `visits::UNPAIRED_MARK`.
    mark: Option<&'static str>,
}

#[derive(Serialize)]
struct Filter {
    key: String,
    label: String,
    options: Vec<String>,
    value: String,
}

/// Most columns a list shows.
const MAX_COLUMNS: usize = 7;

/// Fields shown as list columns, all read from the catalogue: the date, the title, the unit or
/// enterprise concerned, the choice fields (what the list filters by), the fields a
/// plausibility rule compares (应到 and 实到 of a meeting: the other first, the larger one),
/// then other short fields (not a list of names), at most [`MAX_COLUMNS`].
fn list_columns(kind: &KindDef) -> Vec<&FieldDef> {
    let mut keys: Vec<&str> = vec![&kind.date_field, &kind.title_field];
    keys.extend(kind.unit_field.as_deref());
    keys.extend(kind.enterprise_field.as_deref());
    keys.extend(
        kind.fields
            .iter()
            .filter(|f| f.field_type == FieldType::Choice)
            .map(|f| f.key.as_str()),
    );
    for rule in &kind.plausibility {
        keys.extend(rule.other.as_deref());
        if rule.other.is_some() {
            keys.push(&rule.field);
        }
    }
    keys.extend(
        kind.fields
            .iter()
            .filter(|f| {
                !matches!(
                    f.field_type,
                    FieldType::Longtext | FieldType::People | FieldType::Absences
                )
            })
            .map(|f| f.key.as_str()),
    );
    let mut cols: Vec<&FieldDef> = Vec::new();
    for key in keys {
        if cols.len() >= MAX_COLUMNS {
            break;
        }
        if let Some(f) = kind
            .field(key)
            .filter(|f| !cols.iter().any(|c| c.key == f.key))
        {
            cols.push(f);
        }
    }
    cols
}

/// The units a principal may see in roster order, each under its parent and indented by depth.
fn unit_choices(
    units: &[crate::org::queries::Unit],
    who: &crate::auth::Principal,
) -> Vec<(i64, String)> {
    fn walk(
        units: &[crate::org::queries::Unit],
        who: &crate::auth::Principal,
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(i64, String)>,
    ) {
        for u in units.iter().filter(|u| u.parent_id == parent) {
            if out.iter().any(|(id, _)| *id == u.id) {
                continue;
            }
            let shown = who.covers(Some(u.id), None);
            if shown {
                out.push((u.id, format!("{}{}", "\u{3000}".repeat(depth), u.name)));
            }
            walk(units, who, Some(u.id), depth + usize::from(shown), out);
        }
    }
    let mut out = Vec::new();
    walk(units, who, None, 0, &mut out);
    out
}

async fn list(
    State(st): State<AppState>,
    page: Page,
    Path(kind_id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let kinds = kinds::kinds(&st.db, &page.who).await?;
    let Some(kind) = kinds.iter().find(|k| k.id == kind_id).cloned() else {
        return match kinds::kind(&st.db, &page.who, &kind_id).await {
            Err(e) => Err(e.into()),
            Ok(_) => Ok(error_page(
                StatusCode::FORBIDDEN,
                "您的角色不能查看此类台账",
            )),
        };
    };
    let this_year = crate::ledger::pages::working_year(&st, &page).await?;
    let ListFilters {
        params,
        filters,
        year,
        page_no,
        size,
        mut errors,
    } = list_filters(&kind, &pairs, this_year);
    let get = |k: &str| query_value(&pairs, k);
    let all_units = crate::org::queries::units(&st.db, page.who.park_id).await?;
    let units = unit_choices(&all_units, &page.who);
    // The unit, and the dates, in words: a link from the checks grid narrows to one unit's month.
    let mut narrowed = Vec::new();
    if let Some(unit) = params.unit_id {
        match all_units.iter().find(|u| u.id == unit) {
            Some(u) if units.iter().any(|(id, _)| *id == unit) => {
                narrowed.push(format!(
                    "单位：{}{}",
                    u.name,
                    if params.sub_units {
                        "（含下级）"
                    } else {
                        ""
                    }
                ));
            }
            _ => errors.push("组织单位：没有这个单位，或不在您的数据范围内".to_string()),
        }
    }
    if let Some(enterprise) = params.enterprise_id {
        match crate::org::service::get_enterprise(&st.db, &page.who, enterprise).await {
            Ok(e) => narrowed.push(format!("企业：{}", e.name)),
            Err(AppError::NotFound(_) | AppError::Forbidden(_)) => {
                errors.push("企业：没有这家企业，或不在您的数据范围内".to_string())
            }
            Err(e) => return Err(e.into()),
        }
    }
    for (label, date) in [("起", params.from), ("止", params.to)] {
        if let Some(date) = date {
            narrowed.push(format!("{label}：{date}"));
        }
    }
    let offset = params.offset.unwrap_or(0);
    let (items, total) = if errors.is_empty() {
        let result = service::list(
            &st.db,
            &st.part::<crate::ledger::service::CountCache>(),
            &page.who,
            params,
        )
        .await?;
        (result.items, result.total)
    } else {
        (Vec::new(), 0)
    };
    let cols = list_columns(&kind);
    let unpaired = crate::visits::service::unpaired(&st.db, page.who.park_id, &items).await?;
    let rows = items
        .iter()
        .zip(1..)
        .map(|(r, i)| Row {
            id: r.id,
            no: offset + i,
            cells: cols.iter().map(|c| display(r.fields.get(&c.key))).collect(),
            mark: unpaired
                .contains(&r.id)
                .then_some(crate::visits::UNPAIRED_MARK),
        })
        .collect();
    let query_pairs: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, v)| k != "page" && !v.is_empty())
        .cloned()
        .collect();
    let query: String = query_pairs
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let export_query = std::iter::once(format!("year={}", urlencode(&year)))
        .chain(
            pairs
                .iter()
                .filter(|(k, v)| k != "page" && k != "size" && k != "year" && !v.is_empty())
                .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))),
        )
        .collect::<Vec<_>>()
        .join("&");
    let mut back = format!("/ledger/{}", kind.id);
    let here: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect();
    if !here.is_empty() {
        back = format!("{back}?{}", here.join("&"));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let view = ListView {
        export_query,
        narrowed: narrowed.join("，"),
        units,
        unit: get("unit"),
        sub_units: get("sub") == "1" || get("unit").is_empty(),
        from: get("from"),
        to: get("to"),
        errors,
        back,
        chrome: page.chrome(&st, &format!("/ledger/{}", kind.id)).await?,
        columns: cols.iter().map(|c| c.label.clone()).collect(),
        rows,
        total,
        page: page_no,
        pages: (total + size - 1) / size,
        size,
        sizes: PAGE_SIZES,
        filters,
        years: (this_year - 4..=this_year).rev().collect(),
        year,
        q: get("q"),
        deleted: get("deleted") == "1",
        query,
        query_pairs,
        can_write: kind.closed.is_none()
            && page
                .who
                .role
                .allows(crate::auth::Action::WriteRecords(&kind.id)),
        staff_controls: page.who.role != crate::auth::Role::Enterprise,
        closed: kind.closed.clone(),
        kind: KindHead {
            id: kind.id,
            sheet: kind.sheet,
            name: kind.name,
        },
    };
    let mut res = render("ledger_list.html", view);
    *res.status_mut() = status;
    Ok(res)
}

/// A ledger list's filters as its query string gives them; the Excel export reads the same, so
/// the file holds exactly the rows the page lists (every page of them).
pub(crate) struct ListFilters {
    pub params: ListParams,
    filters: Vec<Filter>,
    year: String,
    page_no: i64,
    size: i64,
    /// What is wrong with the filters, in words (a date that does not exist, …).
    pub errors: Vec<String>,
}

fn query_value(pairs: &[(String, String)], k: &str) -> String {
    pairs
        .iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

pub(crate) fn list_filters(
    kind: &KindDef,
    pairs: &[(String, String)],
    this_year: i32,
) -> ListFilters {
    let get = |k: &str| query_value(pairs, k);
    let mut errors = Vec::new();
    let mut date = |k: &str, label: &str| {
        let raw = get(k);
        if raw.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(&raw, "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.push(format!(
                "{label}：“{raw}”不是有效的日期，请按 2025-03-31 的格式填写"
            ));
        }
        parsed
    };
    let (from, to) = (date("from", "起始日期"), date("to", "截止日期"));
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            errors.push(format!("起始日期 {f} 晚于截止日期 {t}"));
        }
    }
    let unit = get("unit");
    let unit_id = unit.parse::<i64>().ok();
    if !unit.is_empty() && unit_id.is_none() {
        errors.push("组织单位：没有这个单位，或不在您的数据范围内".to_string());
    }
    let enterprise = get("enterprise");
    let enterprise_id = enterprise.parse::<i64>().ok();
    if !enterprise.is_empty() && enterprise_id.is_none() {
        errors.push("企业：没有这家企业，或不在您的数据范围内".to_string());
    }
    // This year by default, unless the link names a year (possibly "" for all) or a date range.
    let year = match pairs.iter().find(|(k, _)| k == "year") {
        Some((_, v)) => v.trim().to_string(),
        None if from.is_some() || to.is_some() => String::new(),
        None => this_year.to_string(),
    };
    let size = get("size")
        .parse::<i64>()
        .ok()
        .filter(|s| PAGE_SIZES.contains(s))
        .unwrap_or(PAGE_SIZE);
    let page_no = get("page").parse::<i64>().unwrap_or(1).clamp(1, 1_000_000);
    let mut params = ListParams {
        kind: Some(kind.id.clone()),
        year: crate::web::ui::parse_year(&year),
        from,
        to,
        unit_id,
        enterprise_id,
        sub_units: get("sub") == "1",
        q: Some(get("q")).filter(|q| !q.is_empty()),
        deleted: get("deleted") == "1",
        sort: Some(get("sort")).filter(|s| !s.is_empty()),
        limit: Some(size),
        offset: Some((page_no - 1) * size),
        ..Default::default()
    };
    let mut filters = Vec::new();
    for f in kind
        .fields
        .iter()
        .filter(|f| matches!(f.field_type, FieldType::Choice | FieldType::Bool))
    {
        let value = get(&format!("f.{}", f.key));
        let options = match f.field_type {
            FieldType::Bool => vec!["是".to_string(), "否".to_string()],
            _ => f.choices.clone(),
        };
        if !value.is_empty() {
            if !options.contains(&value) {
                errors.push(format!("{}：没有“{value}”这一项", f.label));
            }
            let stored = match (f.field_type, value.as_str()) {
                (FieldType::Bool, "是") => "true".to_string(),
                (FieldType::Bool, _) => "false".to_string(),
                _ => value.clone(),
            };
            params.fields.push((f.key.clone(), stored));
        }
        filters.push(Filter {
            key: f.key.clone(),
            label: f.label.clone(),
            options,
            value,
        });
    }
    ListFilters {
        params,
        filters,
        year,
        page_no,
        size,
        errors,
    }
}

// ---- form ----

#[derive(Serialize)]
struct FormView {
    chrome: Chrome,
    kind: KindHead,
    fields: Vec<FormField>,
    action: String,
    version: Option<i64>,
    message: Option<String>,
    conflict: Option<Vec<(String, String)>>,
    units: Vec<String>,
    enterprises: Vec<String>,
}

#[derive(Serialize)]
struct FormField {
    key: String,
    label: String,
    kind: &'static str,
    required: bool,
    choices: Vec<String>,
    value: String,
    error: Option<String>,
}

/// The form's inputs: the fields the role may set (the catalogue's `set_by`), with what was
/// typed and their errors.
fn form_fields(
    kind: &KindDef,
    role: crate::auth::Role,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Vec<FormField> {
    kind.fields
        .iter()
        .filter(|f| f.may_set(role))
        .map(|f| FormField {
            key: f.key.clone(),
            label: f.label.clone(),
            kind: f.field_type.as_str(),
            required: f.required,
            choices: f.choices.clone(),
            value: values.get(&f.key).cloned().unwrap_or_default(),
            error: errors
                .iter()
                .find(|e| e.field == f.key)
                .map(|e| e.message.clone()),
        })
        .collect()
}

fn values_of(r: &RecordView) -> HashMap<String, String> {
    r.fields
        .iter()
        .map(|(k, v)| (k.clone(), display(Some(v))))
        .collect()
}

/// A record form as the page shows it: where it posts, what it holds, and what it says.
struct RecordForm {
    action: String,
    values: HashMap<String, String>,
    errors: Vec<FieldError>,
    /// The version the form was read at, sent back with the save.
    version: Option<i64>,
    message: Option<String>,
    /// What someone else saved meanwhile, field by field.
    conflict: Option<Vec<(String, String)>>,
}

impl RecordForm {
    /// A form before anyone typed.
    fn new(action: String, values: HashMap<String, String>, version: Option<i64>) -> RecordForm {
        RecordForm {
            action,
            values,
            errors: Vec::new(),
            version,
            message: None,
            conflict: None,
        }
    }

    /// The form again as typed beside what the other person saved meanwhile; it now carries the
    /// current version, so saving again is a deliberate overwrite.
    fn lost_to(self, current: i64, theirs: Vec<(String, String)>) -> RecordForm {
        RecordForm {
            version: Some(current),
            message: Some(SAVED_MEANWHILE.into()),
            conflict: Some(theirs),
            ..self
        }
    }

    /// The form again as typed, with the mistakes at their fields.
    fn refused(self, errors: Vec<FieldError>) -> RecordForm {
        RecordForm {
            errors,
            message: Some(FIX_AND_SAVE.into()),
            ..self
        }
    }
}

async fn form_page(st: &AppState, page: &Page, kind: &KindDef, form: RecordForm) -> PageResult {
    let RecordForm {
        action,
        values,
        errors,
        version,
        message,
        conflict,
    } = form;
    let errors = &errors[..];
    let look = lookups(st, page).await?;
    let unknown: Vec<String> = errors
        .iter()
        .filter(|e| kind.field(&e.field).is_none())
        .map(ToString::to_string)
        .collect();
    let message = match (message, unknown.is_empty()) {
        (Some(m), true) => Some(m),
        (Some(m), false) => Some(format!("{m}；{}", unknown.join("；"))),
        (None, false) => Some(unknown.join("；")),
        (None, true) => None,
    };
    Ok(render(
        "record_form.html",
        FormView {
            chrome: page.chrome(st, &format!("/ledger/{}", kind.id)).await?,
            kind: KindHead {
                id: kind.id.clone(),
                sheet: kind.sheet.clone(),
                name: kind.name.clone(),
            },
            fields: form_fields(kind, page.who.role, &values, errors),
            action,
            version,
            message,
            conflict,
            units: look.unit_names,
            enterprises: look.enterprise_names,
        },
    ))
}

/// A kind the catalogue marks `closed` takes no new or changed records: its forms (and its
/// import template) answer 409 with the catalogue's message saying where to record instead.
pub(crate) fn refuse_if_closed(kind: &KindDef) -> Result<(), PageError> {
    match &kind.closed {
        Some(message) => Err(PageError::answer(crate::web::ui::titled_error_page(
            StatusCode::CONFLICT,
            "此台账不再登记",
            message,
        ))),
        None => Ok(()),
    }
}

async fn new_form(
    State(st): State<AppState>,
    page: Page,
    Path(kind_id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let kind = writable_kind(&st, &page, &kind_id).await?;
    let mut values = HashMap::new();
    values.insert(
        kind.date_field.clone(),
        crate::calendar::today(st.now()).to_string(),
    );
    // A visit is the signed-in person's own unless the link names another visitor.
    if kind.id == crate::visits::VISIT_KIND && kind.field(crate::visits::VISITOR_FIELD).is_some() {
        if let Some(name) = crate::visits::service::own_name(&st.db, &page.who).await? {
            values.insert(crate::visits::VISITOR_FIELD.to_string(), name);
        }
    }
    // A link may fill fields in (记走访: the enterprise and the visitor); what it names is only
    // a starting value, checked on saving like anything typed.
    for (key, value) in pairs {
        if kind.field(&key).is_some_and(|f| f.may_set(page.who.role)) {
            values.insert(key, value);
        }
    }
    // An enterprise user's request is its own enterprise's.
    if let (crate::auth::Scope::Enterprise(own), Some(key)) =
        (&page.who.scope, &kind.enterprise_field)
    {
        match crate::org::service::get_enterprise(&st.db, &page.who, *own).await {
            Ok(e) => {
                values.insert(key.clone(), e.name);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let form = RecordForm::new(format!("/ledger/{}/new", kind.id), values, None);
    form_page(&st, &page, &kind, form).await
}

/// A submitted record form: what was typed (to show again), and the record's input with the
/// version the form was read at (its kind left to the caller).
struct Submitted {
    values: HashMap<String, String>,
    input: RecordInput,
}

fn read_form(kind: &KindDef, pairs: Vec<(String, String)>) -> Submitted {
    let mut values = HashMap::new();
    let mut input = RecordInput {
        kind: None,
        fields: Map::new(),
        version: None,
    };
    for (k, v) in pairs {
        match k.as_str() {
            "_version" => input.version = v.trim().parse().ok(),
            _ if kind.field(&k).is_some() => {
                let json = if v.trim().is_empty() {
                    Json::Null
                } else {
                    Json::String(v.clone())
                };
                input.fields.insert(k.clone(), json);
                values.insert(k, v);
            }
            _ => {}
        }
    }
    Submitted { values, input }
}

/// What a refused record form says above its fields.
const FIX_AND_SAVE: &str = "请按提示修改后再保存";

/// What a record form says when someone else saved the record since it was opened.
const SAVED_MEANWHILE: &str = "保存冲突：在您编辑期间，该记录已被他人修改。下方是对方保存的内容；您填写的内容仍保留在表单中，确认无误后可再次保存覆盖。";

/// A kind whose records the user may write, and which takes them.
async fn writable_kind(st: &AppState, page: &Page, kind_id: &str) -> Result<KindDef, PageError> {
    let kind = kinds::kind(&st.db, &page.who, kind_id).await?;
    page.who
        .require(crate::auth::Action::WriteRecords(&kind.id))?;
    refuse_if_closed(&kind)?;
    Ok(kind)
}

async fn create(
    State(st): State<AppState>,
    page: Page,
    Path(kind_id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let kind = writable_kind(&st, &page, &kind_id).await?;
    let Submitted { values, mut input } = read_form(&kind, pairs);
    (input.kind, input.version) = (Some(kind.id.clone()), None);
    let saved = service::create(&st.db, &page.who, input, st.now()).await;
    let form = RecordForm::new(format!("/ledger/{}/new", kind.id), values, None);
    let again = |errors| form_page(&st, &page, &kind, form.refused(errors));
    saved_or_again(saved, |r| format!("/records/{}?saved=1", r.id), again).await
}

/// A record the user may read, with its kind's definition.
async fn record_and_kind(
    st: &AppState,
    page: &Page,
    id: i64,
) -> Result<(RecordView, KindDef), AppError> {
    let rec = service::get(&st.db, &page.who, id).await?;
    let kind = kinds::kind(&st.db, &page.who, &rec.kind).await?;
    Ok((rec, kind))
}

/// A record the user may change, with its kind's definition.
async fn writable_record(
    st: &AppState,
    page: &Page,
    id: i64,
) -> Result<(RecordView, KindDef), PageError> {
    let (rec, kind) = record_and_kind(st, page, id).await?;
    page.who
        .require(crate::auth::Action::WriteRecords(&kind.id))?;
    refuse_if_closed(&kind)?;
    Ok((rec, kind))
}

async fn edit_form(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    let (rec, kind) = writable_record(&st, &page, id).await?;
    let form = RecordForm::new(
        format!("/records/{id}/edit"),
        values_of(&rec),
        Some(rec.version),
    );
    form_page(&st, &page, &kind, form).await
}

async fn update(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (rec, kind) = writable_record(&st, &page, id).await?;
    let Submitted { values, input } = read_form(&kind, pairs);
    let form = RecordForm::new(format!("/records/{id}/edit"), values, input.version);
    let saved = service::update(&st.db, &page.who, id, input, st.now()).await;
    let again = |refusal: Refusal| {
        let form = match refusal.conflict {
            Some(current) => form.lost_to(current, theirs(&kind, &rec)),
            None => form.refused(refusal.errors),
        };
        form_page(&st, &page, &kind, form)
    };
    saved_or_refused(saved, |_| format!("/records/{id}?saved=1"), again).await
}

/// The record as someone else saved it, field by field, shown beside a form that lost to it.
fn theirs(kind: &KindDef, rec: &RecordView) -> Vec<(String, String)> {
    kind.fields
        .iter()
        .map(|f| (f.label.clone(), display(rec.fields.get(&f.key))))
        .collect()
}

// ---- detail ----

#[derive(Serialize)]
struct DetailView {
    chrome: Chrome,
    kind: KindHead,
    id: i64,
    title: String,
    deleted: bool,
    version: i64,
    unit: Option<String>,
    fields: Vec<(String, String)>,
    attachments: Vec<AttachmentView>,
    history: Vec<HistoryView>,
    can_write: bool,
    can_delete: bool,
    /// Why the kind takes no new or changed records (a `closed` kind).
    closed: Option<String>,
    /// The kind records attendance (`[kind.attendance]`): the page links to the roster pick
    /// and the QR sign-in, and asks for the photos and the scanned sign-in sheet.
    attendance: bool,
    /// Just saved: the page says so once.
    saved: bool,
    /// The list this record was opened from, with its filters; the kind's list otherwise.
    back: String,
    /// A visit's 包联 mark and problems (`visits::service::panel`).
    visit: Option<crate::visits::service::Panel>,
    /// The request categories a problem may be raised under.
    categories: Vec<String>,
    /// A problem that could not be raised: its line, the category chosen and why.
    refused: Option<Refused>,
    unpaired_mark: &'static str,
}

/// A problem line whose request was refused, as the record page shows it again.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Refused {
    pub line: usize,
    pub category: String,
    pub message: String,
}

#[derive(Default, Deserialize)]
pub(crate) struct DetailQuery {
    saved: Option<String>,
    back: Option<String>,
}

/// The way back to a kind's list: the list the record was opened from when that is one of this
/// kind's lists on this site, its plain list otherwise.
fn back_to_list(kind: &str, back: Option<String>) -> String {
    let list = format!("/ledger/{kind}");
    back.filter(|b| {
        b.strip_prefix(&list)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'))
            && !b.contains('\\')
    })
    .unwrap_or(list)
}

#[derive(Serialize)]
struct AttachmentView {
    id: i64,
    name: String,
    size: String,
    previewable: bool,
}

#[derive(Serialize)]
struct HistoryView {
    at: String,
    login: String,
    action: &'static str,
    changes: Vec<(String, String, String)>,
}

fn action_label(a: &str) -> &'static str {
    match a {
        "create" => "新建",
        "update" => "修改",
        "delete" => "删除",
        "restore" => "恢复",
        "attach" => "上传附件",
        "import" => "导入",
        _ => "其他",
    }
}

fn field_changes(
    kind: &KindDef,
    before: Option<&str>,
    after: Option<&str>,
) -> Vec<(String, String, String)> {
    let fields_of = |s: Option<&str>| -> Map<String, Json> {
        s.and_then(|s| serde_json::from_str::<Json>(s).ok())
            .and_then(|v| v.get("fields").and_then(Json::as_object).cloned())
            .unwrap_or_default()
    };
    let (b, a) = (fields_of(before), fields_of(after));
    kind.fields
        .iter()
        .filter(|f| b.get(&f.key) != a.get(&f.key))
        .filter(|_| before.is_some() && after.is_some())
        .map(|f| {
            (
                f.label.clone(),
                display(b.get(&f.key)),
                display(a.get(&f.key)),
            )
        })
        .collect()
}

/// The park's clock, on which people read the times of their own changes.
fn human_size(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
        b if b >= 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{b} 字节"),
    }
}

async fn detail(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    detail_page(&st, &page, id, q, None).await
}

/// A record's page; `refused`: a problem of a visit whose request was refused, shown at its line.
pub(crate) async fn detail_page(
    st: &AppState,
    page: &Page,
    id: i64,
    q: DetailQuery,
    refused: Option<Refused>,
) -> PageResult {
    let (st, page) = (st.clone(), page);
    let rec = service::get(&st.db, &page.who, id).await?;
    let loaded = async {
        let kind = kinds::kind(&st.db, &page.who, &rec.kind).await?;
        let attachments = attachments::attachments(&st.db, &page.who, id).await?;
        let history = service::history(&st.db, &page.who, id).await?;
        let look = lookups(&st, page).await?;
        let visit = if rec.kind == crate::visits::VISIT_KIND {
            Some(crate::visits::service::panel(&st.db, &page.who, &rec).await?)
        } else {
            None
        };
        Ok::<_, AppError>((kind, attachments, history, look, visit))
    };
    let (kind, attachments, history, look, visit) = loaded.await?;
    let view = DetailView {
        chrome: page.chrome(&st, &format!("/ledger/{}", kind.id)).await?,
        id,
        title: rec.title.clone(),
        deleted: rec.deleted,
        version: rec.version,
        unit: rec.unit_id.and_then(|u| look.units.get(&u).cloned()),
        fields: kind
            .fields
            .iter()
            .map(|f| (f.label.clone(), display(rec.fields.get(&f.key))))
            .collect(),
        attachments: attachments
            .into_iter()
            .map(|a| AttachmentView {
                previewable: a.content_type.starts_with("image/")
                    || a.content_type == "application/pdf",
                id: a.id,
                size: human_size(a.size_bytes),
                name: a.file_name,
            })
            .collect(),
        history: history
            .iter()
            .map(|e| HistoryView {
                at: e
                    .at
                    .with_timezone(&crate::calendar::zone())
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                login: e.login.clone(),
                action: action_label(&e.action),
                changes: field_changes(&kind, e.before_json.as_deref(), e.after_json.as_deref()),
            })
            .collect(),
        can_write: kind.closed.is_none()
            && page
                .who
                .role
                .allows(crate::auth::Action::WriteRecords(&kind.id)),
        closed: kind.closed.clone(),
        can_delete: page
            .who
            .role
            .allows(crate::auth::Action::DeleteRecords(&kind.id)),
        attendance: kind.attendance.is_some(),
        saved: q.saved.as_deref() == Some("1"),
        back: back_to_list(&kind.id, q.back),
        visit,
        categories: crate::requests::settings::categories(&st.db, page.who.park_id)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect(),
        refused,
        unpaired_mark: crate::visits::UNPAIRED_MARK,
        kind: KindHead {
            id: kind.id.clone(),
            sheet: kind.sheet.clone(),
            name: kind.name.clone(),
        },
    };
    Ok(render("record_detail.html", view))
}

async fn delete(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    set_deleted(st, page, id, true).await
}

async fn restore(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    set_deleted(st, page, id, false).await
}

async fn set_deleted(st: AppState, page: Page, id: i64, deleted: bool) -> PageResult {
    match service::set_deleted(&st.db, &page.who, id, deleted, st.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/records/{id}")).into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn upload(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    attachments::may_attach(&st.db, &page.who, id).await?;
    let read = Upload::read(&page, form, st.config.max_upload_bytes).await;
    let (name, bytes) = read.and_then(|mut u| u.file())?;
    let name = if name.is_empty() {
        "附件".to_string()
    } else {
        name
    };
    match attachments::add_attachment(&st.db, &st.config, &page.who, id, &name, &bytes, st.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/records/{id}")).into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn download(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    match attachments::open_attachment(&st.db, &st.config, &page.who, id).await {
        Ok((a, bytes)) => {
            let inline =
                a.content_type.starts_with("image/") || a.content_type == "application/pdf";
            Ok(super::api::file_response(
                &a.file_name,
                &a.content_type,
                bytes,
                inline,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
