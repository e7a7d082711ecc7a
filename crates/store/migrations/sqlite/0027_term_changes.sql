-- Term changes (改選, issue 17 item 7): a general election, a by-election or a
-- resignation, and the checklist of each person who leaves or joins.
-- kind: general_election | by_election | resignation | other; effective_on: the first day
-- of the new term (ISO 8601) — those who leave hold their posts until the day before
-- and their accounts close on it. carried_out_at/carried_out_by: when the leaving was
-- carried out (by a person, or by the daily sweep on the day: carried_out_by empty).
CREATE TABLE term_changes (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    effective_on   TEXT NOT NULL,
    note           TEXT NOT NULL,
    carried_out_at TEXT,
    carried_out_by INTEGER REFERENCES users (id),
    created_by     INTEGER REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- direction: leaving | joining. user_id is empty for someone joining whose account is
-- not made yet (name and reading as typed); linking an account fills it.
CREATE TABLE term_change_people (
    id        INTEGER PRIMARY KEY,
    change_id INTEGER NOT NULL REFERENCES term_changes (id),
    direction TEXT NOT NULL,
    user_id   INTEGER REFERENCES users (id),
    name      TEXT NOT NULL,
    reading   TEXT NOT NULL,
    added_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX term_change_people_user ON term_change_people (change_id, user_id);

-- The secretariat's own marks on a person's checklist: item 'line' is a line it wrote
-- (label; state open | done), any other item code one it set aside as not applicable
-- (state set_aside while it stands, open once withdrawn; note is the reason).
CREATE TABLE term_change_marks (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES term_change_people (id),
    item       TEXT NOT NULL,
    label      TEXT NOT NULL,
    state      TEXT NOT NULL,
    note       TEXT NOT NULL,
    marked_by  INTEGER REFERENCES users (id),
    marked_at  TEXT NOT NULL
);
CREATE INDEX term_change_marks_person ON term_change_marks (person_id);
