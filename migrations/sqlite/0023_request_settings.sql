-- A park's own request categories: the 园小二 group each goes to by default and its limits in
-- working days (first contact, a stage reply, closure, closure once extended). A park with no
-- rows here uses the built-in categories and limits (requests::CATEGORIES, Limits::default()).
CREATE TABLE request_categories (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    team_group TEXT NOT NULL,
    contact_days INTEGER NOT NULL,
    reply_days INTEGER NOT NULL,
    close_days INTEGER NOT NULL,
    extended_days INTEGER NOT NULL,
    UNIQUE (park_id, id),
    UNIQUE (park_id, name)
);

-- The 园小二 team: an account's group and duty (member, group_leader), or the team's leader
-- (team_leader, whose group is ''). An overdue request escalates to its group's leaders, then
-- to the team's.
CREATE TABLE request_team (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    user_id INTEGER NOT NULL,
    team_group TEXT NOT NULL,
    duty TEXT NOT NULL,
    PRIMARY KEY (park_id, user_id),
    FOREIGN KEY (park_id, user_id) REFERENCES users (park_id, id)
);

-- Files of a request (the enterprise's evidence, the team's answers), stored like records'
-- attachments: under the data folder, by SHA-256.
CREATE TABLE request_attachments (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    request_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, request_id) REFERENCES requests (park_id, id)
);
CREATE INDEX request_attachments_request ON request_attachments (park_id, request_id);
