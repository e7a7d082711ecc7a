-- Exceptions (例外措置): a rule of the policy set aside for a purpose and a period, with
-- the CISO's permission, which is an approval request about the exception
-- (approval_requests.subject_kind = 'exception'); the latest request says where the
-- permission stands. emergency: taken at once and reported afterwards (事後報告).
-- ended_on: ended early, or closed after it expired, with end_note.
CREATE TABLE exceptions (
    id          INTEGER PRIMARY KEY,
    rule        TEXT NOT NULL,
    clause_ref  TEXT NOT NULL,
    scope       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    measure     TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    expires_on  TEXT NOT NULL,
    emergency   INTEGER NOT NULL,
    ended_on    TEXT,
    ended_by    INTEGER REFERENCES users (id),
    end_note    TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX exceptions_expires ON exceptions (expires_on);
