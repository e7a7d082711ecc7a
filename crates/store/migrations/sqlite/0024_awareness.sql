-- Awareness notices (注意喚起, issue 17 item 5): a notice posted by the security officer
-- to an audience, and each addressed person's reading of it.
-- audience: everyone | user_type | post | users; audience_codes: the user types, posts or
-- login ids it named, separated by commas, as chosen (for showing who was meant).
-- A notice is never rewritten: withdrawn_at/withdrawn_by/withdraw_reason keep its
-- withdrawal (取り下げ), and a correction is a new notice.
CREATE TABLE awareness_notices (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    audience        TEXT NOT NULL,
    audience_codes  TEXT NOT NULL,
    due_on          TEXT,
    created_by      INTEGER REFERENCES users (id),
    created_at      TEXT NOT NULL,
    withdrawn_at    TEXT,
    withdrawn_by    INTEGER REFERENCES users (id),
    withdraw_reason TEXT NOT NULL
);

-- The audience as resolved when the notice was posted: later changes to accounts
-- (a new member, a post handed over) do not rewrite who was addressed.
-- read_at: when the person marked it read (once); reminded_at/reminders: the last
-- reminder (督促) and how many were sent.
CREATE TABLE awareness_recipients (
    notice_id   INTEGER NOT NULL REFERENCES awareness_notices (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    read_at     TEXT,
    reminded_at TEXT,
    reminders   INTEGER NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);
CREATE INDEX awareness_recipients_user ON awareness_recipients (user_id, read_at);
