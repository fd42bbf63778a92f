//! 台账目录 pages: a park's ledger kinds and their fields, edited without code (党建办). The
//! services refuse what would strand data (a field that records use cannot be removed or retyped);
//! the pages show their message at the field.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::catalogue::{FieldDef, FieldType, KindDef};
use super::kinds::NewKind;
use crate::auth::Action;
use crate::error::{AppError, FieldError};
use crate::web::form::{parsed, saved_or_again, values_of};
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, CsrfForm, FormErrors, PageResult};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("kinds.html", include_str!("templates/kinds.html")),
    (
        "kind_fields.html",
        include_str!("templates/kind_fields.html"),
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/kinds", get(kinds).post(create_kind))
        .route("/admin/kinds/{kind}", get(kind))
        .route("/admin/kinds/{kind}/fields", post(add_field))
        .route(
            "/admin/kinds/{kind}/fields/{key}/delete",
            post(remove_field),
        )
        .route("/admin/kinds/{kind}/fields/{key}/type", post(retype_field))
}

/// Field types as offered on the form, with their Chinese names.
const TYPES: [(FieldType, &str); 10] = [
    (FieldType::Text, "文本"),
    (FieldType::Longtext, "长文本"),
    (FieldType::Integer, "整数"),
    (FieldType::Decimal, "小数"),
    (FieldType::Date, "日期"),
    (FieldType::Bool, "是/否"),
    (FieldType::Choice, "选项"),
    (FieldType::Unit, "单位"),
    (FieldType::Enterprise, "企业"),
    (FieldType::Person, "人员"),
];

fn type_label(t: FieldType) -> &'static str {
    TYPES.iter().find(|(x, _)| *x == t).map_or("", |(_, l)| l)
}

fn type_choices() -> Vec<(&'static str, &'static str)> {
    TYPES.iter().map(|(t, l)| (t.as_str(), *l)).collect()
}

fn parse_type(v: &str) -> Option<FieldType> {
    TYPES
        .iter()
        .find(|(t, l)| t.as_str() == v.trim() || *l == v.trim())
        .map(|(t, _)| *t)
}

/// Choices typed one per line, or separated by 、 or commas.
fn parse_choices(v: &str) -> Vec<String> {
    v.split(['\n', '、', ',', '，'])
        .map(crate::ledger::value::normalize_text)
        .filter(|c| !c.is_empty())
        .collect()
}

#[derive(Serialize)]
struct KindsView {
    chrome: Chrome,
    kinds: Vec<KindRow>,
    new: HashMap<String, String>,
    errors: HashMap<String, String>,
}

#[derive(Serialize)]
struct KindRow {
    id: String,
    name: String,
    sheet: String,
    fields: usize,
}

async fn kinds_page(
    st: &AppState,
    page: &Page,
    new: HashMap<String, String>,
    errors: &[FieldError],
) -> PageResult {
    page.who.require(Action::WriteKinds)?;
    let all = super::kinds::catalogue_kinds(&st.db, &page.who).await?;
    Ok(render(
        "kinds.html",
        KindsView {
            chrome: page.chrome(st, "/admin/kinds").await?,
            kinds: all
                .into_iter()
                .map(|k| KindRow {
                    fields: k.fields.len(),
                    id: k.id,
                    name: k.name,
                    sheet: k.sheet,
                })
                .collect(),
            new,
            errors: FormErrors::by_field(errors),
        },
    ))
}

async fn kinds(State(st): State<AppState>, page: Page) -> PageResult {
    kinds_page(&st, &page, HashMap::new(), &[]).await
}

/// The new kind form as typed; the service checks every field.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
struct KindForm {
    id: String,
    name: String,
    sheet: String,
    date_label: String,
    title_label: String,
}

impl KindForm {
    fn input(&self) -> NewKind {
        NewKind {
            id: self.id.clone(),
            name: self.name.clone(),
            sheet: self.sheet.clone(),
            date_label: self.date_label.clone(),
            title_label: self.title_label.clone(),
        }
    }
}

async fn create_kind(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<KindForm>,
) -> PageResult {
    let saved = super::kinds::create_kind(&st.db, &page.who, form.input(), st.now()).await;
    let again = |errors: Vec<FieldError>| async move {
        kinds_page(&st, &page, values_of(&form), &errors).await
    };
    saved_or_again(saved, |k| format!("/admin/kinds/{}", k.id), again).await
}

#[derive(Serialize)]
struct KindView {
    chrome: Chrome,
    kind: KindHead,
    fields: Vec<FieldRow>,
    types: Vec<(&'static str, &'static str)>,
    new: HashMap<String, String>,
    new_errors: HashMap<String, String>,
    /// The field whose change was refused, and why.
    failed_key: Option<String>,
    failed_message: Option<String>,
    notice: Option<String>,
}

#[derive(Serialize)]
struct KindHead {
    id: String,
    name: String,
    sheet: String,
}

#[derive(Serialize)]
struct FieldRow {
    key: String,
    label: String,
    field_type: &'static str,
    type_label: &'static str,
    required: bool,
    choices: String,
    /// The date and title fields hold the kind together and are not removed here.
    fixed: bool,
}

#[derive(Default)]
struct KindOutcome {
    new: HashMap<String, String>,
    new_errors: Vec<FieldError>,
    failed_key: Option<String>,
    failed_message: Option<String>,
    notice: Option<String>,
}

impl KindOutcome {
    /// The new field form again as typed, with its mistakes.
    fn refused(form: &FieldForm, new_errors: Vec<FieldError>) -> KindOutcome {
        KindOutcome {
            new: values_of(form),
            new_errors,
            ..KindOutcome::default()
        }
    }
}

async fn kind_page(st: &AppState, page: &Page, id: &str, out: KindOutcome) -> PageResult {
    page.who.require(Action::WriteKinds)?;
    let all = super::kinds::catalogue_kinds(&st.db, &page.who).await?;
    let Some(def) = all.into_iter().find(|k| k.id == id) else {
        return Err(AppError::NotFound("台账类型").into());
    };
    let fields = field_rows(&def);
    Ok(render(
        "kind_fields.html",
        KindView {
            chrome: page.chrome(st, "/admin/kinds").await?,
            kind: KindHead {
                id: def.id,
                name: def.name,
                sheet: def.sheet,
            },
            fields,
            types: type_choices(),
            new: out.new,
            new_errors: FormErrors::by_field(&out.new_errors),
            failed_key: out.failed_key,
            failed_message: out.failed_message,
            notice: out.notice,
        },
    ))
}

fn field_rows(def: &KindDef) -> Vec<FieldRow> {
    def.fields
        .iter()
        .map(|f| FieldRow {
            key: f.key.clone(),
            label: f.label.clone(),
            field_type: f.field_type.as_str(),
            type_label: type_label(f.field_type),
            required: f.required,
            choices: f.choices.join("、"),
            fixed: f.key == def.date_field || f.key == def.title_field,
        })
        .collect()
}

async fn kind(State(st): State<AppState>, page: Page, Path(id): Path<String>) -> PageResult {
    kind_page(&st, &page, &id, KindOutcome::default()).await
}

/// The new field form as typed.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
struct FieldForm {
    key: String,
    label: String,
    field_type: String,
    required: String,
    choices: String,
}

impl FieldForm {
    fn parse(&self) -> Result<FieldDef, Vec<FieldError>> {
        let field_type = field_type(&self.field_type)?;
        Ok(FieldDef {
            key: self.key.trim().to_string(),
            label: crate::ledger::value::normalize_text(&self.label),
            field_type,
            required: matches!(self.required.as_str(), "1" | "on"),
            choices: parse_choices(&self.choices),
            default: None,
            scale: None,
            aliases: Vec::new(),
            set_by: Vec::new(),
        })
    }
}

/// The type chosen, or the mistake at the type field.
fn field_type(typed: &str) -> Result<FieldType, Vec<FieldError>> {
    parse_type(typed).ok_or_else(|| vec![FieldError::new("field_type", "类型", "请选择字段类型")])
}

async fn add_field(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<FieldForm>,
) -> PageResult {
    let saved = parsed(form.parse(), |field| {
        super::kinds::add_field(&st.db, &page.who, &id, field, st.now())
    });
    let again = |errors| kind_page(&st, &page, &id, KindOutcome::refused(&form, errors));
    saved_or_again(saved.await, |_| format!("/admin/kinds/{id}"), again).await
}

/// A refused change to one field, shown at its row.
async fn refused_at(
    st: &AppState,
    page: &Page,
    id: &str,
    key: &str,
    errors: Vec<FieldError>,
) -> PageResult {
    let message = errors
        .iter()
        .map(|e| e.message.clone())
        .collect::<Vec<_>>()
        .join("；");
    let out = KindOutcome {
        failed_key: Some(key.to_string()),
        failed_message: Some(message),
        ..KindOutcome::default()
    };
    kind_page(st, page, id, out).await
}

async fn remove_field(
    State(st): State<AppState>,
    page: Page,
    Path((id, key)): Path<(String, String)>,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let saved = super::kinds::remove_field(&st.db, &page.who, &id, &key, st.now()).await;
    let again = |errors| refused_at(&st, &page, &id, &key, errors);
    saved_or_again(saved, |_| format!("/admin/kinds/{id}"), again).await
}

/// The form that changes a field's type, as typed.
#[derive(Deserialize)]
struct RetypeForm {
    #[serde(default)]
    field_type: String,
    #[serde(default)]
    choices: String,
}

async fn retype_field(
    State(st): State<AppState>,
    page: Page,
    Path((id, key)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RetypeForm>,
) -> PageResult {
    let choices = parse_choices(&form.choices);
    let saved = parsed(field_type(&form.field_type), |t| {
        super::kinds::retype_field(&st.db, &page.who, &id, &key, t, choices, st.now())
    });
    let again = |errors| refused_at(&st, &page, &id, &key, errors);
    saved_or_again(saved.await, |_| format!("/admin/kinds/{id}"), again).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_split_on_lines_and_chinese_commas_and_types_parse_by_either_name() {
        assert_eq!(parse_choices("甲、乙\n丙，丁, "), ["甲", "乙", "丙", "丁"]);
        assert_eq!(parse_type("choice"), Some(FieldType::Choice));
        assert_eq!(parse_type("日期"), Some(FieldType::Date));
        assert_eq!(parse_type("x"), None);
    }
}
