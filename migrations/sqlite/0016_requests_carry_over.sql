-- The 企业难题 (enterprise_problem) and 意见建议 (suggestion) ledgers become requests: the
-- figures of the report's fifth part are computed from requests from now on.
--
-- A request gains its nature (problem: an enterprise's 诉求 or 难题 to be solved; suggestion:
-- an opinion collected at a forum, on a visit or online), the ledger record it was carried over
-- from, and that record's fields as they were (JSON, nothing dropped). A suggestion need not
-- name an enterprise, so enterprise_id may be empty: SQLite changes a column's constraint only by
-- rebuilding the table (and the thread's table, whose foreign key names it), in the documented
-- order: new tables, copy, drop, rename.
--
-- Every live record of the two kinds is then carried over (deleted ones stay as they are), with
-- one line in its thread naming the record, and the record is soft-deleted: it stays in the
-- database with its audit history, reachable from the request (source_record_id), and no
-- longer counted twice. Deadlines of a carried-over request are counted Monday–Friday from the
-- day it was accepted (estimated = TRUE): SQL knows no holiday table.

CREATE TABLE requests_new (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    enterprise_id INTEGER,
    nature TEXT NOT NULL DEFAULT 'problem',
    category TEXT NOT NULL,
    team_group TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    contact_name TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    received_on TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'registered',
    assignee_id INTEGER,
    contact_by TEXT NOT NULL,
    reply_by TEXT NOT NULL,
    close_by TEXT NOT NULL,
    estimated BOOLEAN NOT NULL DEFAULT FALSE,
    extended BOOLEAN NOT NULL DEFAULT FALSE,
    contacted_on TEXT,
    replied_on TEXT,
    closed_on TEXT,
    rating TEXT,
    rated BOOLEAN NOT NULL DEFAULT FALSE,
    reopened INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    -- The ledger record this request was carried over from, and its fields as they were.
    source_record_id INTEGER,
    carried TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, enterprise_id) REFERENCES enterprises (park_id, id),
    FOREIGN KEY (park_id, source_record_id) REFERENCES records (park_id, id)
);
INSERT INTO requests_new (id, park_id, enterprise_id, category, team_group, title, description,
    contact_name, channel, received_on, registered_on, status, assignee_id, contact_by, reply_by,
    close_by, estimated, extended, contacted_on, replied_on, closed_on, rating, rated, reopened,
    version, created_by, created_at, updated_at)
SELECT id, park_id, enterprise_id, category, team_group, title, description,
    contact_name, channel, received_on, registered_on, status, assignee_id, contact_by, reply_by,
    close_by, estimated, extended, contacted_on, replied_on, closed_on, rating, rated, reopened,
    version, created_by, created_at, updated_at
FROM requests;

CREATE TABLE request_events_new (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    request_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    user_id INTEGER,
    login TEXT NOT NULL,
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, request_id) REFERENCES requests_new (park_id, id)
);
INSERT INTO request_events_new (id, park_id, request_id, at, user_id, login, step, status, text)
SELECT id, park_id, request_id, at, user_id, login, step, status, text FROM request_events;

DROP TABLE request_events;
DROP TABLE requests;
ALTER TABLE requests_new RENAME TO requests;
ALTER TABLE request_events_new RENAME TO request_events;
CREATE INDEX requests_enterprise ON requests (park_id, enterprise_id, registered_on);
CREATE INDEX requests_queue ON requests (park_id, status, close_by);
CREATE INDEX requests_nature ON requests (park_id, nature, received_on);
CREATE INDEX requests_source ON requests (park_id, source_record_id);
CREATE INDEX request_events_request ON request_events (park_id, request_id, id);

-- The carried-over records, with the day of the week they were accepted on (Monday 0).
CREATE TEMPORARY TABLE carry AS
SELECT r.id, r.park_id, r.kind, r.enterprise_id, r.occurred_on, r.title, r.fields, r.created_by,
    r.created_at,
    MIN((CAST(strftime('%w', r.occurred_on) AS INTEGER) + 6) % 7, 4) AS dow,
    MIN((CAST(strftime('%w', r.occurred_on) AS INTEGER) + 6) % 7, 4)
        - (CAST(strftime('%w', r.occurred_on) AS INTEGER) + 6) % 7 AS shift
FROM records r
WHERE r.kind IN ('enterprise_problem', 'suggestion') AND r.deleted_at IS NULL;

INSERT INTO requests (park_id, enterprise_id, nature, category, team_group, title, description,
    channel, received_on, registered_on, status, contact_by, reply_by, close_by, estimated,
    contacted_on, replied_on, closed_on, rating, rated, source_record_id, carried, created_by,
    created_at, updated_at)
SELECT c.park_id, c.enterprise_id,
    CASE c.kind WHEN 'suggestion' THEN 'suggestion' ELSE 'problem' END,
    CASE c.kind WHEN 'suggestion' THEN '意见建议'
        ELSE COALESCE(NULLIF(json_extract(c.fields, '$.problem_category'), ''), '其他') END,
    CASE WHEN json_extract(c.fields, '$.team') IN ('综合协调组', '项目审批组', '企业服务组')
        THEN json_extract(c.fields, '$.team') ELSE '综合协调组' END,
    c.title,
    COALESCE(json_extract(c.fields,
        CASE c.kind WHEN 'suggestion' THEN '$.content' ELSE '$.description' END), c.title),
    'ledger', c.occurred_on, c.occurred_on,
    CASE
        WHEN c.kind = 'enterprise_problem' AND json_extract(c.fields, '$.completed_on') IS NOT NULL
            THEN 'closed'
        WHEN c.kind = 'enterprise_problem' THEN 'accepted'
        WHEN json_extract(c.fields, '$.status') IN ('已办结', '已采纳') THEN 'closed'
        WHEN json_extract(c.fields, '$.status') = '办理中' THEN 'in_progress'
        ELSE 'registered'
    END,
    date(c.occurred_on, (c.shift + CASE WHEN c.dow = 4 THEN 3 ELSE 1 END) || ' days'),
    date(c.occurred_on, (c.shift + CASE WHEN c.dow >= 2 THEN 5 ELSE 3 END) || ' days'),
    date(c.occurred_on, (c.shift + 21) || ' days'),
    TRUE,
    CASE WHEN c.kind = 'enterprise_problem' THEN c.occurred_on END,
    CASE WHEN c.kind = 'enterprise_problem' THEN json_extract(c.fields, '$.completed_on') END,
    CASE WHEN c.kind = 'enterprise_problem' THEN json_extract(c.fields, '$.completed_on') END,
    CASE json_extract(c.fields, '$.satisfaction')
        WHEN '满意' THEN 'satisfied' WHEN '基本满意' THEN 'fair' WHEN '不满意' THEN 'unsatisfied'
    END,
    COALESCE(json_extract(c.fields, '$.satisfaction') IN ('满意', '基本满意', '不满意'), FALSE),
    c.id, c.fields, c.created_by, c.created_at, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM carry c
ORDER BY c.park_id, c.id;

INSERT INTO request_events (park_id, request_id, at, user_id, login, step, status, text)
SELECT q.park_id, q.id, q.created_at, NULL, '台账转入', 'carry_over', q.status,
    CASE c.kind WHEN 'suggestion' THEN '由意见建议台账第 ' ELSE '由企业难题台账第 ' END
        || c.id || ' 号记录转入'
        || COALESCE('；办理状态：' || json_extract(c.fields, '$.status'), '')
        || COALESCE('；办理结果：' || json_extract(c.fields, '$.result'), '')
        || COALESCE('；满意度：' || json_extract(c.fields, '$.satisfaction'), '')
FROM requests q JOIN carry c ON c.park_id = q.park_id AND c.id = q.source_record_id;

UPDATE records SET deleted_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), version = version + 1
WHERE id IN (SELECT id FROM carry);

DROP TABLE carry;
