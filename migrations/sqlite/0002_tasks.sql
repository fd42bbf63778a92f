-- Annual plans (工作要点, 工作清单) and their tasks, decomposed to units and followed to completion.
-- Every table carries park_id, leading every key and index, as in 0001.

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    year INTEGER NOT NULL,
    -- work_points (工作要点) or task_list (工作清单)
    plan_kind TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_number TEXT NOT NULL DEFAULT '',
    -- The 文件台账 record of the plan's document number, when there is one.
    document_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    UNIQUE (park_id, year, plan_kind),
    FOREIGN KEY (park_id, document_id) REFERENCES records (park_id, id)
);

-- The status people set is kept (not_started, in_progress, done); 已逾期 is derived from the
-- deadline and the day asked about, never stored, so it cannot go stale.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    plan_id INTEGER NOT NULL,
    parent_id INTEGER,
    seq TEXT NOT NULL,
    content TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    start_on TEXT,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'not_started',
    completed_on TEXT,
    progress INTEGER NOT NULL DEFAULT 0,
    supervised BOOLEAN NOT NULL DEFAULT FALSE,
    supervised_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    UNIQUE (park_id, plan_id, seq),
    FOREIGN KEY (park_id, plan_id) REFERENCES plans (park_id, id),
    FOREIGN KEY (park_id, parent_id) REFERENCES tasks (park_id, id),
    FOREIGN KEY (park_id, unit_id) REFERENCES units (park_id, id)
);
CREATE INDEX tasks_unit ON tasks (park_id, unit_id, deadline);
CREATE INDEX tasks_parent ON tasks (park_id, parent_id);

-- 配合单位: the units that help with a task.
CREATE TABLE task_cooperators (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    task_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    PRIMARY KEY (park_id, task_id, unit_id),
    FOREIGN KEY (park_id, task_id) REFERENCES tasks (park_id, id),
    FOREIGN KEY (park_id, unit_id) REFERENCES units (park_id, id)
);

CREATE TABLE task_progress (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    task_id INTEGER NOT NULL,
    reported_on TEXT NOT NULL,
    percent INTEGER NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, task_id) REFERENCES tasks (park_id, id)
);
CREATE INDEX task_progress_task ON task_progress (park_id, task_id);

-- Files of a progress update, stored like records' attachments (under the data folder, by SHA-256).
CREATE TABLE task_attachments (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    progress_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    FOREIGN KEY (park_id, progress_id) REFERENCES task_progress (park_id, id)
);
CREATE INDEX task_attachments_progress ON task_attachments (park_id, progress_id);
