-- The 企业难题 (enterprise_problem) and 意见建议 (suggestion) ledgers become requests: the
-- figures of the report's fifth part are computed from requests from now on.
--
-- A request gains its nature (problem: an enterprise's 诉求 or 难题 to be solved; suggestion:
-- an opinion collected at a forum, on a visit or online), the ledger record it was carried over
-- from, and that record's fields as they were (JSON, nothing dropped). A suggestion need not
-- name an enterprise, so enterprise_id may be empty.
--
-- Every live record of the two kinds is then carried over (deleted ones stay as they are), with
-- one line in its thread naming the record, and the record is soft-deleted: it stays in the
-- database with its audit history, reachable from the request (source_record_id), and no
-- longer counted twice. Deadlines of a carried-over request are counted Monday–Friday from the
-- day it was accepted (estimated = TRUE): SQL knows no holiday table.

ALTER TABLE requests ALTER COLUMN enterprise_id DROP NOT NULL;
ALTER TABLE requests ADD COLUMN nature TEXT NOT NULL DEFAULT 'problem';
-- The ledger record this request was carried over from, and its fields as they were.
ALTER TABLE requests ADD COLUMN source_record_id BIGINT;
ALTER TABLE requests ADD COLUMN carried TEXT;
ALTER TABLE requests ADD FOREIGN KEY (park_id, source_record_id) REFERENCES records (park_id, id);
CREATE INDEX requests_nature ON requests (park_id, nature, received_on);
CREATE INDEX requests_source ON requests (park_id, source_record_id);

-- The carried-over records, with the day of the week they were accepted on (Monday 0).
CREATE TEMPORARY TABLE carry AS
SELECT r.id, r.park_id, r.kind, r.enterprise_id, r.occurred_on, r.title, r.fields::jsonb AS f,
    r.fields, r.created_by, r.created_at,
    LEAST(EXTRACT(ISODOW FROM r.occurred_on)::int - 1, 4) AS dow,
    LEAST(EXTRACT(ISODOW FROM r.occurred_on)::int - 1, 4)
        - (EXTRACT(ISODOW FROM r.occurred_on)::int - 1) AS shift
FROM records r
WHERE r.kind IN ('enterprise_problem', 'suggestion') AND r.deleted_at IS NULL;

INSERT INTO requests (park_id, enterprise_id, nature, category, team_group, title, description,
    channel, received_on, registered_on, status, contact_by, reply_by, close_by, estimated,
    contacted_on, replied_on, closed_on, rating, rated, source_record_id, carried, created_by,
    created_at, updated_at)
SELECT c.park_id, c.enterprise_id,
    CASE c.kind WHEN 'suggestion' THEN 'suggestion' ELSE 'problem' END,
    CASE c.kind WHEN 'suggestion' THEN '意见建议'
        ELSE COALESCE(NULLIF(c.f ->> 'problem_category', ''), '其他') END,
    CASE WHEN c.f ->> 'team' IN ('综合协调组', '项目审批组', '企业服务组')
        THEN c.f ->> 'team' ELSE '综合协调组' END,
    c.title,
    COALESCE(c.f ->> (CASE c.kind WHEN 'suggestion' THEN 'content' ELSE 'description' END),
        c.title),
    'ledger', c.occurred_on, c.occurred_on,
    CASE
        WHEN c.kind = 'enterprise_problem' AND c.f ->> 'completed_on' IS NOT NULL THEN 'closed'
        WHEN c.kind = 'enterprise_problem' THEN 'accepted'
        WHEN c.f ->> 'status' IN ('已办结', '已采纳') THEN 'closed'
        WHEN c.f ->> 'status' = '办理中' THEN 'in_progress'
        ELSE 'registered'
    END,
    c.occurred_on + (c.shift + CASE WHEN c.dow = 4 THEN 3 ELSE 1 END),
    c.occurred_on + (c.shift + CASE WHEN c.dow >= 2 THEN 5 ELSE 3 END),
    c.occurred_on + (c.shift + 21),
    TRUE,
    CASE WHEN c.kind = 'enterprise_problem' THEN c.occurred_on END,
    CASE WHEN c.kind = 'enterprise_problem' THEN (c.f ->> 'completed_on')::date END,
    CASE WHEN c.kind = 'enterprise_problem' THEN (c.f ->> 'completed_on')::date END,
    CASE c.f ->> 'satisfaction'
        WHEN '满意' THEN 'satisfied' WHEN '基本满意' THEN 'fair' WHEN '不满意' THEN 'unsatisfied'
    END,
    COALESCE(c.f ->> 'satisfaction' IN ('满意', '基本满意', '不满意'), FALSE),
    c.id, c.fields, c.created_by, c.created_at, now()
FROM carry c
ORDER BY c.park_id, c.id;

INSERT INTO request_events (park_id, request_id, at, user_id, login, step, status, text)
SELECT q.park_id, q.id, q.created_at, NULL, '台账转入', 'carry_over', q.status,
    CASE c.kind WHEN 'suggestion' THEN '由意见建议台账第 ' ELSE '由企业难题台账第 ' END
        || c.id || ' 号记录转入'
        || COALESCE('；办理状态：' || (c.f ->> 'status'), '')
        || COALESCE('；办理结果：' || (c.f ->> 'result'), '')
        || COALESCE('；满意度：' || (c.f ->> 'satisfaction'), '')
FROM requests q JOIN carry c ON c.park_id = q.park_id AND c.id = q.source_record_id;

UPDATE records SET deleted_at = now(), updated_at = now(), version = version + 1
WHERE (park_id, id) IN (SELECT park_id, id FROM carry);

DROP TABLE carry;
