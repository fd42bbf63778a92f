//! Storage of plans, tasks, their cooperating units, progress updates and their files.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, Serialize)]
pub struct PlanRow {
    pub id: i64,
    pub year: i32,
    pub plan_kind: String,
    pub title: String,
    pub doc_number: String,
    pub document_id: Option<i64>,
}
crate::from_row!(PlanRow: id, year, plan_kind, title, doc_number, document_id);

/// A task with the name of its responsible unit and its plan's year.
#[derive(Clone, Debug, Serialize)]
pub struct TaskRow {
    pub id: i64,
    pub plan_id: i64,
    pub parent_id: Option<i64>,
    pub seq: String,
    pub content: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub start_on: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub status: String,
    pub completed_on: Option<NaiveDate>,
    pub progress: i64,
    pub supervised: bool,
    pub version: i64,
    pub plan_year: i32,
}
crate::from_row!(TaskRow:
    id, plan_id, parent_id, seq, content, unit_id, unit_name, start_on, deadline, status,
    completed_on, progress, supervised, version, plan_year);

#[derive(Clone, Debug, Serialize)]
pub struct ProgressRow {
    pub id: i64,
    pub task_id: i64,
    pub reported_on: NaiveDate,
    pub percent: i64,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}
crate::from_row!(ProgressRow: id, task_id, reported_on, percent, note, created_by, created_at);

#[derive(Clone, Debug, Serialize)]
pub struct TaskFileRow {
    pub id: i64,
    pub progress_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}
crate::from_row!(TaskFileRow:
    id, progress_id, file_name, content_type, size_bytes, sha256, created_at);

/// A task to insert.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub plan_id: i64,
    pub parent_id: Option<i64>,
    pub seq: String,
    pub content: String,
    pub unit_id: i64,
    pub start_on: Option<NaiveDate>,
    pub deadline: NaiveDate,
}

const PLAN_COLUMNS: &str = "id, year, plan_kind, title, doc_number, document_id";

const TASK_SELECT: &str = "SELECT t.id, t.plan_id, t.parent_id, t.seq, t.content, t.unit_id, \
     u.name AS unit_name, t.start_on, t.deadline, t.status, t.completed_on, t.progress, \
     t.supervised, t.version, p.year AS plan_year \
     FROM tasks t \
     JOIN units u ON u.park_id = t.park_id AND u.id = t.unit_id \
     JOIN plans p ON p.park_id = t.park_id AND p.id = t.plan_id \
     WHERE t.park_id = $1";

// ---- plans ----

pub async fn insert_plan(
    tx: &mut Tx,
    park_id: i64,
    p: &PlanRow,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO plans (park_id, year, plan_kind, title, doc_number, document_id, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
    )
    .bind(park_id)
    .bind(p.year)
    .bind(&p.plan_kind)
    .bind(&p.title)
    .bind(&p.doc_number)
    .bind(p.document_id)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

pub async fn plans(db: &Db, park_id: i64, year: Option<i32>) -> Result<Vec<PlanRow>, DbError> {
    let sql = format!(
        "SELECT {PLAN_COLUMNS} FROM plans WHERE park_id = $1 AND ($2 IS NULL OR year = $2) \
         ORDER BY year DESC, plan_kind DESC, id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(year)
        .fetch_all(pool)
        .await)?)
}

pub async fn plan(db: &Db, park_id: i64, id: i64) -> Result<Option<PlanRow>, DbError> {
    let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE park_id = $1 AND id = $2");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

pub async fn plan_of(
    db: &Db,
    park_id: i64,
    year: i32,
    plan_kind: &str,
) -> Result<Option<PlanRow>, DbError> {
    let sql = format!(
        "SELECT {PLAN_COLUMNS} FROM plans WHERE park_id = $1 AND year = $2 AND plan_kind = $3"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(year)
        .bind(plan_kind)
        .fetch_optional(pool)
        .await)?)
}

/// The live 文件台账 record whose 文号 is `doc_number`, if there is one (the latest).
pub async fn document_by_number(
    db: &Db,
    park_id: i64,
    doc_number: &str,
) -> Result<Option<i64>, DbError> {
    let number = db.json_field("fields", 3);
    let sql = format!(
        "SELECT id FROM records WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL \
         AND {number} = $4 ORDER BY occurred_on DESC, id DESC LIMIT 1"
    );
    Ok(on_db!(db, |pool| sqlx::query_scalar(&sql)
        .bind(park_id)
        .bind("document")
        .bind("doc_number")
        .bind(doc_number)
        .fetch_optional(pool)
        .await)?)
}

// ---- tasks ----

pub async fn insert_task(
    tx: &mut Tx,
    park_id: i64,
    t: &NewTask,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO tasks (park_id, plan_id, parent_id, seq, content, unit_id, start_on, \
         deadline, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         RETURNING id"
    )
    .bind(park_id)
    .bind(t.plan_id)
    .bind(t.parent_id)
    .bind(&t.seq)
    .bind(&t.content)
    .bind(t.unit_id)
    .bind(t.start_on)
    .bind(t.deadline)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

pub async fn insert_cooperator(
    tx: &mut Tx,
    park_id: i64,
    task_id: i64,
    unit_id: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO task_cooperators (park_id, task_id, unit_id) VALUES ($1, $2, $3)"
    )
    .bind(park_id)
    .bind(task_id)
    .bind(unit_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The tasks of one plan, or of every plan of one year, in 序号 order of insertion (by id).
pub async fn tasks(
    db: &Db,
    park_id: i64,
    plan_id: Option<i64>,
    year: Option<i32>,
) -> Result<Vec<TaskRow>, DbError> {
    let sql = format!(
        "{TASK_SELECT} AND ($2 IS NULL OR t.plan_id = $2) AND ($3 IS NULL OR p.year = $3) \
         ORDER BY t.plan_id, t.id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(plan_id)
        .bind(year)
        .fetch_all(pool)
        .await)?)
}

pub async fn task(db: &Db, park_id: i64, id: i64) -> Result<Option<TaskRow>, DbError> {
    let sql = format!("{TASK_SELECT} AND t.id = $2");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// Cooperating units of the tasks of a plan or a year: (task id, unit name), by task.
pub async fn cooperators(
    db: &Db,
    park_id: i64,
    plan_id: Option<i64>,
    year: Option<i32>,
) -> Result<Vec<(i64, String)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT c.task_id, u.name FROM task_cooperators c \
         JOIN units u ON u.park_id = c.park_id AND u.id = c.unit_id \
         JOIN tasks t ON t.park_id = c.park_id AND t.id = c.task_id \
         JOIN plans p ON p.park_id = t.park_id AND p.id = t.plan_id \
         WHERE c.park_id = $1 AND ($2 IS NULL OR t.plan_id = $2) AND ($3 IS NULL OR p.year = $3) \
         ORDER BY c.task_id, u.id"
    )
    .bind(park_id)
    .bind(plan_id)
    .bind(year)
    .fetch_all(pool)
    .await)?)
}

/// Sets the status people chose and the latest percent; `completed_on` is kept in step with a
/// status of done. Refused (false) when someone saved the task since `version` was read.
#[expect(
    clippy::too_many_arguments,
    reason = "one UPDATE with its bound values"
)]
pub async fn update_progress(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    version: i64,
    status: &str,
    progress: i64,
    completed_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE tasks SET status = $4, progress = $5, completed_on = $6, updated_at = $7, \
         version = version + 1 WHERE park_id = $1 AND id = $2 AND version = $3"
    )
    .bind(park_id)
    .bind(id)
    .bind(version)
    .bind(status)
    .bind(progress)
    .bind(completed_on)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn set_supervised(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    supervised: bool,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE tasks SET supervised = $3, supervised_at = $4, updated_at = $5, \
         version = version + 1 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(supervised)
    .bind(supervised.then_some(now))
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- progress updates and their files ----

pub async fn insert_progress(tx: &mut Tx, park_id: i64, p: &ProgressRow) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO task_progress (park_id, task_id, reported_on, percent, note, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(park_id)
    .bind(p.task_id)
    .bind(p.reported_on)
    .bind(p.percent)
    .bind(&p.note)
    .bind(p.created_by)
    .bind(p.created_at)
    .fetch_one(c)
    .await)?)
}

pub async fn progress_of(db: &Db, park_id: i64, task_id: i64) -> Result<Vec<ProgressRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, task_id, reported_on, percent, note, created_by, created_at \
         FROM task_progress WHERE park_id = $1 AND task_id = $2 ORDER BY reported_on DESC, id DESC"
    )
    .bind(park_id)
    .bind(task_id)
    .fetch_all(pool)
    .await)?)
}

pub async fn progress(db: &Db, park_id: i64, id: i64) -> Result<Option<ProgressRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, task_id, reported_on, percent, note, created_by, created_at \
         FROM task_progress WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}

pub async fn insert_file(
    tx: &mut Tx,
    park_id: i64,
    f: &TaskFileRow,
    created_by: i64,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO task_attachments (park_id, progress_id, file_name, content_type, \
         size_bytes, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id"
    )
    .bind(park_id)
    .bind(f.progress_id)
    .bind(&f.file_name)
    .bind(&f.content_type)
    .bind(f.size_bytes)
    .bind(&f.sha256)
    .bind(created_by)
    .bind(f.created_at)
    .fetch_one(c)
    .await)?)
}

/// The files of every progress update of a task.
pub async fn files_of_task(
    db: &Db,
    park_id: i64,
    task_id: i64,
) -> Result<Vec<TaskFileRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT f.id, f.progress_id, f.file_name, f.content_type, f.size_bytes, f.sha256, \
         f.created_at FROM task_attachments f \
         JOIN task_progress p ON p.park_id = f.park_id AND p.id = f.progress_id \
         WHERE f.park_id = $1 AND p.task_id = $2 ORDER BY f.id"
    )
    .bind(park_id)
    .bind(task_id)
    .fetch_all(pool)
    .await)?)
}

pub async fn file(db: &Db, park_id: i64, id: i64) -> Result<Option<(TaskFileRow, i64)>, DbError> {
    type Row = (i64, i64, String, String, i64, String, DateTime<Utc>, i64);
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(
        "SELECT f.id, f.progress_id, f.file_name, f.content_type, f.size_bytes, f.sha256, \
             f.created_at, p.task_id FROM task_attachments f \
             JOIN task_progress p ON p.park_id = f.park_id AND p.id = f.progress_id \
             WHERE f.park_id = $1 AND f.id = $2"
    )
    .bind(park_id)
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(
        |(id, progress_id, file_name, content_type, size_bytes, sha256, created_at, task)| {
            (
                TaskFileRow {
                    id,
                    progress_id,
                    file_name,
                    content_type,
                    size_bytes,
                    sha256,
                    created_at,
                },
                task,
            )
        },
    ))
}

/// [`document_by_number`] inside a transaction, for records written in it (the demo).
pub async fn document_by_number_in(
    tx: &mut Tx,
    park_id: i64,
    doc_number: &str,
) -> Result<Option<i64>, DbError> {
    let number = tx.json_field("fields", 3);
    let sql = format!(
        "SELECT id FROM records WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL \
         AND {number} = $4 ORDER BY occurred_on DESC, id DESC LIMIT 1"
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(park_id)
        .bind("document")
        .bind("doc_number")
        .bind(doc_number)
        .fetch_optional(c)
        .await)?)
}

/// Sets a task's status, progress and completion day as written (the demo's history).
pub async fn set_state(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    (status, progress, completed_on, supervised): (&str, i64, Option<NaiveDate>, bool),
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE tasks SET status = $3, progress = $4, completed_on = $5, supervised = $6, \
         supervised_at = $7, updated_at = $8 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(status)
    .bind(progress)
    .bind(completed_on)
    .bind(supervised)
    .bind(supervised.then_some(now))
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- edits and deletions ----

/// A plan's version, which every edit bumps; `None` when there is no such plan.
pub async fn plan_version(db: &Db, park_id: i64, id: i64) -> Result<Option<i64>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT version FROM plans WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}

/// Saves a plan's title, year, document number and document as of `version`; false when
/// someone saved the plan since.
pub async fn update_plan(
    tx: &mut Tx,
    park_id: i64,
    p: &PlanRow,
    version: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE plans SET year = $4, title = $5, doc_number = $6, document_id = $7, \
         updated_at = $8, version = version + 1 WHERE park_id = $1 AND id = $2 AND version = $3"
    )
    .bind(park_id)
    .bind(p.id)
    .bind(version)
    .bind(p.year)
    .bind(&p.title)
    .bind(&p.doc_number)
    .bind(p.document_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many tasks a plan has.
pub async fn task_count(db: &Db, park_id: i64, plan_id: i64) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM tasks WHERE park_id = $1 AND plan_id = $2"
    )
    .bind(park_id)
    .bind(plan_id)
    .fetch_one(pool)
    .await)?)
}

/// Deletes a plan that has no tasks; false when it had tasks by then or was gone.
pub async fn delete_plan(tx: &mut Tx, park_id: i64, id: i64) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM plans WHERE park_id = $1 AND id = $2 AND NOT EXISTS \
         (SELECT 1 FROM tasks t WHERE t.park_id = $1 AND t.plan_id = $2)"
    )
    .bind(park_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The live 文件台账 records a plan may link to: (id, 文件名称, 文号), newest first.
pub async fn documents(db: &Db, park_id: i64) -> Result<Vec<(i64, String, String)>, DbError> {
    let title = db.json_field("fields", 3);
    let number = db.json_field("fields", 4);
    let sql = format!(
        "SELECT id, COALESCE({title}, ''), COALESCE({number}, '') FROM records \
         WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL \
         ORDER BY occurred_on DESC, id DESC LIMIT 500"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind("document")
        .bind("title")
        .bind("doc_number")
        .fetch_all(pool)
        .await)?)
}

/// Whether `id` is a live 文件台账 record of the park.
pub async fn is_document(db: &Db, park_id: i64, id: i64) -> Result<bool, DbError> {
    let found: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM records WHERE park_id = $1 AND id = $2 AND kind = $3 \
         AND deleted_at IS NULL"
    )
    .bind(park_id)
    .bind(id)
    .bind("document")
    .fetch_optional(pool)
    .await)?;
    Ok(found.is_some())
}

/// Saves a task's own fields as of `version`; false when someone saved the task since.
pub async fn update_task(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    version: i64,
    t: &NewTask,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE tasks SET parent_id = $4, seq = $5, content = $6, unit_id = $7, start_on = $8, \
         deadline = $9, updated_at = $10, version = version + 1 \
         WHERE park_id = $1 AND id = $2 AND version = $3"
    )
    .bind(park_id)
    .bind(id)
    .bind(version)
    .bind(t.parent_id)
    .bind(&t.seq)
    .bind(&t.content)
    .bind(t.unit_id)
    .bind(t.start_on)
    .bind(t.deadline)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The ids of a task's cooperating units.
pub async fn cooperator_ids(db: &Db, park_id: i64, task_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT unit_id FROM task_cooperators WHERE park_id = $1 AND task_id = $2 ORDER BY unit_id"
    )
    .bind(park_id)
    .bind(task_id)
    .fetch_all(pool)
    .await)?)
}

pub async fn delete_cooperators(tx: &mut Tx, park_id: i64, task_id: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM task_cooperators WHERE park_id = $1 AND task_id = $2"
    )
    .bind(park_id)
    .bind(task_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes a task without sub-tasks, with its cooperating units, progress updates and their
/// file rows (the files themselves stay, named by their SHA-256); false when it had sub-tasks
/// by then, was saved since `version`, or was gone.
pub async fn delete_task(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    version: i64,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM tasks WHERE park_id = $1 AND id = $2 AND version = $3 AND NOT EXISTS \
         (SELECT 1 FROM tasks s WHERE s.park_id = $1 AND s.parent_id = $2)"
    )
    .bind(park_id)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Removes what hangs off a task (files of its progress updates, the updates, its cooperating
/// units), before the task itself is deleted in the same transaction.
pub async fn delete_task_parts(tx: &mut Tx, park_id: i64, id: i64) -> Result<(), DbError> {
    for sql in [
        "DELETE FROM task_attachments WHERE park_id = $1 AND progress_id IN \
         (SELECT p.id FROM task_progress p WHERE p.park_id = $1 AND p.task_id = $2)",
        "DELETE FROM task_progress WHERE park_id = $1 AND task_id = $2",
        "DELETE FROM task_cooperators WHERE park_id = $1 AND task_id = $2",
    ] {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(park_id)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

// ---- the marked copy of a refused 工作清单 ----

/// Keeps the marked copy of a user's refused upload to a plan, replacing their previous one.
pub async fn save_error_book(
    db: &Db,
    park_id: i64,
    plan_id: i64,
    user_id: i64,
    file_name: &str,
    workbook: &[u8],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let t = &mut tx;
    on_tx!(t, |c| sqlx::query(
        "INSERT INTO task_import_errors (park_id, plan_id, user_id, file_name, workbook, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (park_id, plan_id, user_id) \
         DO UPDATE SET file_name = excluded.file_name, workbook = excluded.workbook, \
         created_at = excluded.created_at"
    )
    .bind(park_id)
    .bind(plan_id)
    .bind(user_id)
    .bind(file_name)
    .bind(workbook)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(())
}

/// The marked copy of a user's last refused upload to a plan: (file name as uploaded, bytes).
pub async fn error_book(
    db: &Db,
    park_id: i64,
    plan_id: i64,
    user_id: i64,
) -> Result<Option<(String, Vec<u8>)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT file_name, workbook FROM task_import_errors \
         WHERE park_id = $1 AND plan_id = $2 AND user_id = $3"
    )
    .bind(park_id)
    .bind(plan_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?)
}

/// Drops the marked copies of a plan: of one user (after their import succeeded), or of all
/// (`None`, before the plan is deleted).
pub async fn drop_error_books(
    tx: &mut Tx,
    park_id: i64,
    plan_id: i64,
    user_id: Option<i64>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM task_import_errors WHERE park_id = $1 AND plan_id = $2 \
         AND ($3 IS NULL OR user_id = $3)"
    )
    .bind(park_id)
    .bind(plan_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
