-- A second factor: TOTP (RFC 6238) with one-time recovery codes. The secret an account confirmed
-- (NULL: none), the secret offered while enrolling and not yet confirmed, and the last time step
-- whose code was accepted (a code is good once). A session opened by a right password of an
-- account with a second factor waits for its code before it is good for anything else.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE sessions ADD COLUMN second_factor_due BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE totp_recovery_codes (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    user_id INTEGER NOT NULL,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    UNIQUE (park_id, user_id, code_hash),
    FOREIGN KEY (park_id, user_id) REFERENCES users (park_id, id)
);
