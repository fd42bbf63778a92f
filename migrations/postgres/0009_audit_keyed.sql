-- The audit chain keyed with a key kept outside the database: each entry names the key it was
-- written under (NULL: before keys), the database records the key's fingerprint, and each park's
-- chain has a signed head (its count and last hash) outside the log table, so that cutting the
-- log's end is found. The log itself takes no UPDATE and no DELETE.
ALTER TABLE audit_log ADD COLUMN key_id TEXT;

CREATE TABLE audit_key (
    key_id TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_heads (
    park_id BIGINT PRIMARY KEY REFERENCES parks (id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    mac TEXT NOT NULL
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_heads_kept BEFORE DELETE ON audit_heads
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
