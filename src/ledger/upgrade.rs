//! Built-in fields that reach the parks' stored catalogues. A park keeps its own copy of the
//! catalogue (`kinds`), made when the park was created; a field the built-in catalogue gains
//! later is added to older copies once, when the database is opened, so that an existing park
//! gets what a new one has (the meeting's 参会人员 and the rest). Each step has a level; a park
//! records the level its copy has reached (`parks.catalogue_level`), so that a field its office
//! removed since is not added again, and a new park starts at the current level.

use chrono::{DateTime, Utc};

use super::catalogue::{Catalogue, KindDef};
use crate::audit::{self, Actor, Change};
use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// One step: the built-in fields of a kind added at a level, by key.
struct Step {
    level: i64,
    kind: &'static str,
    fields: &'static [&'static str],
}

const STEPS: &[Step] = &[Step {
    level: 1,
    kind: "meeting",
    fields: &[
        "place",
        "host",
        "recorder",
        "attendees",
        "absentees",
        "topics",
        "content",
    ],
}];

/// The level of a copy that has every step.
pub const LEVEL: i64 = 1;

/// Marks a park whose catalogue was just installed from the built-in one as having every step.
pub async fn mark_current(tx: &mut Tx, park_id: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE parks SET catalogue_level = $2 WHERE id = $1"
    )
    .bind(park_id)
    .bind(LEVEL)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Brings every park's stored catalogue up to [`LEVEL`]: each missing field of each step is
/// inserted after the field that precedes it in the built-in kind (or last), unless the kind
/// would then break a catalogue rule (a header the park already uses for another field). Each
/// kind changed is audited as the system's change, before and after.
pub async fn upgrade(db: &Db, now: DateTime<Utc>) -> Result<(), DbError> {
    let parks: Vec<(i64, i64)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, catalogue_level FROM parks WHERE catalogue_level < $1 ORDER BY id"
    )
    .bind(LEVEL)
    .fetch_all(pool)
    .await)?;
    for (park_id, level) in parks {
        let mut tx = db.begin().await?;
        for step in STEPS.iter().filter(|s| s.level > level) {
            let stored = stored_kind(&mut tx, park_id, step.kind).await?;
            let Some((definition, position)) = stored else {
                continue;
            };
            let Ok(before) = serde_json::from_str::<KindDef>(&definition) else {
                continue;
            };
            let after = with_fields(before.clone(), step.kind, step.fields);
            if after.fields.len() == before.fields.len() {
                continue;
            }
            super::queries::upsert_kind(&mut tx, park_id, &after, position).await?;
            audit::record(
                &mut tx,
                park_id,
                &Actor::system(),
                now,
                Change {
                    action: "update",
                    entity: "kind",
                    entity_id: None,
                    before: Some(serde_json::to_value(&before).unwrap_or_default()),
                    after: Some(serde_json::to_value(&after).unwrap_or_default()),
                },
            )
            .await?;
        }
        mark_current(&mut tx, park_id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The stored definition of a park's kind, as stored, and its position.
async fn stored_kind(
    tx: &mut Tx,
    park_id: i64,
    kind: &str,
) -> Result<Option<(String, i64)>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT definition, position FROM kinds WHERE park_id = $1 AND kind = $2"
    )
    .bind(park_id)
    .bind(kind)
    .fetch_optional(c)
    .await)?)
}

/// `def` with the built-in fields `keys` of kind `kind` it lacks, each after its built-in
/// predecessor; a field that would break a catalogue rule is left out.
fn with_fields(mut def: KindDef, kind: &str, keys: &[&str]) -> KindDef {
    let Some(built_in) = Catalogue::built_in().kind(kind) else {
        return def;
    };
    for key in keys {
        if def.field(key).is_some() {
            continue;
        }
        let Some(at) = built_in.fields.iter().position(|f| f.key == *key) else {
            continue;
        };
        let after = built_in.fields[..at]
            .iter()
            .rev()
            .find_map(|f| def.fields.iter().position(|g| g.key == f.key));
        let mut tried = def.clone();
        let index = after.map_or(tried.fields.len(), |i| i + 1);
        tried.fields.insert(index, built_in.fields[at].clone());
        if (Catalogue {
            kinds: vec![tried.clone()],
        })
        .validate()
        .is_ok()
        {
            def = tried;
        }
    }
    def
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(def: &KindDef) -> Vec<&str> {
        def.fields.iter().map(|f| f.key.as_str()).collect()
    }

    #[test]
    fn an_old_meeting_kind_gains_the_new_fields_in_their_built_in_places() {
        let built_in = Catalogue::built_in().kind("meeting").unwrap().clone();
        let mut old = built_in.clone();
        old.fields
            .retain(|f| !STEPS[0].fields.contains(&f.key.as_str()));
        old.attendance = None;
        let upgraded = with_fields(old, "meeting", STEPS[0].fields);
        assert_eq!(keys(&upgraded), keys(&built_in));
    }

    #[test]
    fn a_field_whose_header_the_park_already_uses_is_left_out() {
        let built_in = Catalogue::built_in().kind("meeting").unwrap().clone();
        let mut old = built_in.clone();
        old.fields
            .retain(|f| !STEPS[0].fields.contains(&f.key.as_str()));
        old.attendance = None;
        // The park had typed its own 地点 column under another key.
        let mut own = old
            .fields
            .iter()
            .find(|f| f.key == "remark")
            .unwrap()
            .clone();
        own.key = "venue".into();
        own.label = "地点".into();
        own.aliases.clear();
        old.fields.push(own);
        let upgraded = with_fields(old, "meeting", STEPS[0].fields);
        assert!(upgraded.field("place").is_none());
        assert!(upgraded.field("host").is_some());
        assert!(upgraded.field("venue").is_some());
    }

    #[test]
    fn the_steps_name_fields_the_built_in_catalogue_has_and_end_at_the_level() {
        for step in STEPS {
            let kind = Catalogue::built_in().kind(step.kind).unwrap();
            for key in step.fields {
                assert!(kind.field(key).is_some(), "{} {key}", step.kind);
            }
            assert!(step.level <= LEVEL);
        }
        assert_eq!(STEPS.iter().map(|s| s.level).max(), Some(LEVEL));
    }
}
