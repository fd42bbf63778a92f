-- 会议签到: who signed in to a meeting record and when, on the phone page a QR code opens or
-- ticked by the secretary; the record's 参会人员 holds the names, this table the times.
-- And the wrong phone checks of the public sign-in page, per meeting and person, which lock
-- that person's sign-in to that meeting after a few tries.
-- Every table carries park_id, leading every key and index, as in 0001.

CREATE TABLE meeting_signins (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    record_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    signed_at TEXT NOT NULL,
    -- qr (the member on the public page) or secretary (ticked on the attendance page)
    via TEXT NOT NULL,
    -- The account that ticked the name; NULL for a sign-in on the public page.
    user_id INTEGER,
    PRIMARY KEY (park_id, record_id, person_id),
    FOREIGN KEY (park_id, record_id) REFERENCES records (park_id, id),
    FOREIGN KEY (park_id, person_id) REFERENCES people (park_id, id)
);

CREATE TABLE meeting_signin_tries (
    park_id INTEGER NOT NULL REFERENCES parks (id),
    record_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (park_id, record_id, person_id),
    FOREIGN KEY (park_id, record_id) REFERENCES records (park_id, id),
    FOREIGN KEY (park_id, person_id) REFERENCES people (park_id, id)
);
