-- How far a park's stored catalogue has taken in the built-in fields added since it was made
-- (`ledger::upgrade`): existing parks start at 0 and are brought up when the database is
-- opened; a new park is marked current when its catalogue is installed.
ALTER TABLE parks ADD COLUMN catalogue_level BIGINT NOT NULL DEFAULT 0;
