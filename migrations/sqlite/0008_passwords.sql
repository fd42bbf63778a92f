-- Passwords as 等保 asks: a change forced after an administrator set one, a date by which the
-- password must be changed (the park's password profile sets it), the last passwords kept so
-- none is used again, and the profile the 安全管理员 chose for the park.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN password_set_at TEXT;
ALTER TABLE users ADD COLUMN password_due TEXT;
-- Accounts made before: their password counts as set when the account was made, under the
-- default profile (等保: changed every 90 days).
UPDATE users SET password_set_at = created_at,
    password_due = strftime('%Y-%m-%dT%H:%M:%S+00:00', created_at, '+90 days');
ALTER TABLE parks ADD COLUMN password_profile TEXT NOT NULL DEFAULT 'dengbao';

CREATE TABLE password_history (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    user_id INTEGER NOT NULL,
    password_hash TEXT NOT NULL,
    set_at TEXT NOT NULL,
    FOREIGN KEY (park_id, user_id) REFERENCES users (park_id, id)
);
CREATE INDEX password_history_user ON password_history (park_id, user_id, id);
