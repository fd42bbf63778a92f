//! The meeting pages: the roster with each member marked present or absent (the secretary
//! ticking names), the QR code of a sign-in window, and the public page a member opens with it
//! on a phone (no account: the signed code is the authority, its own CSRF token bound to it).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Form, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::service::{self, Line, Mark, Sheet};
use crate::error::{AppError, FieldError};
use crate::report::ReportError;
use crate::web::form::{joined, saved_or_refused, Refusal};
use crate::web::ui::{attachment_disposition, error_page, render, urlencode, Chrome, Page};
use crate::web::{status_of, AppState, CsrfForm, PageResult, Transport};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/records/{id}/attendance", get(attendance).post(save))
        .route("/records/{id}/signin", get(qr))
        .route("/records/{id}/minutes", get(minutes))
        .route("/signin/{id}", get(public).post(sign_in))
}

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "meeting_attendance.html",
        include_str!("templates/meeting_attendance.html"),
    ),
    (
        "meeting_signin_qr.html",
        include_str!("templates/meeting_signin_qr.html"),
    ),
    (
        "meeting_signin.html",
        include_str!("templates/meeting_signin.html"),
    ),
];

/// The meeting as its pages head it.
#[derive(Serialize)]
struct Head {
    id: i64,
    title: String,
    date: String,
    unit: String,
    place: String,
    expected: String,
    attended: String,
}

fn head(sheet: &Sheet) -> Head {
    let a = &sheet.attendance;
    let number = |key: &str| {
        sheet
            .record
            .fields
            .get(key)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    Head {
        id: sheet.record.id,
        title: sheet.record.title.clone(),
        date: sheet.record.date.format("%Y-%m-%d").to_string(),
        unit: sheet
            .unit_field
            .as_deref()
            .map(|k| sheet.field(k))
            .unwrap_or_default(),
        place: sheet.field("place"),
        expected: number(&a.expected),
        attended: number(&a.attended),
    }
}

fn clock(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::calendar::zone())
        .format("%m-%d %H:%M")
        .to_string()
}

#[derive(Serialize)]
struct LineView {
    person: i64,
    name: String,
    mark: String,
    signed: Option<String>,
}

/// The select's value of a mark: `present`, `absent:病假`, or empty.
fn mark_value(mark: &Mark) -> String {
    match mark {
        Mark::Unmarked => String::new(),
        Mark::Present => "present".into(),
        Mark::Absent(reason) => format!("absent:{reason}"),
    }
}

fn line_view(l: &Line, chosen: Option<&String>) -> LineView {
    LineView {
        person: l.member.id,
        name: l.member.name.clone(),
        mark: chosen.cloned().unwrap_or_else(|| mark_value(&l.mark)),
        signed: l.signed.as_ref().map(|s| {
            let via = if s.via == "qr" { "扫码" } else { "登记" };
            format!("{} {via}", clock(s.signed_at))
        }),
    }
}

#[derive(Serialize)]
struct AttendanceView {
    chrome: Chrome,
    meeting: Head,
    version: i64,
    can_write: bool,
    lines: Vec<LineView>,
    options: Vec<(String, String)>,
    strays: Vec<String>,
    saved: bool,
    message: Option<String>,
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn attendance_page(
    st: &AppState,
    page: &Page,
    sheet: Sheet,
    typed: Option<&HashMap<String, String>>,
    version: i64,
    message: Option<String>,
    saved: bool,
) -> PageResult {
    let mut options = vec![
        (String::new(), "未登记".to_owned()),
        ("present".into(), "出席".into()),
    ];
    options.extend(
        sheet
            .reasons
            .iter()
            .map(|r| (format!("absent:{r}"), format!("缺席（{r}）"))),
    );
    let can_write = page
        .who
        .role
        .allows(crate::auth::Action::WriteRecords(&sheet.record.kind));
    let view = AttendanceView {
        chrome: page
            .chrome(st, &format!("/ledger/{}", sheet.record.kind))
            .await?,
        meeting: head(&sheet),
        version,
        can_write,
        lines: sheet
            .lines
            .iter()
            .map(|l| line_view(l, typed.and_then(|t| t.get(&format!("m{}", l.member.id)))))
            .collect(),
        options,
        strays: sheet.strays.clone(),
        saved,
        message,
    };
    Ok(render("meeting_attendance.html", view))
}

async fn attendance(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let sheet = service::roster(&st.db, &page.who, id).await?;
    let version = sheet.record.version;
    let saved = q.saved.as_deref() == Some("1");
    attendance_page(&st, &page, sheet, None, version, None, saved).await
}

/// Reads the marks of the form: `m<person id>` = `present` | `absent:<reason>` | empty.
fn read_marks(pairs: &[(String, String)]) -> Result<HashMap<i64, Mark>, FieldError> {
    let mut marks = HashMap::new();
    for (k, v) in pairs {
        let Some(id) = k.strip_prefix('m') else {
            continue;
        };
        let bad = || FieldError::new("attendees", "参会人员", "提交的参会登记有误，请刷新后重试");
        let id: i64 = id.parse().map_err(|_| bad())?;
        let mark = match v.as_str() {
            "" => continue,
            "present" => Mark::Present,
            other => match other.strip_prefix("absent:") {
                Some(reason) if !reason.is_empty() => Mark::Absent(reason.to_owned()),
                _ => return Err(bad()),
            },
        };
        marks.insert(id, mark);
    }
    Ok(marks)
}

/// The attendance form: the version read and what was typed, shown again after a refusal.
struct AttendanceForm {
    typed: HashMap<String, String>,
    version: i64,
}

/// The attendance form as sent, and its marks or the mistake in them.
fn attendance_form(
    pairs: Vec<(String, String)>,
) -> (AttendanceForm, Result<HashMap<i64, Mark>, Vec<FieldError>>) {
    let marks = read_marks(&pairs).map_err(|e| vec![e]);
    let typed = crate::web::form::form_map(pairs);
    let version = typed.get("version").and_then(|v| v.parse().ok());
    let form = AttendanceForm {
        version: version.unwrap_or(0),
        typed,
    };
    (form, marks)
}

async fn save(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (form, marks) = attendance_form(pairs);
    let saved = match marks {
        Ok(marks) => service::save(&st.db, &page.who, id, form.version, &marks, st.now()).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    let again = |refusal| attendance_refused(&st, &page, id, form, refusal);
    saved_or_refused(
        saved,
        |_| format!("/records/{id}/attendance?saved=1"),
        again,
    )
    .await
}

/// The attendance page after a refused save: as typed with the mistakes, or, lost to someone
/// else's save, the list as it now stands.
async fn attendance_refused(
    st: &AppState,
    page: &Page,
    id: i64,
    form: AttendanceForm,
    refusal: Refusal,
) -> PageResult {
    let sheet = service::roster(&st.db, &page.who, id).await?;
    let (typed, version, message) = match refusal.conflict {
        Some(current) => (None, current, STALE.to_owned()),
        None => (Some(&form.typed), form.version, joined(&refusal.errors)),
    };
    attendance_page(st, page, sheet, typed, version, Some(message), false).await
}

const STALE: &str =
    "保存冲突：参会登记已被他人修改（可能有人刚刚扫码签到），下面是最新名单，请重新登记后再保存";

#[derive(Serialize)]
struct QrView {
    chrome: Chrome,
    meeting: Head,
    url: String,
    /// The same page on this device, for a member without a phone at hand.
    path: String,
    svg: String,
    expires: String,
    signed: Vec<LineView>,
}

async fn qr(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Extension(transport): Extension<Transport>,
    headers: HeaderMap,
) -> PageResult {
    let (code, checked, sheet) = service::issue(&st.db, &page.who, id, st.now()).await?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("localhost");
    let scheme = match transport {
        Transport::Https => "https",
        Transport::Plain => "http",
    };
    let path = format!("/signin/{id}?code={}", urlencode(&code));
    let url = format!("{scheme}://{host}{path}");
    let view = QrView {
        chrome: page
            .chrome(&st, &format!("/ledger/{}", sheet.record.kind))
            .await?,
        meeting: head(&sheet),
        svg: crate::auth::totp::qr_svg(&url),
        url,
        path,
        expires: clock(checked.expires),
        signed: sheet
            .lines
            .iter()
            .filter(|l| l.signed.is_some())
            .map(|l| line_view(l, None))
            .collect(),
    };
    Ok(render("meeting_signin_qr.html", view))
}

#[derive(Deserialize)]
struct CodeQuery {
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    last4: String,
}

#[derive(Serialize, Default)]
struct PublicView {
    meeting: Option<Head>,
    code: String,
    form: String,
    people: Vec<(i64, String)>,
    person: Option<i64>,
    expires: String,
    signed: Option<String>,
    error: Option<String>,
    errors: HashMap<String, String>,
}

/// The public page, or its refusal (a bad, expired or foreign code) on the same page.
async fn public_page(
    st: &AppState,
    id: i64,
    code: &str,
    mut view: PublicView,
) -> axum::response::Response {
    match service::open(&st.db, id, code, st.now()).await {
        Ok((sheet, checked, form)) => {
            view.meeting = Some(head(&sheet));
            view.people = sheet
                .lines
                .iter()
                .filter(|l| l.signed.is_none() || l.mark != Mark::Present)
                .map(|l| (l.member.id, l.member.name.clone()))
                .collect();
            view.code = code.to_owned();
            view.form = form;
            view.expires = clock(checked.expires);
            render("meeting_signin.html", view)
        }
        Err(e) => refusal(e, view),
    }
}

fn refusal(e: AppError, mut view: PublicView) -> axum::response::Response {
    let (status, _) = status_of(&e);
    if status.is_server_error() {
        tracing::error!(error = %e, "sign-in page failed");
        view.error = Some("系统暂时无法签到，请稍后再试或请会议记录人为您登记".into());
    } else {
        view.error = Some(e.to_string());
    }
    view.meeting = None;
    let mut res = render("meeting_signin.html", view);
    *res.status_mut() = status;
    res
}

async fn public(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<CodeQuery>,
) -> axum::response::Response {
    public_page(&st, id, &q.code, PublicView::default()).await
}

async fn sign_in(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<SignInForm>,
) -> axum::response::Response {
    let person = f.person.trim().parse::<i64>().ok();
    match service::sign_in(&st.db, id, &f.code, &f.form, person, &f.last4, st.now()).await {
        Ok(name) => {
            let view = PublicView {
                signed: Some(name),
                ..PublicView::default()
            };
            render("meeting_signin.html", view)
        }
        Err(AppError::Invalid(errors)) => {
            // What the member cannot mend here (the record itself refused, say a name no longer
            // in the roster) is said above the form instead of at a field it does not show.
            let theirs = |e: &FieldError| e.field == "person" || e.field == "last4";
            let others: Vec<String> = errors
                .iter()
                .filter(|e| !theirs(e))
                .map(|e| format!("{}，请会议记录人为您登记", e))
                .collect();
            let view = PublicView {
                person,
                errors: crate::web::FormErrors::by_field(&errors),
                error: (!others.is_empty()).then(|| others.join("；")),
                ..PublicView::default()
            };
            let mut res = public_page(&st, id, &f.code, view).await;
            if res.status() == StatusCode::OK {
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            res
        }
        Err(e) => refusal(e, PublicView::default()),
    }
}

#[derive(Deserialize)]
struct MinutesQuery {
    format: Option<String>,
}

/// The meeting's 会议记录 as a DOCX (`?format=pdf`: a PDF through LibreOffice, 503 naming
/// what to install where it is missing), for whoever may read the record.
async fn minutes(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<MinutesQuery>,
) -> PageResult {
    let pdf = match q.format.as_deref() {
        None | Some("docx") => false,
        Some("pdf") => true,
        Some(_) => {
            return Ok(error_page(
                StatusCode::BAD_REQUEST,
                "会议记录的格式只能是 docx 或 pdf",
            ))
        }
    };
    let record = crate::ledger::service::get(&st.db, &page.who, id).await?;
    let kind = crate::ledger::kinds::kind(&st.db, &page.who, &record.kind).await?;
    let (title, parts) = super::minutes::minutes(&kind, &record);
    let fonts = st.config.report_fonts.clone();
    let name = format!("{title}.{}", if pdf { "pdf" } else { "docx" });
    // LibreOffice runs for seconds: on a thread of its own, not the request's.
    let made = tokio::task::spawn_blocking(move || {
        let docx = crate::report::docx::plain_docx(&title, &parts, &fonts)?;
        if pdf {
            crate::report::pdf::convert(&docx, &fonts)
        } else {
            Ok(docx)
        }
    })
    .await
    .unwrap_or(Err(ReportError::Crashed));
    let bytes = match made {
        Ok(bytes) => bytes,
        Err(e @ (ReportError::PdfUnavailable | ReportError::PdfTimedOut(_))) => {
            return Ok(error_page(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()))
        }
        Err(e) => return Err(AppError::BadRequest(e.to_string()).into()),
    };
    let content_type = if pdf {
        "application/pdf"
    } else {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                attachment_disposition(&name, false),
            ),
        ],
        bytes,
    )
        .into_response())
}
