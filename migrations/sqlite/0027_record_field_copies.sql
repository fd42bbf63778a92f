-- The meetings are the largest ledger, and the report, the rule checks and the 工作台 read the
-- same few of their fields over a whole year. Reading a field inside SQL means parsing the
-- record's JSON, and on a large park that parsing was a third of what those pages cost. SQLite
-- now keeps a copy of these fields in columns of their own, `field_<key>`, each always equal
-- to `json_extract(fields, '$.<key>')` of its row (whatever the kind: a kind without the key
-- has NULL). The INSERTs of the ledger write them in the same statement and mark the row
-- (`fields_copied` = 1, `db::copied_fields`); a row inserted unmarked gets them from the
-- first trigger below, and every change of `fields` from the second, so no write path can
-- leave them stale. The columns have no declared type, so a value keeps the
-- type `json_extract` gave it (an integer stays an integer, a JSON true stays 1).
--
-- `records_meeting_fields` holds them with the columns those statements filter, group and list
-- by, so that SQLite answers them from the index alone. It leads with the columns of
-- `records_kind_date` (park, kind, deleted_at, date), so it serves every range that index
-- served and replaces it: a bulk import pays for one index of the kind's dates, not two.
-- `Db::json_field_of` reads these keys from their columns; every other key is still read
-- from the JSON, its key bound.
-- PostgreSQL reads the JSON as before: its migration of the same number changes nothing.
ALTER TABLE records ADD COLUMN field_meeting_type;
ALTER TABLE records ADD COLUMN field_is_party_topic;
ALTER TABLE records ADD COLUMN field_topic_count;
ALTER TABLE records ADD COLUMN field_reading_count;
ALTER TABLE records ADD COLUMN field_expected;
ALTER TABLE records ADD COLUMN field_attended;
ALTER TABLE records ADD COLUMN field_date;
ALTER TABLE records ADD COLUMN fields_copied;

UPDATE records SET
    field_meeting_type = json_extract(fields, '$.meeting_type'),
    field_is_party_topic = json_extract(fields, '$.is_party_topic'),
    field_topic_count = json_extract(fields, '$.topic_count'),
    field_reading_count = json_extract(fields, '$.reading_count'),
    field_expected = json_extract(fields, '$.expected'),
    field_attended = json_extract(fields, '$.attended'),
    field_date = json_extract(fields, '$.date'),
    fields_copied = 1;

CREATE TRIGGER records_copy_fields_insert AFTER INSERT ON records
WHEN NEW.fields_copied IS NOT 1 BEGIN
    UPDATE records SET
        field_meeting_type = json_extract(NEW.fields, '$.meeting_type'),
        field_is_party_topic = json_extract(NEW.fields, '$.is_party_topic'),
        field_topic_count = json_extract(NEW.fields, '$.topic_count'),
        field_reading_count = json_extract(NEW.fields, '$.reading_count'),
        field_expected = json_extract(NEW.fields, '$.expected'),
        field_attended = json_extract(NEW.fields, '$.attended'),
        field_date = json_extract(NEW.fields, '$.date'),
        fields_copied = 1
    WHERE id = NEW.id;
END;

CREATE TRIGGER records_copy_fields_update AFTER UPDATE OF fields ON records BEGIN
    UPDATE records SET
        field_meeting_type = json_extract(NEW.fields, '$.meeting_type'),
        field_is_party_topic = json_extract(NEW.fields, '$.is_party_topic'),
        field_topic_count = json_extract(NEW.fields, '$.topic_count'),
        field_reading_count = json_extract(NEW.fields, '$.reading_count'),
        field_expected = json_extract(NEW.fields, '$.expected'),
        field_attended = json_extract(NEW.fields, '$.attended'),
        field_date = json_extract(NEW.fields, '$.date')
    WHERE id = NEW.id;
END;

CREATE INDEX records_meeting_fields ON records (
    park_id, kind, deleted_at, occurred_on, unit_id,
    field_meeting_type, field_is_party_topic, field_topic_count, field_reading_count,
    field_expected, field_attended, field_date
);

DROP INDEX records_kind_date;
