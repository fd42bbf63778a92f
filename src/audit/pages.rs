//! 审计 page: the audit log, searchable, for the 审计管理员 only. Each entry's before and after are
//! shown field by field, with ID numbers and phone numbers masked.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use chrono::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AuditFilter, Entry, Verdict};
use crate::error::FieldError;
use crate::web::ui::{render_form, urlencode, Chrome, Page};
use crate::web::{AppState, FormErrors, PageResult};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[("audit.html", include_str!("templates/audit.html"))];

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

const PAGE_SIZE: i64 = 30;

#[derive(Default, Deserialize)]
struct AuditQuery {
    login: Option<String>,
    action: Option<String>,
    entity: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

#[derive(Serialize)]
struct AuditView {
    chrome: Chrome,
    verdict: VerdictView,
    entries: Vec<EntryView>,
    total: i64,
    page: i64,
    pages: i64,
    form: FormValues,
    errors: std::collections::HashMap<String, String>,
    actions: Vec<(&'static str, &'static str)>,
    entities: Vec<(&'static str, &'static str)>,
    query: String,
}

#[derive(Serialize, Default)]
struct FormValues {
    login: String,
    action: String,
    entity: String,
    from: String,
    to: String,
    q: String,
}

#[derive(Serialize)]
struct VerdictView {
    intact: bool,
    text: String,
}

#[derive(Serialize)]
struct EntryView {
    seq: i64,
    at: String,
    login: String,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    changes: Vec<ChangeRow>,
}

#[derive(Serialize, Debug, PartialEq)]
struct ChangeRow {
    key: String,
    before: String,
    after: String,
    changed: bool,
}

const ACTIONS: [(&str, &str); 21] = [
    ("create", "新建"),
    ("update", "修改"),
    ("delete", "删除"),
    ("restore", "恢复"),
    ("assign", "分配角色"),
    ("lock", "锁定"),
    ("unlock", "解锁"),
    ("lockout", "登录失败锁定"),
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("reveal", "查看完整号码"),
    ("attach", "上传附件"),
    ("progress", "填报进展"),
    ("supervise", "督办"),
    ("unsupervise", "取消督办"),
    ("read", "查看审计日志"),
    ("seal", "启用密钥签名"),
    ("rotate", "更换密钥"),
    ("passwd", "设置密码"),
    ("import", "导入"),
    ("demo", "生成演示数据"),
];

const ENTITIES: [(&str, &str); 12] = [
    ("record", "台账记录"),
    ("attachment", "附件"),
    ("kind", "台账类型"),
    ("unit", "单位"),
    ("person", "人员"),
    ("position", "职务"),
    ("enterprise", "企业"),
    ("user", "账号"),
    ("password_profile", "密码策略"),
    ("audit_log", "审计日志"),
    ("park", "园区"),
    ("data_key", "个人数据密钥"),
];

fn label(table: &[(&'static str, &'static str)], id: &str) -> String {
    table
        .iter()
        .find(|(k, _)| *k == id)
        .map_or_else(|| id.to_string(), |(_, l)| (*l).to_string())
}

/// A date typed in the search form, as the instant its day starts on the park's calendar.
fn day_start(
    value: &str,
    field: &str,
    label: &str,
    plus_days: i64,
    errors: &mut Vec<FieldError>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match crate::ledger::value::parse_date_text(v) {
        Ok(d) => {
            let d = d + chrono::Duration::days(plus_days);
            let midnight = d.and_hms_opt(0, 0, 0)?;
            crate::calendar::zone()
                .from_local_datetime(&midnight)
                .single()
                .map(|t| t.with_timezone(&chrono::Utc))
        }
        Err(e) => {
            errors.push(FieldError::new(field, label, e.to_string()));
            None
        }
    }
}

/// A stored value as shown: ID numbers and phone numbers masked wherever they appear.
fn shown(key: &str, v: &Value) -> String {
    let text = match v {
        Value::Null => return String::new(),
        Value::Bool(true) => return "是".into(),
        Value::Bool(false) => return "否".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    super::mask_text(key, &text)
}

/// Flattens a JSON object into `a.b` keys, in their stored order.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn parse_json(s: Option<&str>) -> Option<Vec<(String, Value)>> {
    let mut v: Value = serde_json::from_str(s?).ok()?;
    // Sealed ID numbers and phones are opened (then masked by `shown`), so that an unchanged
    // value, sealed twice with different nonces, reads as unchanged.
    crate::crypto::open_json(&mut v);
    let mut out = Vec::new();
    flatten("", &v, &mut out);
    Some(out)
}

/// Before and after side by side: only what changed when both exist, everything otherwise.
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<ChangeRow> {
    let b = parse_json(before);
    let a = parse_json(after);
    let both = b.is_some() && a.is_some();
    let b = b.unwrap_or_default();
    let a = a.unwrap_or_default();
    let mut keys: Vec<&String> = a.iter().map(|(k, _)| k).collect();
    for (k, _) in &b {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let get = |list: &[(String, Value)], k: &str| {
        list.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null)
    };
    keys.into_iter()
        .map(|k| {
            let (bv, av) = (get(&b, k), get(&a, k));
            ChangeRow {
                key: k.clone(),
                before: shown(k, &bv),
                after: shown(k, &av),
                changed: bv != av,
            }
        })
        .filter(|row| !both || row.changed)
        .collect()
}

fn entry_view(e: Entry) -> EntryView {
    EntryView {
        seq: e.seq,
        at: e
            .at
            // The park's clock, on which the office reads the log.
            .with_timezone(&crate::calendar::zone())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        changes: changes(e.before_json.as_deref(), e.after_json.as_deref()),
        login: e.login,
        action: label(&ACTIONS, &e.action),
        entity: label(&ENTITIES, &e.entity),
        entity_id: e.entity_id,
    }
}

fn non_empty(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|v| !v.is_empty())
}

async fn audit(State(st): State<AppState>, page: Page, Query(q): Query<AuditQuery>) -> PageResult {
    // The role is checked before anything is read; the services check it again.
    page.who.require(crate::auth::Action::ReadAudit)?;
    let form = FormValues {
        login: q.login.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        entity: q.entity.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
    };
    let page_no = q.page.unwrap_or(1).max(1);
    let mut errors = Vec::new();
    let filter = AuditFilter {
        entity: non_empty(&form.entity),
        entity_id: None,
        login: non_empty(&form.login),
        action: non_empty(&form.action),
        from: day_start(&form.from, "from", "起始日期", 0, &mut errors),
        to: day_start(&form.to, "to", "截止日期", 1, &mut errors),
        q: non_empty(&form.q),
        limit: Some(PAGE_SIZE),
        offset: Some((page_no - 1) * PAGE_SIZE),
    };
    let verdict = super::verify_as(&st.db, &page.who).await?;
    let (entries, total) = if errors.is_empty() {
        super::search(&st.db, &page.who, &filter, st.now()).await?
    } else {
        (Vec::new(), 0)
    };
    let verdict = match verdict {
        Verdict::Intact { entries } => VerdictView {
            intact: true,
            text: format!("审计链完整：共 {entries} 条记录，逐条核对哈希无误"),
        },
        Verdict::Broken { seq, reason } => VerdictView {
            intact: false,
            text: format!("审计链在第 {seq} 条处断开：{reason}"),
        },
    };
    let query = [
        ("login", &form.login),
        ("action", &form.action),
        ("entity", &form.entity),
        ("from", &form.from),
        ("to", &form.to),
        ("q", &form.q),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", urlencode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let invalid = !errors.is_empty();
    Ok(render_form(
        "audit.html",
        AuditView {
            chrome: page.chrome(&st, "/audit").await?,
            verdict,
            entries: entries.into_iter().map(entry_view).collect(),
            total,
            page: page_no,
            pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
            form,
            errors: FormErrors::by_field(&errors),
            actions: ACTIONS.to_vec(),
            entities: ENTITIES.to_vec(),
            query,
        },
        invalid,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_shows_only_what_changed_with_personal_data_masked() {
        let rows = changes(
            Some(r#"{"name":"张三","phone":"13812345678","fields":{"a":1}}"#),
            Some(r#"{"name":"张三","phone":"13912345678","fields":{"a":2}}"#),
        );
        assert_eq!(rows.len(), 2, "the unchanged name is left out");
        let row = |k: &str| rows.iter().find(|r| r.key == k).unwrap();
        assert_eq!(row("phone").before, "138****5678");
        assert!(!row("phone").after.contains("13912345678"));
        assert_eq!(row("fields.a").after, "2");
    }

    #[test]
    fn a_creation_shows_every_value_and_hides_id_numbers_anywhere() {
        let rows = changes(None, Some(r#"{"note":"11010519491231002X","ok":true}"#));
        assert_eq!(rows.len(), 2);
        let row = |k: &str| rows.iter().find(|r| r.key == k).unwrap();
        assert!(
            !row("note").after.contains("19491231"),
            "{}",
            row("note").after
        );
        assert_eq!(row("ok").after, "是");
    }

    #[test]
    fn a_wrong_date_is_a_field_error() {
        let mut errors = Vec::new();
        assert!(day_start("2025-13-01", "from", "起始日期", 0, &mut errors).is_none());
        assert_eq!(errors[0].field, "from");
        let t = day_start("2025-06-15", "to", "截止日期", 1, &mut errors).unwrap();
        assert_eq!(t.to_rfc3339(), "2025-06-15T16:00:00+00:00");
    }
}
