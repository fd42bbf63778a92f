-- The core schema. Every table carries park_id and every index leads with it, so that the
-- PostgreSQL twin of this file can be distributed by park (Citus) without change of meaning.

CREATE TABLE parks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- Bumped by every audited change of the park, in the same transaction: caches of derived
    -- figures (listing totals) compare it to know they are still true, across processes.
    data_version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    name TEXT NOT NULL,
    credit_code TEXT,
    scale TEXT,
    industry TEXT,
    address TEXT,
    contact TEXT,
    contact_phone TEXT,
    leader_name TEXT,
    leader_person_id INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    UNIQUE (park_id, name)
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    parent_id INTEGER,
    name TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    enterprise_id INTEGER,
    level TEXT,
    is_service_team BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    UNIQUE (park_id, name),
    FOREIGN KEY (park_id, parent_id) REFERENCES units (park_id, id),
    FOREIGN KEY (park_id, enterprise_id) REFERENCES enterprises (park_id, id)
);
CREATE INDEX units_parent ON units (park_id, parent_id);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    name TEXT NOT NULL,
    gender TEXT,
    id_number TEXT,
    phone TEXT,
    unit_id INTEGER,
    is_member BOOLEAN NOT NULL DEFAULT FALSE,
    member_type TEXT,
    joined_on TEXT,
    tags TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, unit_id) REFERENCES units (park_id, id)
);
CREATE INDEX people_name ON people (park_id, name);
CREATE INDEX people_unit ON people (park_id, unit_id);

-- A person's posts over time: personnel changes close a row (end_on) and open another, so that
-- the history stays and "who was on the committee in 2024" can be answered.
CREATE TABLE positions (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    person_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    staff_type TEXT,
    start_on TEXT,
    end_on TEXT,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, person_id) REFERENCES people (park_id, id),
    FOREIGN KEY (park_id, unit_id) REFERENCES units (park_id, id)
);
CREATE INDEX positions_person ON positions (park_id, person_id);
CREATE INDEX positions_unit ON positions (park_id, unit_id);

-- The park's own copy of the ledger catalogue, one row per kind, the definition as JSON.
CREATE TABLE kinds (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (park_id, kind)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    login TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id INTEGER,
    enterprise_id INTEGER,
    person_id INTEGER,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    UNIQUE (park_id, login),
    FOREIGN KEY (park_id, unit_id) REFERENCES units (park_id, id),
    FOREIGN KEY (park_id, enterprise_id) REFERENCES enterprises (park_id, id)
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    user_id INTEGER NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    revoked_at TEXT,
    UNIQUE (park_id, id),
    UNIQUE (park_id, token_hash),
    FOREIGN KEY (park_id, user_id) REFERENCES users (park_id, id)
);

CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    unit_id INTEGER,
    enterprise_id INTEGER,
    title TEXT NOT NULL,
    fields TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, kind) REFERENCES kinds (park_id, kind),
    FOREIGN KEY (park_id, unit_id) REFERENCES units (park_id, id),
    FOREIGN KEY (park_id, enterprise_id) REFERENCES enterprises (park_id, id)
);
-- deleted_at comes before occurred_on: live records of a kind are one range, read in date
-- order (no sort) and counted without reading the table.
CREATE INDEX records_kind_date ON records (park_id, kind, deleted_at, occurred_on);
CREATE INDEX records_unit ON records (park_id, unit_id);
CREATE INDEX records_enterprise ON records (park_id, enterprise_id);

-- Files live on disk under the data folder, named by their SHA-256; this row ties one to a record.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    record_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, record_id) REFERENCES records (park_id, id)
);
CREATE INDEX attachments_record ON attachments (park_id, record_id);

-- Hash-chained per park: hash = SHA-256(prev_hash and the entry's canonical text).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    user_id INTEGER,
    login TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (park_id, id),
    UNIQUE (park_id, seq)
);
CREATE INDEX audit_entity ON audit_log (park_id, entity, entity_id);
