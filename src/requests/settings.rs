//! The park's own settings for requests: its categories, each with the 园小二 group it goes to
//! and its working-day limits, and the team (who is in which group, who leads a group, who leads
//! the team). Raising and working a request read them; the 党建办 edits them on
//! `/requests/settings`. A park that never saved categories uses the built-in ones
//! ([`super::CATEGORIES`] with [`Limits::default`]).
//!
//! An open request past its closing deadline is escalated ([`escalation`]): to its group's
//! leaders at once, and to the team's leader once it is [`TEAM_LEADER_AFTER`] working days late.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use super::{Limits, CATEGORIES, GROUPS};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal, Role};
use crate::db::{Db, DbError, Tx};
use crate::error::{AppError, FieldError};
use crate::workdays::Workdays;
use crate::{on_db, on_tx};

/// A category of request: the group it goes to by default and its limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Category {
    pub name: String,
    pub group: String,
    pub limits: Limits,
}

/// The built-in categories, each with the default limits.
pub fn built_in() -> Vec<Category> {
    CATEGORIES
        .iter()
        .map(|(name, group)| Category {
            name: (*name).to_string(),
            group: (*group).to_string(),
            limits: Limits::default(),
        })
        .collect()
}

struct CategoryRow {
    name: String,
    team_group: String,
    contact_days: i64,
    reply_days: i64,
    close_days: i64,
    extended_days: i64,
}
crate::from_row!(CategoryRow:
    name, team_group, contact_days, reply_days, close_days, extended_days);

fn days(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// The park's categories in their order: the saved ones, or the built-in ones when it saved none.
pub async fn categories(db: &Db, park_id: i64) -> Result<Vec<Category>, DbError> {
    let rows: Vec<CategoryRow> = on_db!(db, |pool| sqlx::query_as(
        "SELECT name, team_group, contact_days, reply_days, close_days, extended_days \
         FROM request_categories WHERE park_id = $1 ORDER BY position, id"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await)?;
    if rows.is_empty() {
        return Ok(built_in());
    }
    Ok(rows
        .into_iter()
        .map(|r| Category {
            name: r.name,
            group: r.team_group,
            limits: Limits {
                contact: days(r.contact_days),
                reply: days(r.reply_days),
                close: days(r.close_days),
                extended_close: days(r.extended_days),
            },
        })
        .collect())
}

/// The limits of a category, or the defaults for one the park has since removed.
pub fn limits_of(categories: &[Category], name: &str) -> Limits {
    categories
        .iter()
        .find(|c| c.name == name)
        .map_or_else(Limits::default, |c| c.limits)
}

/// One row of the categories form, as typed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CategoryInput {
    pub name: String,
    pub group: String,
    pub contact: String,
    pub reply: String,
    pub close: String,
    pub extended: String,
}

/// The most working days a limit may be.
const MAX_DAYS: u32 = 90;
/// The most characters of a category's name.
const NAME_MAX: usize = 20;

/// Checks the typed rows (an empty row is skipped): every error names its row and field.
pub fn check_categories(rows: &[CategoryInput]) -> Result<Vec<Category>, AppError> {
    let mut errors = Vec::new();
    let mut out: Vec<Category> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        let name = crate::ledger::value::normalize_text(&row.name);
        let all_blank = name.is_empty()
            && [&row.contact, &row.reply, &row.close, &row.extended]
                .iter()
                .all(|v| v.trim().is_empty());
        if all_blank {
            continue;
        }
        let field = |f: &str| format!("{f}_{n}");
        if name.is_empty() {
            errors.push(FieldError::new(
                &field("name"),
                "类别",
                format!("第{n}行：请填写类别名称"),
            ));
        } else if name.chars().count() > NAME_MAX {
            errors.push(FieldError::new(
                &field("name"),
                "类别",
                format!("第{n}行：类别名称不超过 {NAME_MAX} 字"),
            ));
        } else if out.iter().any(|c| c.name == name) {
            errors.push(FieldError::new(
                &field("name"),
                "类别",
                format!("第{n}行：类别“{name}”重复"),
            ));
        }
        let group = row.group.trim();
        if !GROUPS.contains(&group) {
            errors.push(FieldError::new(
                &field("group"),
                "承办组",
                format!("第{n}行：请从{}中选择", GROUPS.join("、")),
            ));
        }
        let mut number = |key: &str, label: &str, text: &str| -> u32 {
            match text.trim().parse::<u32>() {
                Ok(d) if (1..=MAX_DAYS).contains(&d) => d,
                _ => {
                    errors.push(FieldError::new(
                        &field(key),
                        label,
                        format!("第{n}行：{label}请填 1 到 {MAX_DAYS} 之间的工作日数"),
                    ));
                    0
                }
            }
        };
        let limits = Limits {
            contact: number("contact", "首次联系时限", &row.contact),
            reply: number("reply", "阶段性答复时限", &row.reply),
            close: number("close", "办结时限", &row.close),
            extended_close: number("extended", "延期后办结时限", &row.extended),
        };
        let all_given = [
            limits.contact,
            limits.reply,
            limits.close,
            limits.extended_close,
        ]
        .iter()
        .all(|d| *d > 0);
        if all_given
            && !(limits.contact <= limits.reply
                && limits.reply <= limits.close
                && limits.close < limits.extended_close)
        {
            errors.push(FieldError::new(
                &field("close"),
                "办结时限",
                format!(
                    "第{n}行：时限应依次不减：首次联系 ≤ 阶段性答复 ≤ 办结 < 延期后办结（现为 {}、{}、{}、{}）",
                    limits.contact, limits.reply, limits.close, limits.extended_close
                ),
            ));
        }
        out.push(Category {
            name,
            group: group.to_string(),
            limits,
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("name_1", "类别", "至少保留一个类别"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Replaces the park's categories with the rows typed (the 党建办), audited with before and
/// after. Requests already raised keep their category and deadlines.
pub async fn save_categories(
    db: &Db,
    who: &Principal,
    rows: &[CategoryInput],
    now: DateTime<Utc>,
) -> Result<Vec<Category>, AppError> {
    who.require(Action::ConfigureRequests)?;
    let checked = check_categories(rows)?;
    let before = categories(db, who.park_id).await?;
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM request_categories WHERE park_id = $1"
    )
    .bind(who.park_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for (i, c) in checked.iter().enumerate() {
        insert_category(&mut tx, who.park_id, i, c).await?;
    }
    let change = Change {
        action: "update",
        entity: "request_categories",
        entity_id: None,
        before: Some(json!(before)),
        after: Some(json!(checked)),
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    Ok(checked)
}

async fn insert_category(
    tx: &mut Tx,
    park_id: i64,
    at: usize,
    c: &Category,
) -> Result<(), DbError> {
    let position = i64::try_from(at).unwrap_or(i64::MAX);
    on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO request_categories (park_id, position, name, team_group, contact_days, \
         reply_days, close_days, extended_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(park_id)
    .bind(position)
    .bind(&c.name)
    .bind(&c.group)
    .bind(i64::from(c.limits.contact))
    .bind(i64::from(c.limits.reply))
    .bind(i64::from(c.limits.close))
    .bind(i64::from(c.limits.extended_close))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An account's part in the 园小二 team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    Member,
    GroupLeader,
    TeamLeader,
}

pub const DUTIES: [Duty; 3] = [Duty::Member, Duty::GroupLeader, Duty::TeamLeader];

impl Duty {
    pub fn as_str(self) -> &'static str {
        match self {
            Duty::Member => "member",
            Duty::GroupLeader => "group_leader",
            Duty::TeamLeader => "team_leader",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Duty::Member => "组员",
            Duty::GroupLeader => "组长",
            Duty::TeamLeader => "园小二团队负责人",
        }
    }

    pub fn parse(s: &str) -> Option<Duty> {
        DUTIES
            .into_iter()
            .find(|d| d.as_str() == s || d.label() == s)
    }
}

/// An account that may be on the team (园小二, 党建办 or 领导), with its place if it has one.
#[derive(Clone, Debug, Serialize)]
pub struct TeamRow {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    /// '' when not on the team, or for the team's leader.
    pub team_group: String,
    /// '' when not on the team.
    pub duty: String,
}
crate::from_row!(TeamRow: user_id, login, display_name, role, team_group, duty);

/// The roles whose accounts may be on the team: 园小二 staff in the groups; the team's leader
/// may also be a 领导 or the 党建办.
const TEAM_ROLES: [Role; 3] = [Role::ServiceStaff, Role::Office, Role::Leader];

/// The accounts that may be on the team, each with its place.
pub async fn team(db: &Db, park_id: i64) -> Result<Vec<TeamRow>, DbError> {
    let roles: Vec<&str> = TEAM_ROLES.iter().map(|r| r.as_str()).collect();
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT u.id AS user_id, u.login, u.display_name, u.role, \
         COALESCE(t.team_group, '') AS team_group, COALESCE(t.duty, '') AS duty \
         FROM users u LEFT JOIN request_team t ON t.park_id = u.park_id AND t.user_id = u.id \
         WHERE u.park_id = $1 AND u.role IN ($2, $3, $4) AND NOT u.disabled \
         ORDER BY u.role, u.login"
    )
    .bind(park_id)
    .bind(roles[0])
    .bind(roles[1])
    .bind(roles[2])
    .fetch_all(pool)
    .await)?)
}

/// The place an account has on the team: its group ('' for the team's leader) and duty.
pub async fn place_of(
    db: &Db,
    park_id: i64,
    user_id: i64,
) -> Result<Option<(String, Duty)>, DbError> {
    let row: Option<(String, String)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT team_group, duty FROM request_team WHERE park_id = $1 AND user_id = $2"
    )
    .bind(park_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.and_then(|(g, d)| Duty::parse(&d).map(|d| (g, d))))
}

/// The accounts an overdue request of `group` escalates to at `level`: the group's leaders, or
/// the team's leaders.
pub async fn leaders(
    db: &Db,
    park_id: i64,
    group: &str,
    level: Escalation,
) -> Result<Vec<TeamRow>, DbError> {
    Ok(team(db, park_id)
        .await?
        .into_iter()
        .filter(|m| match level {
            Escalation::GroupLeader => {
                m.duty == Duty::GroupLeader.as_str() && m.team_group == group
            }
            Escalation::TeamLeader => m.duty == Duty::TeamLeader.as_str(),
        })
        .collect())
}

/// One account's place as typed: its user id, the group and the duty ('' for none).
pub struct PlaceInput {
    pub user_id: i64,
    pub group: String,
    pub duty: String,
}

/// Sets every listed account's place on the team (the 党建办), audited with before and after.
/// A group member or group leader is a 园小二 account in one of the three groups; the team's
/// leader is any team role and has no group.
pub async fn save_team(
    db: &Db,
    who: &Principal,
    places: &[PlaceInput],
    now: DateTime<Utc>,
) -> Result<Vec<TeamRow>, AppError> {
    who.require(Action::ConfigureRequests)?;
    let before = team(db, who.park_id).await?;
    let mut errors = Vec::new();
    let mut kept: Vec<(i64, String, Duty)> = Vec::new();
    for p in places {
        let Some(account) = before.iter().find(|m| m.user_id == p.user_id) else {
            return Err(AppError::NotFound("账号"));
        };
        let field = format!("duty_{}", p.user_id);
        let who_is = &account.display_name;
        match (p.duty.trim(), p.group.trim()) {
            ("", _) => {}
            (d, g) => match Duty::parse(d) {
                None => errors.push(FieldError::new(
                    &field,
                    "职责",
                    "请选择组员、组长或团队负责人",
                )),
                Some(Duty::TeamLeader) => kept.push((p.user_id, String::new(), Duty::TeamLeader)),
                Some(_) if account.role != Role::ServiceStaff.as_str() => {
                    errors.push(FieldError::new(
                        &field,
                        "职责",
                        format!("{who_is} 不是园小二账号，只能担任团队负责人"),
                    ))
                }
                Some(_) if !GROUPS.contains(&g) => errors.push(FieldError::new(
                    &format!("group_{}", p.user_id),
                    "所在组",
                    format!("请为 {who_is} 选择所在组：{}", GROUPS.join("、")),
                )),
                Some(duty) => kept.push((p.user_id, g.to_string(), duty)),
            },
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM request_team WHERE park_id = $1"
    )
    .bind(who.park_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for (user_id, group, duty) in &kept {
        insert_place(&mut tx, who.park_id, *user_id, group, *duty).await?;
    }
    let shown = |rows: Vec<(i64, String, String)>| {
        rows.into_iter()
            .map(|(u, g, d)| json!({"user_id": u, "group": g, "duty": d}))
            .collect::<Vec<_>>()
    };
    let change = Change {
        action: "update",
        entity: "request_team",
        entity_id: None,
        before: Some(json!(shown(
            before
                .iter()
                .filter(|m| !m.duty.is_empty())
                .map(|m| (m.user_id, m.team_group.clone(), m.duty.clone()))
                .collect()
        ))),
        after: Some(json!(shown(
            kept.iter()
                .map(|(u, g, d)| (*u, g.clone(), d.as_str().to_string()))
                .collect()
        ))),
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    Ok(team(db, who.park_id).await?)
}

/// Puts an account on the team (its group '' for the team's leader); unchecked: [`save_team`]
/// checks what a user types, the demo writes its own.
pub(crate) async fn insert_place(
    tx: &mut Tx,
    park_id: i64,
    user_id: i64,
    group: &str,
    duty: Duty,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO request_team (park_id, user_id, team_group, duty) VALUES ($1, $2, $3, $4)"
    )
    .bind(park_id)
    .bind(user_id)
    .bind(group)
    .bind(duty.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// How far an overdue request has been escalated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// Past its closing deadline: its group's leaders answer for it.
    GroupLeader,
    /// [`TEAM_LEADER_AFTER`] working days past it: the team's leader.
    TeamLeader,
}

impl Escalation {
    pub fn label(self) -> &'static str {
        match self {
            Escalation::GroupLeader => "已逾期，升级至组长督办",
            Escalation::TeamLeader => "逾期超过3个工作日，升级至园小二团队负责人督办",
        }
    }
}

/// Working days past the closing deadline after which an open request escalates from its group's
/// leaders to the team's leader.
pub const TEAM_LEADER_AFTER: u32 = 3;

/// How far an open request due to close on `close_by` is escalated on `today`.
pub fn escalation(w: &Workdays, close_by: NaiveDate, today: NaiveDate) -> Option<Escalation> {
    if today <= close_by {
        None
    } else if today > w.add(close_by, TEAM_LEADER_AFTER).date {
        Some(Escalation::TeamLeader)
    } else {
        Some(Escalation::GroupLeader)
    }
}

/// The latest closing deadline of a request escalated to the team's leader on `today`: a
/// request due on or before it is more than [`TEAM_LEADER_AFTER`] working days late.
pub fn team_leader_cutoff(w: &Workdays, today: NaiveDate) -> NaiveDate {
    let mut day = today;
    // At most a few weeks back, even across the longest holiday.
    for _ in 0..60 {
        day = day.pred_opt().unwrap_or(day);
        if w.add(day, TEAM_LEADER_AFTER).date < today {
            return day;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, group: &str, d: [&str; 4]) -> CategoryInput {
        CategoryInput {
            name: name.into(),
            group: group.into(),
            contact: d[0].into(),
            reply: d[1].into(),
            close: d[2].into(),
            extended: d[3].into(),
        }
    }

    #[test]
    fn categories_are_checked_row_by_row_naming_the_row_and_field() {
        let ok = check_categories(&[
            row("用地", "项目审批组", ["1", "3", "10", "20"]),
            row("", "", ["", "", "", ""]),
            row("融资", "企业服务组", ["2", "5", "15", "30"]),
        ])
        .expect("valid");
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].limits.close, 10);
        let Err(AppError::Invalid(errors)) = check_categories(&[
            row("用地", "项目审批组", ["1", "3", "10", "20"]),
            row("用地", "不存在组", ["3", "2", "0", "x"]),
        ]) else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["name_2", "group_2", "close_2", "extended_2"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert!(errors.iter().all(|e| e.message.starts_with("第2行")));
    }

    #[test]
    fn limits_must_not_shrink_along_the_way() {
        let Err(AppError::Invalid(errors)) =
            check_categories(&[row("审批", "项目审批组", ["3", "2", "15", "30"])])
        else {
            panic!("refused");
        };
        assert!(errors[0].message.contains("依次不减"), "{errors:?}");
        assert!(check_categories(&[]).is_err(), "at least one category");
    }

    #[test]
    fn an_overdue_request_goes_to_the_group_leader_then_after_three_working_days_to_the_team() {
        let w = Workdays::official();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("day");
        // Due Friday 4 September 2026: 7, 8 and 9 September are the three working days after it.
        let due = d(9, 4);
        assert_eq!(escalation(&w, due, d(9, 4)), None);
        assert_eq!(escalation(&w, due, d(9, 5)), Some(Escalation::GroupLeader));
        assert_eq!(escalation(&w, due, d(9, 9)), Some(Escalation::GroupLeader));
        assert_eq!(escalation(&w, due, d(9, 10)), Some(Escalation::TeamLeader));
        // The cutoff is the latest deadline already that late: Sunday 6 September.
        assert_eq!(team_leader_cutoff(&w, d(9, 10)), d(9, 6));
        // Due Friday 18 September: Sunday 20 September is a make-up working day (调休), so the
        // third working day after it is 22 September.
        assert_eq!(
            escalation(&w, d(9, 18), d(9, 22)),
            Some(Escalation::GroupLeader)
        );
        assert_eq!(
            escalation(&w, d(9, 18), d(9, 23)),
            Some(Escalation::TeamLeader)
        );
        // Across the National Day holiday: due 30 September, the third working day after it is
        // the make-up Saturday 10 October.
        assert_eq!(
            escalation(&w, d(9, 30), d(10, 10)),
            Some(Escalation::GroupLeader)
        );
        assert_eq!(
            escalation(&w, d(9, 30), d(10, 11)),
            Some(Escalation::TeamLeader)
        );
        assert_eq!(team_leader_cutoff(&w, d(10, 11)), d(10, 7));
        // The list's filter (deadline on or before the cutoff) agrees with each request's own
        // escalation, every day of the year's second half.
        let start = d(7, 1);
        for t in 0..184 {
            let today = start + chrono::Duration::days(t);
            let cutoff = team_leader_cutoff(&w, today);
            for back in 0..40 {
                let close_by = today - chrono::Duration::days(back);
                assert_eq!(
                    escalation(&w, close_by, today) == Some(Escalation::TeamLeader),
                    close_by <= cutoff,
                    "{close_by} on {today}"
                );
            }
        }
    }
}
