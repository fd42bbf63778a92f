-- The park's own metric file: an overlay on the embedded default metrics (absent: the defaults
-- alone), with who saved it last and when.

CREATE TABLE park_metrics (
    park_id BIGINT NOT NULL REFERENCES parks (id),
    -- The overlay as the park last saved it, TOML, checked before it was stored.
    text TEXT NOT NULL,
    updated_by BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (park_id)
);
