-- The audit chain keyed with a key kept outside the database: each entry names the key it was
-- written under (NULL: before keys), the database records the key's fingerprint, and each park's
-- chain has a signed head (its count and last hash) outside the log table, so that cutting the
-- log's end is found. The log itself takes no UPDATE and no DELETE.
ALTER TABLE audit_log ADD COLUMN key_id TEXT;

CREATE TABLE audit_key (
    key_id TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

CREATE TABLE audit_heads (
    park_id INTEGER PRIMARY KEY REFERENCES parks (id),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    mac TEXT NOT NULL
);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_heads_kept BEFORE DELETE ON audit_heads
BEGIN
    SELECT RAISE(ABORT, 'audit_heads are never deleted');
END;
