-- 惠企政策: the park's qualification tags (资质标签), carried by enterprise profiles besides
-- their industry and scale; the policy library with its conditions on industry, scale and tags
-- (each a comma-separated list, empty for "every enterprise"); and one row per policy pushed to
-- an enterprise, with why it matched and when it was first read, by whom.
-- Every table carries park_id, leading every key and index, as in 0001.

ALTER TABLE enterprises ADD COLUMN tags TEXT NOT NULL DEFAULT '';

CREATE TABLE qualification_tags (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (park_id, name)
);

-- The parks that exist before this migration start with the default tags, as a new park does.
INSERT INTO qualification_tags (park_id, name, position) SELECT id, '高新技术企业', 1 FROM parks;
INSERT INTO qualification_tags (park_id, name, position) SELECT id, '专精特新', 2 FROM parks;
INSERT INTO qualification_tags (park_id, name, position) SELECT id, '科技型中小企业', 3 FROM parks;
INSERT INTO qualification_tags (park_id, name, position) SELECT id, '规上企业', 4 FROM parks;
INSERT INTO qualification_tags (park_id, name, position) SELECT id, '瞪羚企业', 5 FROM parks;

CREATE TABLE policies (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    title TEXT NOT NULL,
    -- 国家, 省, 市, 区
    level TEXT NOT NULL,
    issuer TEXT NOT NULL,
    doc_number TEXT NOT NULL DEFAULT '',
    issued_on TEXT NOT NULL,
    valid_until TEXT,
    summary TEXT NOT NULL,
    full_text TEXT NOT NULL DEFAULT '',
    industries TEXT NOT NULL DEFAULT '',
    scales TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (park_id, id)
);
CREATE INDEX policies_issued ON policies (park_id, issued_on);

CREATE TABLE policy_pushes (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    policy_id INTEGER NOT NULL,
    enterprise_id INTEGER NOT NULL,
    -- universal (普惠: every enterprise that matched) or exclusive (专属: chosen ones)
    mode TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The park's calendar day of the push, which places it in a report year.
    pushed_on TEXT NOT NULL,
    pushed_at TEXT NOT NULL,
    pushed_by INTEGER,
    read_at TEXT,
    read_by INTEGER,
    read_login TEXT,
    UNIQUE (park_id, id),
    UNIQUE (park_id, policy_id, enterprise_id),
    FOREIGN KEY (park_id, policy_id) REFERENCES policies (park_id, id),
    FOREIGN KEY (park_id, enterprise_id) REFERENCES enterprises (park_id, id)
);
CREATE INDEX policy_pushes_enterprise ON policy_pushes (park_id, enterprise_id, pushed_on);
CREATE INDEX policy_pushes_day ON policy_pushes (park_id, pushed_on);
