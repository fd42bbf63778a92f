-- 企业诉求: an enterprise's request to the 园小二 team, worked through its statuses to
-- working-day deadlines (computed from registered_on on the park's calendar, kept here so a
-- list can sort and colour by them), and every step of it with its text.
-- Every table carries park_id, leading every key and index, as in 0001.

CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    enterprise_id INTEGER NOT NULL,
    category TEXT NOT NULL,
    -- The 园小二 group it is routed to (综合协调组, 项目审批组, 企业服务组).
    team_group TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    contact_name TEXT NOT NULL DEFAULT '',
    -- portal (raised by the enterprise), phone, visit, forum
    channel TEXT NOT NULL,
    received_on TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'registered',
    assignee_id INTEGER,
    contact_by TEXT NOT NULL,
    reply_by TEXT NOT NULL,
    close_by TEXT NOT NULL,
    -- A deadline counted through a year without a working-day table (Monday–Friday stood in).
    estimated BOOLEAN NOT NULL DEFAULT FALSE,
    extended BOOLEAN NOT NULL DEFAULT FALSE,
    contacted_on TEXT,
    replied_on TEXT,
    closed_on TEXT,
    rating TEXT,
    rated BOOLEAN NOT NULL DEFAULT FALSE,
    reopened INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, enterprise_id) REFERENCES enterprises (park_id, id)
);
CREATE INDEX requests_enterprise ON requests (park_id, enterprise_id, registered_on);
CREATE INDEX requests_queue ON requests (park_id, status, close_by);

-- Each step and message of a request, in order: what the enterprise sees as the thread.
CREATE TABLE request_events (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    request_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    user_id INTEGER,
    login TEXT NOT NULL,
    -- a step (accept, return, reply ...), or message
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, request_id) REFERENCES requests (park_id, id)
);
CREATE INDEX request_events_request ON request_events (park_id, request_id, id);
