//! The rows of 通知: notices, the deadline reminders already given, the robots (their URL and
//! secret as stored, sealed), the outbox and its attempts.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A notice as stored.
#[derive(Clone, Debug)]
pub struct NoticeRow {
    pub id: i64,
    pub request_id: Option<i64>,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}
crate::from_row!(NoticeRow: id, request_id, kind, text, link, created_at, read_at);

/// Who a notice goes to: one account, or an enterprise (every user of it).
#[derive(Clone, Copy, Debug)]
pub enum Recipient {
    User(i64),
    Enterprise(i64),
}

/// What a notice says.
pub struct NewNotice<'a> {
    pub request_id: Option<i64>,
    pub kind: &'a str,
    pub text: &'a str,
    pub link: &'a str,
}

pub async fn insert_notice(
    tx: &mut Tx,
    park_id: i64,
    to: Recipient,
    n: &NewNotice<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let (user, enterprise) = match to {
        Recipient::User(u) => (Some(u), None),
        Recipient::Enterprise(e) => (None, Some(e)),
    };
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO notices (park_id, user_id, enterprise_id, request_id, kind, text, link, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(park_id)
    .bind(user)
    .bind(enterprise)
    .bind(n.request_id)
    .bind(n.kind)
    .bind(n.text)
    .bind(n.link)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The park's 园小二 accounts that can act (granted, not disabled), by id.
pub async fn service_staff(tx: &mut Tx, park_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM users WHERE park_id = $1 AND role = 'service_staff' \
         AND role_granted = TRUE AND disabled = FALSE ORDER BY id"
    )
    .bind(park_id)
    .fetch_all(c)
    .await)?)
}

/// The condition of a principal's notices: its own, and its enterprise's ($2 user, $3
/// enterprise or NULL).
const MINE: &str = "park_id = $1 AND (user_id = $2 OR enterprise_id = $3)";

/// A page of the principal's notices, newest first.
pub async fn notices(
    db: &Db,
    park_id: i64,
    user_id: i64,
    enterprise_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<Vec<NoticeRow>, DbError> {
    let sql = format!(
        "SELECT id, request_id, kind, text, link, created_at, read_at FROM notices \
         WHERE {MINE} ORDER BY id DESC LIMIT $4 OFFSET $5"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(user_id)
        .bind(enterprise_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)?)
}

/// How many notices the principal has, and how many of them are unread.
pub async fn counts(
    db: &Db,
    park_id: i64,
    user_id: i64,
    enterprise_id: Option<i64>,
) -> Result<(i64, i64), DbError> {
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) \
         FROM notices WHERE {MINE}"
    );
    let (all, unread): (i64, i64) = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(user_id)
        .bind(enterprise_id)
        .fetch_one(pool)
        .await)?;
    Ok((all, unread))
}

/// Marks one of the principal's notices read (`id`), or all of them (`None`); how many changed
/// or, for one, whether it is the principal's at all (0 when not).
pub async fn mark_read(
    tx: &mut Tx,
    park_id: i64,
    user_id: i64,
    enterprise_id: Option<i64>,
    id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let sql = format!(
        "UPDATE notices SET read_at = COALESCE(read_at, $4) WHERE {MINE} \
         AND ($5 IS NULL OR id = $5) AND ($5 IS NOT NULL OR read_at IS NULL)"
    );
    Ok(on_tx!(tx, |c| sqlx::query(&sql)
        .bind(park_id)
        .bind(user_id)
        .bind(enterprise_id)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?)
}

/// Records that a reminder was given; false when it was given before (the key holds it once).
pub async fn alert_once(
    tx: &mut Tx,
    park_id: i64,
    request_id: i64,
    deadline: &str,
    due_on: NaiveDate,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO deadline_alerts (park_id, request_id, deadline, due_on, kind, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
    )
    .bind(park_id)
    .bind(request_id)
    .bind(deadline)
    .bind(due_on)
    .bind(kind)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// A request with a deadline running, as the deadline scan reads it: an open one, or a closed
/// one awaiting its 回访.
#[derive(Clone, Debug)]
pub struct OpenRequest {
    pub id: i64,
    pub title: String,
    pub enterprise_name: String,
    pub status: String,
    /// The day its running deadlines count from: its registration (or 重办) while open, its
    /// rating while its 回访 is awaited.
    pub registered_on: NaiveDate,
    pub contact_by: NaiveDate,
    pub reply_by: NaiveDate,
    pub close_by: NaiveDate,
    pub visit_by: Option<NaiveDate>,
    pub assignee_id: Option<i64>,
    pub team_group: String,
}
crate::from_row!(OpenRequest:
    id, title, enterprise_name, status, registered_on, contact_by, reply_by, close_by, visit_by,
    assignee_id, team_group);

/// The park's requests still being worked whose closing deadline is `since` or later (one
/// further back has nothing left to remind of), and those rated 不满意 whose 回访 is due
/// `since` or later.
pub async fn open_requests(
    db: &Db,
    park_id: i64,
    since: NaiveDate,
) -> Result<Vec<OpenRequest>, DbError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT r.id, r.title, COALESCE(e.name, '') AS enterprise_name, r.status, \
         COALESCE(r.counted_from, r.registered_on) AS registered_on, r.contact_by, r.reply_by, \
         r.close_by, r.visit_by, r.assignee_id, r.team_group \
         FROM requests r LEFT JOIN enterprises e ON e.park_id = r.park_id AND e.id = r.enterprise_id \
         WHERE r.park_id = $1 AND r.status IN ('registered', 'accepted', 'in_progress', 'replied') \
         AND r.close_by >= $2 \
         UNION ALL \
         SELECT r.id, r.title, COALESCE(e.name, '') AS enterprise_name, r.status, \
         COALESCE(r.rated_on, r.visit_by) AS registered_on, r.contact_by, r.reply_by, \
         r.close_by, r.visit_by, r.assignee_id, r.team_group \
         FROM requests r LEFT JOIN enterprises e ON e.park_id = r.park_id AND e.id = r.enterprise_id \
         WHERE r.park_id = $1 AND r.status = 'closed' AND r.rating = 'unsatisfied' \
         AND r.visit_by >= $2 ORDER BY 1"
    )
    .bind(park_id)
    .bind(since)
    .fetch_all(pool)
    .await
    })?)
}

/// The reminders already given for the park's open requests and those awaiting their 回访:
/// (request, deadline, due on, kind).
pub async fn given_alerts(
    db: &Db,
    park_id: i64,
) -> Result<std::collections::HashSet<(i64, String, NaiveDate, String)>, DbError> {
    let rows: Vec<(i64, String, NaiveDate, String)> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT a.request_id, a.deadline, a.due_on, a.kind FROM deadline_alerts a \
         JOIN requests r ON r.park_id = a.park_id AND r.id = a.request_id \
         WHERE a.park_id = $1 AND (r.status IN ('registered', 'accepted', 'in_progress', 'replied') \
         OR (r.status = 'closed' AND r.rating = 'unsatisfied'))"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await
    })?;
    Ok(rows.into_iter().collect())
}

/// A robot as stored: its URL and secret sealed.
#[derive(Clone, Debug)]
pub struct RobotRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub url_sealed: String,
    pub url_host: String,
    pub secret_sealed: Option<String>,
    pub events: String,
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}
crate::from_row!(RobotRow:
    id, name, kind, url_sealed, url_host, secret_sealed, events, enabled, updated_at);

const ROBOT_COLUMNS: &str =
    "id, name, kind, url_sealed, url_host, secret_sealed, events, enabled, updated_at";

pub async fn robots(db: &Db, park_id: i64) -> Result<Vec<RobotRow>, DbError> {
    let sql = format!("SELECT {ROBOT_COLUMNS} FROM robots WHERE park_id = $1 ORDER BY id");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .fetch_all(pool)
        .await)?)
}

pub async fn robots_tx(tx: &mut Tx, park_id: i64) -> Result<Vec<RobotRow>, DbError> {
    let sql = format!("SELECT {ROBOT_COLUMNS} FROM robots WHERE park_id = $1 ORDER BY id");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(park_id)
        .fetch_all(c)
        .await)?)
}

pub async fn robot(tx: &mut Tx, park_id: i64, id: i64) -> Result<Option<RobotRow>, DbError> {
    let sql = format!("SELECT {ROBOT_COLUMNS} FROM robots WHERE park_id = $1 AND id = $2");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// A robot to store: its URL and secret sealed already.
pub struct RobotWrite<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub url_sealed: &'a str,
    pub url_host: &'a str,
    pub secret_sealed: Option<&'a str>,
    pub events: &'a str,
    pub enabled: bool,
}

pub async fn insert_robot(
    tx: &mut Tx,
    park_id: i64,
    r: &RobotWrite<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO robots (park_id, name, kind, url_sealed, url_host, secret_sealed, events, \
         enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         RETURNING id"
    )
    .bind(park_id)
    .bind(r.name)
    .bind(r.kind)
    .bind(r.url_sealed)
    .bind(r.url_host)
    .bind(r.secret_sealed)
    .bind(r.events)
    .bind(r.enabled)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

pub async fn update_robot(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    r: &RobotWrite<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE robots SET name = $3, kind = $4, url_sealed = $5, url_host = $6, \
         secret_sealed = $7, events = $8, enabled = $9, updated_at = $10 \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(r.name)
    .bind(r.kind)
    .bind(r.url_sealed)
    .bind(r.url_host)
    .bind(r.secret_sealed)
    .bind(r.events)
    .bind(r.enabled)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "the columns of one outbox row, each its own"
)]
pub async fn insert_outbox(
    tx: &mut Tx,
    park_id: i64,
    robot_id: i64,
    event: &str,
    request_id: Option<i64>,
    title: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO outbox (park_id, robot_id, event, request_id, title, body, status, \
         attempts, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)"
    )
    .bind(park_id)
    .bind(robot_id)
    .bind(event)
    .bind(request_id)
    .bind(title)
    .bind(body)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A message due for delivery, with its robot.
#[derive(Clone, Debug)]
pub struct DueMessage {
    pub id: i64,
    pub robot_id: i64,
    pub title: String,
    pub body: String,
    pub attempts: i64,
    pub next_at: DateTime<Utc>,
    pub kind: String,
    pub url_sealed: String,
    pub secret_sealed: Option<String>,
}
crate::from_row!(DueMessage:
    id, robot_id, title, body, attempts, next_at, kind, url_sealed, secret_sealed);

/// The park's robots with messages waiting or to retry whose time has come.
pub async fn due_robots(db: &Db, park_id: i64, now: DateTime<Utc>) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT DISTINCT o.robot_id FROM outbox o \
         JOIN robots r ON r.park_id = o.park_id AND r.id = o.robot_id \
         WHERE o.park_id = $1 AND o.status IN ('pending', 'retrying') AND o.next_at <= $2 \
         AND r.enabled = TRUE ORDER BY o.robot_id"
    )
    .bind(park_id)
    .bind(now)
    .fetch_all(pool)
    .await)?)
}

/// One robot's messages whose time has come, oldest first, `limit` at most.
pub async fn due(
    db: &Db,
    park_id: i64,
    robot_id: i64,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DueMessage>, DbError> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT o.id, o.robot_id, o.title, o.body, o.attempts, o.next_at, r.kind, r.url_sealed, \
         r.secret_sealed FROM outbox o JOIN robots r ON r.park_id = o.park_id AND r.id = o.robot_id \
         WHERE o.park_id = $1 AND o.robot_id = $2 AND o.status IN ('pending', 'retrying') \
         AND o.next_at <= $3 AND r.enabled = TRUE ORDER BY o.next_at, o.id LIMIT $4"
    )
    .bind(park_id)
    .bind(robot_id)
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
    })?)
}

/// Takes a message for one attempt by moving its time past the attempt's end; false when
/// another worker took it first.
pub async fn claim(
    db: &Db,
    park_id: i64,
    id: i64,
    seen: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = on_db!(db, |pool| sqlx::query(
        "UPDATE outbox SET next_at = $4 WHERE park_id = $1 AND id = $2 AND next_at = $3 \
         AND status IN ('pending', 'retrying')"
    )
    .bind(park_id)
    .bind(id)
    .bind(seen)
    .bind(until)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// How many attempts went to a robot since `since`.
pub async fn attempts_since(
    db: &Db,
    park_id: i64,
    robot_id: i64,
    since: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_attempts WHERE park_id = $1 AND robot_id = $2 AND at > $3"
    )
    .bind(park_id)
    .bind(robot_id)
    .bind(since)
    .fetch_one(pool)
    .await)?)
}

/// One attempt's outcome.
pub struct Attempt<'a> {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub http_status: Option<i64>,
    pub error: &'a str,
}

/// Records an attempt and the message's new state, in one transaction.
pub async fn attempted(
    tx: &mut Tx,
    park_id: i64,
    m: &DueMessage,
    a: &Attempt<'_>,
    status: &str,
    next_at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO outbox_attempts (park_id, outbox_id, robot_id, at, ok, http_status, error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(park_id)
    .bind(m.id)
    .bind(m.robot_id)
    .bind(a.at)
    .bind(a.ok)
    .bind(a.http_status)
    .bind(a.error)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let sent_at = a.ok.then_some(a.at);
    on_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET status = $3, attempts = attempts + 1, next_at = $4, sent_at = $5 \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(m.id)
    .bind(status)
    .bind(next_at)
    .bind(sent_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An outbox message as its page lists it.
#[derive(Clone, Debug)]
pub struct OutboxRow {
    pub id: i64,
    pub robot_name: String,
    pub event: String,
    pub request_id: Option<i64>,
    pub title: String,
    pub status: String,
    pub attempts: i64,
    pub next_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}
crate::from_row!(OutboxRow:
    id, robot_name, event, request_id, title, status, attempts, next_at, sent_at, created_at);

pub async fn outbox(db: &Db, park_id: i64, limit: i64) -> Result<Vec<OutboxRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT o.id, r.name AS robot_name, o.event, o.request_id, o.title, o.status, o.attempts, \
         o.next_at, o.sent_at, o.created_at FROM outbox o \
         JOIN robots r ON r.park_id = o.park_id AND r.id = o.robot_id \
         WHERE o.park_id = $1 ORDER BY o.id DESC LIMIT $2"
    )
    .bind(park_id)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// An attempt as the outbox page lists it.
#[derive(Clone, Debug)]
pub struct AttemptRow {
    pub outbox_id: i64,
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub http_status: Option<i64>,
    pub error: String,
}
crate::from_row!(AttemptRow: outbox_id, at, ok, http_status, error);

/// The attempts of the messages `from_id` and newer, by message and time.
pub async fn attempts(db: &Db, park_id: i64, from_id: i64) -> Result<Vec<AttemptRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT outbox_id, at, ok, http_status, error FROM outbox_attempts \
         WHERE park_id = $1 AND outbox_id >= $2 ORDER BY outbox_id, id"
    )
    .bind(park_id)
    .bind(from_id)
    .fetch_all(pool)
    .await)?)
}

/// Puts a failed message back in the queue; false when it is not a failed one of the park.
pub async fn resend(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET status = 'retrying', next_at = $3 \
         WHERE park_id = $1 AND id = $2 AND status = 'failed'"
    )
    .bind(park_id)
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Whether the park has an outbox message `id`.
pub async fn outbox_exists(tx: &mut Tx, park_id: i64, id: i64) -> Result<bool, DbError> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// An enterprise's name, for the text of a notice.
pub async fn enterprise_name(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT name FROM enterprises WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Every park's robots' sealed URL and secret: (park, robot, URL, secret).
pub async fn all_robot_secrets(
    tx: &mut Tx,
) -> Result<Vec<(i64, i64, String, Option<String>)>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT park_id, id, url_sealed, secret_sealed FROM robots ORDER BY park_id, id"
    )
    .fetch_all(c)
    .await)?)
}

/// Stores a robot's URL and secret sealed again under another key.
pub async fn reseal_robot(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    url_sealed: &str,
    secret_sealed: Option<&str>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE robots SET url_sealed = $3, secret_sealed = $4 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(url_sealed)
    .bind(secret_sealed)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
