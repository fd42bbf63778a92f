-- A park's own working-day table for a year (工作日历): a year whose State Council notice is not
-- shipped yet, or a correction of a shipped one. The text is the table as typed on the page,
-- checked before it was stored; absent, the shipped table (or Monday–Friday) applies.

CREATE TABLE park_workdays (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    year INTEGER NOT NULL,
    text TEXT NOT NULL,
    updated_by INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (park_id, year)
);
