-- Personal data encrypted at rest: people's ID numbers and phones and enterprises' contact phones
-- are stored as SM4-GCM envelopes (sm4:<key id>:<hex>) under data keys kept in a file outside the
-- database. The database records only the keys' fingerprints (their ids): which data key new
-- values are sealed under (is_current), and the HMAC-SM3 key of the blind index, so that a
-- process with another key file is refused before it writes.
CREATE TABLE data_keys (
    key_id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('data', 'index')),
    is_current BOOLEAN NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL
);

-- HMAC-SM3 of the park and the normalised ID number: exact lookups by ID number (import
-- matching, duplicates) without decrypting every row.
ALTER TABLE people ADD COLUMN id_number_index TEXT;
CREATE INDEX people_id_number_index ON people (park_id, id_number_index);
