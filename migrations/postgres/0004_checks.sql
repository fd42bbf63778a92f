-- Rule checks kept per park: the park's own copy of the rule file (absent: the embedded default)
-- and the findings marked as rectified (已整改), one row per park, rule, unit and period.

CREATE TABLE park_rules (
    park_id BIGINT NOT NULL REFERENCES parks (id),
    -- The rule file as the park last saved it, TOML, checked before it was stored.
    text TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (park_id)
);

CREATE TABLE rectifications (
    park_id BIGINT NOT NULL REFERENCES parks (id),
    rule TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    -- The finding's period label: 2025-03, 2025-Q3 or 2025.
    period TEXT NOT NULL,
    note TEXT NOT NULL,
    rectified_on DATE NOT NULL,
    marked_by BIGINT,
    marked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (park_id, rule, unit_id, period),
    FOREIGN KEY (park_id, unit_id) REFERENCES units (park_id, id)
);
