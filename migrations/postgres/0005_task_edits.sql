-- Plans are edited (title, document number, linked 文件台账 record, year) like tasks: an edit names
-- the version it read and is refused when someone saved the plan since. Tasks have had a version
-- from the start (0002).
ALTER TABLE plans ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- The marked copy of a user's last refused 工作清单 upload to a plan, kept so the plan page and
-- the API can offer it for download after the refusal; replaced by the next refusal and removed
-- by the next successful import (or with the plan). Scratch, not business data: it is not audited.
CREATE TABLE task_import_errors (
    park_id BIGINT NOT NULL REFERENCES parks (id),
    plan_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    workbook BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (park_id, plan_id, user_id),
    FOREIGN KEY (park_id, plan_id) REFERENCES plans (park_id, id)
);
