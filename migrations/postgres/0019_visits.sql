-- 包联 and visits: a problem raised on a visit becomes a request, and a visit says what was
-- discussed and which problems were raised.
--
-- A request raised from a visit names the visit (source_record_id, as a carried-over request
-- names its record) and the line of the visit's 反映问题 it came from (source_line, 1-based).
-- One line becomes at most one request: the unique index refuses a second, even when two
-- people convert the same line at once. Requests carried over from a ledger (migration 0016)
-- name no line, and NULLs never collide.
ALTER TABLE requests ADD COLUMN source_line INTEGER;
CREATE UNIQUE INDEX requests_source_line ON requests (park_id, source_record_id, source_line);

-- Every park's stored copy of the 走访 ledger gains the two optional fields of the built-in
-- kind (讨论内容, 反映问题), at the end, unless it already has a field of that key or label.
-- Optional fields keep old records, sheets and imports valid.
UPDATE kinds SET definition = jsonb_set(definition::jsonb, '{field}',
    COALESCE(definition::jsonb -> 'field', '[]'::jsonb) || '[{"key":"discussion","label":"讨论内容","type":"longtext"}]'::jsonb)::text
WHERE kind = 'visit' AND NOT EXISTS (
    SELECT 1 FROM jsonb_array_elements(kinds.definition::jsonb -> 'field') f
    WHERE f ->> 'key' = 'discussion' OR f ->> 'label' = '讨论内容');

UPDATE kinds SET definition = jsonb_set(definition::jsonb, '{field}',
    COALESCE(definition::jsonb -> 'field', '[]'::jsonb) || '[{"key":"problems","label":"反映问题","type":"longtext"}]'::jsonb)::text
WHERE kind = 'visit' AND NOT EXISTS (
    SELECT 1 FROM jsonb_array_elements(kinds.definition::jsonb -> 'field') f
    WHERE f ->> 'key' = 'problems' OR f ->> 'label' = '反映问题');
