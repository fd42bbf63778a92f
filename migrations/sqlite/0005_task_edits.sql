-- Plans are edited (title, document number, linked 文件台账 record, year) like tasks: an edit names
-- the version it read and is refused when someone saved the plan since. Tasks have had a version
-- from the start (0002).
ALTER TABLE plans ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
