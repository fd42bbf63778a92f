//! Storage of parks, units, people, positions and enterprises.
//!
//! Personal values are sealed here, on their way in, and opened on their way out
//! (`crate::crypto`): people's `id_number` and `phone`, enterprises' `contact_phone`. Above this
//! module they are plaintext; in the database never. A person's ID number is also stored as its
//! blind index (`id_number_index`), which exact lookups use.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::crypto::{self, Sealer};
use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, Serialize)]
pub struct Park {
    pub id: i64,
    pub name: String,
}
crate::from_row!(Park: id, name);

#[derive(Clone, Debug, Serialize)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub unit_type: String,
    pub enterprise_id: Option<i64>,
    pub level: Option<String>,
    pub is_service_team: bool,
}
crate::from_row!(Unit: id, parent_id, name, unit_type, enterprise_id, level, is_service_team);

#[derive(Clone, Debug, Serialize)]
pub struct Enterprise {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub scale: Option<String>,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub contact_phone: Option<String>,
    pub leader_name: Option<String>,
    pub leader_person_id: Option<i64>,
    /// The park's qualification tags (资质标签) it holds, stored comma-separated; the API and
    /// the audit log show them as a list, as the API takes them.
    #[serde(serialize_with = "tag_list")]
    pub tags: String,
}
crate::from_row!(Enterprise:
    id, name, credit_code, scale, industry, address, contact, contact_phone, leader_name,
    leader_person_id, tags);

/// A stored comma-separated list written out as a JSON list.
fn tag_list<S: serde::Serializer>(tags: &str, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(super::stored_list(tags))
}

#[derive(Clone, Debug, Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub unit_id: Option<i64>,
    pub is_member: bool,
    pub member_type: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub tags: String,
}
crate::from_row!(Person:
    id, name, gender, id_number, phone, unit_id, is_member, member_type, joined_on, tags);

#[derive(Clone, Debug, Serialize)]
pub struct Position {
    pub id: i64,
    pub person_id: i64,
    pub unit_id: i64,
    pub title: String,
    pub staff_type: Option<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
}
crate::from_row!(Position: id, person_id, unit_id, title, staff_type, start_on, end_on);

// ---- parks ----

pub async fn insert_park(tx: &mut Tx, name: &str, now: DateTime<Utc>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO parks (name, created_at) VALUES ($1, $2) RETURNING id"
    )
    .bind(name)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

pub async fn parks(db: &Db) -> Result<Vec<Park>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, name FROM parks ORDER BY id"
    )
    .fetch_all(pool)
    .await)?)
}

// ---- units ----

const UNIT_COLUMNS: &str = "id, parent_id, name, unit_type, enterprise_id, level, is_service_team";

pub async fn insert_unit(
    tx: &mut Tx,
    park_id: i64,
    u: &Unit,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO units (park_id, parent_id, name, unit_type, enterprise_id, level, \
         is_service_team, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(park_id)
    .bind(u.parent_id)
    .bind(&u.name)
    .bind(&u.unit_type)
    .bind(u.enterprise_id)
    .bind(&u.level)
    .bind(u.is_service_team)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

pub async fn update_unit(tx: &mut Tx, park_id: i64, u: &Unit) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE units SET parent_id = $3, name = $4, unit_type = $5, enterprise_id = $6, \
         level = $7, is_service_team = $8 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(u.id)
    .bind(u.parent_id)
    .bind(&u.name)
    .bind(&u.unit_type)
    .bind(u.enterprise_id)
    .bind(&u.level)
    .bind(u.is_service_team)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn units(db: &Db, park_id: i64) -> Result<Vec<Unit>, DbError> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE park_id = $1 ORDER BY id");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .fetch_all(pool)
        .await)?)
}

pub async fn unit(db: &Db, park_id: i64, id: i64) -> Result<Option<Unit>, DbError> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE park_id = $1 AND id = $2");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// The unit and every unit below it.
pub async fn subtree(db: &Db, park_id: i64, unit_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "WITH RECURSIVE sub(id) AS ( \
           SELECT id FROM units WHERE park_id = $1 AND id = $2 \
           UNION ALL \
           SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id WHERE u.park_id = $1 \
         ) SELECT id FROM sub"
    )
    .bind(park_id)
    .bind(unit_id)
    .fetch_all(pool)
    .await)?)
}

// ---- enterprises ----

const ENTERPRISE_COLUMNS: &str = "id, name, credit_code, scale, industry, address, contact, \
                                  contact_phone, leader_name, leader_person_id, tags";

pub async fn insert_enterprise(
    tx: &mut Tx,
    park_id: i64,
    e: &Enterprise,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let contact_phone = seal_contact_phone(tx, e).await?;
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO enterprises (park_id, name, credit_code, scale, industry, address, contact, \
         contact_phone, leader_name, leader_person_id, created_at, tags) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
    )
    .bind(park_id)
    .bind(&e.name)
    .bind(&e.credit_code)
    .bind(&e.scale)
    .bind(&e.industry)
    .bind(&e.address)
    .bind(&e.contact)
    .bind(&contact_phone)
    .bind(&e.leader_name)
    .bind(e.leader_person_id)
    .bind(now)
    .bind(&e.tags)
    .fetch_one(c)
    .await)?)
}

pub async fn update_enterprise(tx: &mut Tx, park_id: i64, e: &Enterprise) -> Result<(), DbError> {
    let contact_phone = seal_contact_phone(tx, e).await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE enterprises SET name = $3, credit_code = $4, scale = $5, industry = $6, \
         address = $7, contact = $8, contact_phone = $9, leader_name = $10, leader_person_id = $11, \
         tags = $12 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(e.id)
    .bind(&e.name)
    .bind(&e.credit_code)
    .bind(&e.scale)
    .bind(&e.industry)
    .bind(&e.address)
    .bind(&e.contact)
    .bind(&contact_phone)
    .bind(&e.leader_name)
    .bind(e.leader_person_id)
    .bind(&e.tags)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn enterprises(db: &Db, park_id: i64) -> Result<Vec<Enterprise>, DbError> {
    let sql =
        format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE park_id = $1 ORDER BY id");
    let rows: Vec<Enterprise> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .fetch_all(pool)
        .await)?;
    rows.into_iter().map(opened_enterprise).collect()
}

pub async fn enterprise(db: &Db, park_id: i64, id: i64) -> Result<Option<Enterprise>, DbError> {
    let sql =
        format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE park_id = $1 AND id = $2");
    let row: Option<Enterprise> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    row.map(opened_enterprise).transpose()
}

/// The park's qualification tags (资质标签), in the park's order.
pub async fn qualification_tags(db: &Db, park_id: i64) -> Result<Vec<String>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM qualification_tags WHERE park_id = $1 ORDER BY position, name"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await)?)
}

/// The park's qualification tags as a transaction reads them.
pub async fn qualification_tags_tx(tx: &mut Tx, park_id: i64) -> Result<Vec<String>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT name FROM qualification_tags WHERE park_id = $1 ORDER BY position, name"
    )
    .bind(park_id)
    .fetch_all(c)
    .await)?)
}

/// Replaces the park's qualification tags with `names`, in this order.
pub async fn set_qualification_tags(
    tx: &mut Tx,
    park_id: i64,
    names: &[String],
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM qualification_tags WHERE park_id = $1"
    )
    .bind(park_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for (i, name) in names.iter().enumerate() {
        // A park defines a handful of tags: the position fits any integer.
        let position = i64::try_from(i).unwrap_or(i64::MAX);
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO qualification_tags (park_id, name, position) VALUES ($1, $2, $3)"
        )
        .bind(park_id)
        .bind(name)
        .bind(position)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

async fn seal_contact_phone(tx: &mut Tx, e: &Enterprise) -> Result<Option<String>, DbError> {
    Ok(match &e.contact_phone {
        Some(phone) => Some(crypto::sealer(tx).await?.seal("contact_phone", phone)),
        None => None,
    })
}

/// An enterprise as read, its contact phone opened.
pub fn opened_enterprise(mut e: Enterprise) -> Result<Enterprise, DbError> {
    e.contact_phone = crypto::open_opt("contact_phone", e.contact_phone)?;
    Ok(e)
}

// ---- people ----

const PERSON_COLUMNS: &str =
    "id, name, gender, id_number, phone, unit_id, is_member, member_type, joined_on, tags";

pub async fn insert_person(
    tx: &mut Tx,
    park_id: i64,
    p: &Person,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let sealed = SealedPerson::of(&crypto::sealer(tx).await?, park_id, p);
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO people (park_id, name, gender, id_number, phone, unit_id, is_member, \
         member_type, joined_on, tags, created_at, id_number_index) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
    )
    .bind(park_id)
    .bind(&p.name)
    .bind(&p.gender)
    .bind(&sealed.id_number)
    .bind(&sealed.phone)
    .bind(p.unit_id)
    .bind(p.is_member)
    .bind(&p.member_type)
    .bind(p.joined_on)
    .bind(&p.tags)
    .bind(now)
    .bind(&sealed.id_number_index)
    .fetch_one(c)
    .await)?)
}

pub async fn update_person(tx: &mut Tx, park_id: i64, p: &Person) -> Result<(), DbError> {
    let sealed = SealedPerson::of(&crypto::sealer(tx).await?, park_id, p);
    on_tx!(tx, |c| sqlx::query(
        "UPDATE people SET name = $3, gender = $4, id_number = $5, phone = $6, unit_id = $7, \
         is_member = $8, member_type = $9, joined_on = $10, tags = $11, id_number_index = $12 \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(p.id)
    .bind(&p.name)
    .bind(&p.gender)
    .bind(&sealed.id_number)
    .bind(&sealed.phone)
    .bind(p.unit_id)
    .bind(p.is_member)
    .bind(&p.member_type)
    .bind(p.joined_on)
    .bind(&p.tags)
    .bind(&sealed.id_number_index)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A person's personal values as stored: sealed, with the ID number's blind index.
pub struct SealedPerson {
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub id_number_index: Option<String>,
}

impl SealedPerson {
    pub fn of(sealer: &Sealer, park_id: i64, p: &Person) -> SealedPerson {
        SealedPerson {
            id_number: sealer.seal_opt("id_number", p.id_number.as_deref()),
            phone: sealer.seal_opt("phone", p.phone.as_deref()),
            id_number_index: p
                .id_number
                .as_deref()
                .map(|n| sealer.blind_index(park_id, n)),
        }
    }
}

/// A person as read, their ID number and phone opened.
pub fn opened_person(mut p: Person) -> Result<Person, DbError> {
    p.id_number = crypto::open_opt("id_number", p.id_number)?;
    p.phone = crypto::open_opt("phone", p.phone)?;
    Ok(p)
}

/// The people of the park with this ID number, found through its blind index (`exclude`: a
/// person to leave out, the one being edited).
pub async fn people_with_id_number(
    db: &Db,
    park_id: i64,
    id_number: &str,
    exclude: Option<i64>,
) -> Result<Vec<Person>, DbError> {
    let index = crypto::sealer_for(db)
        .await?
        .blind_index(park_id, id_number);
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE park_id = $1 AND id_number_index = $2 \
         AND ($3 IS NULL OR id <> $3) ORDER BY id"
    );
    let rows: Vec<Person> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(&index)
        .bind(exclude)
        .fetch_all(pool)
        .await)?;
    rows.into_iter().map(opened_person).collect()
}

/// People of the park, optionally only those in the given units, optionally by name.
pub async fn people(
    db: &Db,
    park_id: i64,
    units: Option<&[i64]>,
    name_like: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Person>, i64), DbError> {
    // The unit list is a scope computed by us, rendered as bound parameters, never as text.
    let mut filter = String::from("park_id = $1 AND ($2 IS NULL OR name LIKE $2 ESCAPE '\\')");
    let unit_ids = units.unwrap_or(&[]);
    if units.is_some() {
        if unit_ids.is_empty() {
            return Ok((Vec::new(), 0));
        }
        filter.push_str(&format!(
            " AND unit_id IN ({})",
            placeholders(3, unit_ids.len())
        ));
    }
    let next = 3 + unit_ids.len();
    let pattern = name_like.map(|n| format!("%{}%", escape_like(n)));
    let rows_sql = format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE {filter} ORDER BY id LIMIT ${next} OFFSET ${}",
        next + 1
    );
    let count_sql = format!("SELECT COUNT(*) FROM people WHERE {filter}");
    let rows: Vec<Person> = on_db!(db, |pool| {
        let mut q = sqlx::query_as(&rows_sql).bind(park_id).bind(&pattern);
        for u in unit_ids {
            q = q.bind(*u);
        }
        q.bind(limit).bind(offset).fetch_all(pool).await
    })?;
    let rows = rows
        .into_iter()
        .map(opened_person)
        .collect::<Result<_, _>>()?;
    let total: i64 = on_db!(db, |pool| {
        let mut q = sqlx::query_scalar(&count_sql).bind(park_id).bind(&pattern);
        for u in unit_ids {
            q = q.bind(*u);
        }
        q.fetch_one(pool).await
    })?;
    Ok((rows, total))
}

/// The park's party members with their unit, names only (nothing sealed is read): the roster a
/// meeting's attendance is checked against.
pub async fn members(
    db: &Db,
    park_id: i64,
) -> Result<Vec<crate::ledger::attendance::Member>, DbError> {
    let rows: Vec<(i64, String, i64)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, name, unit_id FROM people \
         WHERE park_id = $1 AND is_member AND unit_id IS NOT NULL ORDER BY unit_id, id"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, unit_id)| crate::ledger::attendance::Member { id, name, unit_id })
        .collect())
}

/// `$from, $from+1, …` for `count` bound values.
pub fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn person(db: &Db, park_id: i64, id: i64) -> Result<Option<Person>, DbError> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE park_id = $1 AND id = $2");
    let row: Option<Person> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    row.map(opened_person).transpose()
}

pub async fn insert_position(tx: &mut Tx, park_id: i64, p: &Position) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO positions (park_id, person_id, unit_id, title, staff_type, start_on, end_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(park_id)
    .bind(p.person_id)
    .bind(p.unit_id)
    .bind(&p.title)
    .bind(&p.staff_type)
    .bind(p.start_on)
    .bind(p.end_on)
    .fetch_one(c)
    .await)?)
}

/// Closes a post (a personnel change), keeping it in the history.
pub async fn end_position(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    end_on: NaiveDate,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE positions SET end_on = $3 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(end_on)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn position(db: &Db, park_id: i64, id: i64) -> Result<Option<Position>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, person_id, unit_id, title, staff_type, start_on, end_on FROM positions \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}

pub async fn positions_of(db: &Db, park_id: i64, person_id: i64) -> Result<Vec<Position>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, person_id, unit_id, title, staff_type, start_on, end_on FROM positions \
         WHERE park_id = $1 AND person_id = $2 ORDER BY start_on, id"
    )
    .bind(park_id)
    .bind(person_id)
    .fetch_all(pool)
    .await)?)
}

/// Escapes `%`, `_` and `\` so that user text in a `LIKE … ESCAPE '\'` pattern matches literally.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// ---- re-sealing (a key rotation, plaintext from before encryption) ----

/// A person's personal values as stored, for re-sealing.
#[derive(Clone, Debug)]
pub struct StoredPersonal {
    pub id: i64,
    pub park_id: i64,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub id_number_index: Option<String>,
}
crate::from_row!(StoredPersonal: id, park_id, id_number, phone, id_number_index);

/// Up to `limit` people after id `after` whose values are not all sealed under the key of the
/// LIKE pattern `stale` (`sm4:<key id>:%`), or whose ID number lacks its index.
pub async fn people_to_reseal(
    db: &Db,
    stale: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<StoredPersonal>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, park_id, id_number, phone, id_number_index FROM people \
         WHERE id > $1 AND ((id_number IS NOT NULL AND (id_number NOT LIKE $2 \
         OR id_number_index IS NULL)) OR (phone IS NOT NULL AND phone NOT LIKE $2)) \
         ORDER BY id LIMIT $3"
    )
    .bind(after)
    .bind(stale)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Writes a person's re-sealed values, unless someone changed them since `old` was read.
pub async fn reseal_person(
    tx: &mut Tx,
    old: &StoredPersonal,
    new: &SealedPerson,
) -> Result<bool, DbError> {
    let changed = on_tx!(tx, |c| sqlx::query(
        "UPDATE people SET id_number = $3, phone = $4, id_number_index = $5 \
         WHERE park_id = $1 AND id = $2 \
         AND (id_number = $6 OR (id_number IS NULL AND $6 IS NULL)) \
         AND (phone = $7 OR (phone IS NULL AND $7 IS NULL))"
    )
    .bind(old.park_id)
    .bind(old.id)
    .bind(&new.id_number)
    .bind(&new.phone)
    .bind(&new.id_number_index)
    .bind(&old.id_number)
    .bind(&old.phone)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Up to `limit` enterprises after id `after` whose contact phone is not sealed under the key
/// of the LIKE pattern `stale`: (id, park, stored phone).
pub async fn enterprises_to_reseal(
    db: &Db,
    stale: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, i64, String)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, park_id, contact_phone FROM enterprises \
         WHERE id > $1 AND contact_phone IS NOT NULL AND contact_phone NOT LIKE $2 \
         ORDER BY id LIMIT $3"
    )
    .bind(after)
    .bind(stale)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Writes an enterprise's re-sealed contact phone, unless someone changed it since it was read.
pub async fn reseal_enterprise(
    tx: &mut Tx,
    (id, park_id, old): (i64, i64, &str),
    new: &str,
) -> Result<bool, DbError> {
    let changed = on_tx!(tx, |c| sqlx::query(
        "UPDATE enterprises SET contact_phone = $3 \
         WHERE park_id = $1 AND id = $2 AND contact_phone = $4"
    )
    .bind(park_id)
    .bind(id)
    .bind(new)
    .bind(old)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}
