-- 通知: in-app notices, the robots (企业微信群机器人, 钉钉自定义机器人) the 党建办 configures, and
-- the outbox of messages to them with every delivery attempt. A notice goes to one user or to
-- an enterprise (every user of it); the robots' webhook URL and 加签 secret are stored sealed
-- (crypto::Sealer), with the URL's host kept apart for display. A deadline reminder is
-- produced once per (request, deadline, date, kind): deadline_alerts' key holds it.
-- Every table carries park_id, leading every key and index, as in 0001.

CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    user_id INTEGER,
    enterprise_id INTEGER,
    request_id INTEGER,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, user_id) REFERENCES users (park_id, id),
    FOREIGN KEY (park_id, enterprise_id) REFERENCES enterprises (park_id, id)
);
CREATE INDEX notices_of_user ON notices (park_id, user_id, id);
CREATE INDEX notices_of_enterprise ON notices (park_id, enterprise_id, id);

CREATE TABLE deadline_alerts (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    request_id INTEGER NOT NULL,
    -- contact_by, reply_by or close_by
    deadline TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- near (催办: less than 30% of its time left) or overdue
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (park_id, request_id, deadline, due_on, kind)
);

CREATE TABLE robots (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    name TEXT NOT NULL,
    -- wecom (企业微信群机器人) or dingtalk (钉钉自定义机器人)
    kind TEXT NOT NULL,
    url_sealed TEXT NOT NULL,
    url_host TEXT NOT NULL,
    secret_sealed TEXT,
    -- comma-separated: new_request, near_deadline, overdue
    events TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (park_id, id)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    robot_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    request_id INTEGER,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- pending (待发送), retrying (重试中), sent (已发送), failed (失败)
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    sent_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, robot_id) REFERENCES robots (park_id, id)
);
CREATE INDEX outbox_due ON outbox (park_id, status, next_at);

CREATE TABLE outbox_attempts (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    outbox_id INTEGER NOT NULL,
    robot_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    ok BOOLEAN NOT NULL,
    http_status INTEGER,
    error TEXT NOT NULL DEFAULT '',
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, outbox_id) REFERENCES outbox (park_id, id)
);
CREATE INDEX outbox_attempts_of ON outbox_attempts (park_id, outbox_id, id);
CREATE INDEX outbox_attempts_of_robot ON outbox_attempts (park_id, robot_id, at);
