-- The duty report's own data: the park's report templates, each saved version kept, and the
-- cause analysis (原因分析) and rectification measures (整改措施) the user writes per year.

CREATE TABLE report_templates (
    id INTEGER PRIMARY KEY,
    park_id INTEGER NOT NULL REFERENCES parks (id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (park_id, id),
    UNIQUE (park_id, name)
);

-- A saved version is never changed: saving writes the next version number.
CREATE TABLE report_template_versions (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    template_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    author_id INTEGER,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (park_id, template_id, version),
    FOREIGN KEY (park_id, template_id) REFERENCES report_templates (park_id, id)
);

CREATE TABLE report_causes (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    year INTEGER NOT NULL,
    causes TEXT NOT NULL,
    measures TEXT NOT NULL,
    updated_by INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (park_id, year)
);
