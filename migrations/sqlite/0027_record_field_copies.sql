-- The meetings are the largest ledger, and the report, the rule checks and the 工作台 read the
-- same few of their fields over a whole year. Reading a field inside SQL means parsing the
-- record's JSON, and on a large park that parsing was a third of what those pages cost. SQLite
-- now keeps a copy of these fields in columns of their own, `field_<key>`, each always equal
-- to `json_extract(fields, '$.<key>')` of its row (whatever the kind: a kind without the key
-- has NULL): the triggers below set them on every insert and on every change of `fields`, so
-- no write path can leave them stale. The columns have no declared type, so a value keeps the
-- type `json_extract` gave it (an integer stays an integer, a JSON true stays 1).
--
-- `records_meeting_fields` holds them with the columns those statements filter, group and list
-- by, so that SQLite answers them from the index alone; `records_meeting_fields_by_type` (at
-- the end) does the same for the rule checks, which count one meeting type at a time. `Db::json_field_of` reads these keys
-- from their columns; every other key is still read from the JSON, its key bound.
-- PostgreSQL reads the JSON as before: its migration of the same number changes nothing.
ALTER TABLE records ADD COLUMN field_meeting_type;
ALTER TABLE records ADD COLUMN field_is_party_topic;
ALTER TABLE records ADD COLUMN field_topic_count;
ALTER TABLE records ADD COLUMN field_reading_count;
ALTER TABLE records ADD COLUMN field_expected;
ALTER TABLE records ADD COLUMN field_attended;
ALTER TABLE records ADD COLUMN field_date;

UPDATE records SET
    field_meeting_type = json_extract(fields, '$.meeting_type'),
    field_is_party_topic = json_extract(fields, '$.is_party_topic'),
    field_topic_count = json_extract(fields, '$.topic_count'),
    field_reading_count = json_extract(fields, '$.reading_count'),
    field_expected = json_extract(fields, '$.expected'),
    field_attended = json_extract(fields, '$.attended'),
    field_date = json_extract(fields, '$.date');

CREATE TRIGGER records_copy_fields_insert AFTER INSERT ON records BEGIN
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

-- The rule checks count each meeting type by unit and period: their meetings of one type are
-- one range of this index.
CREATE INDEX records_meeting_fields_by_type ON records (
    park_id, kind, deleted_at, field_meeting_type, occurred_on, unit_id,
    field_attended, field_expected, field_reading_count, field_topic_count
);
