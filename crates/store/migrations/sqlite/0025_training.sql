-- Training and drills (研修・訓練, issue 17 item 3; clause 6(5)).
-- training_plans: one plan (研修計画) per 年度, decided through an approval request
-- (status draft | asked | approved).
CREATE TABLE training_plans (
    id          INTEGER PRIMARY KEY,
    fiscal_year INTEGER NOT NULL UNIQUE,
    summary     TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    approved_at TEXT
);

-- A course of a 年度 by kind (全員研修, 新任研修 …); sessions are its dates.
CREATE TABLE training_courses (
    id          INTEGER PRIMARY KEY,
    fiscal_year INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX training_courses_year ON training_courses (fiscal_year);

-- One session: day, times (HH:MM, Japan time), place or online, and its audience as
-- chosen (audience/audience_codes as for awareness notices). cancelled_at keeps a
-- cancellation; a session is never deleted.
CREATE TABLE training_sessions (
    id             INTEGER PRIMARY KEY,
    course_id      INTEGER NOT NULL REFERENCES training_courses (id),
    held_on        TEXT NOT NULL,
    starts_at      TEXT NOT NULL,
    ends_at        TEXT NOT NULL,
    place          TEXT NOT NULL,
    online         INTEGER NOT NULL,
    note           TEXT NOT NULL,
    audience       TEXT NOT NULL,
    audience_codes TEXT NOT NULL,
    created_by     INTEGER REFERENCES users (id),
    created_at     TEXT NOT NULL,
    cancelled_at   TEXT
);
CREATE INDEX training_sessions_day ON training_sessions (held_on);

-- The people invited, resolved when the session was planned.
CREATE TABLE training_invitees (
    session_id INTEGER NOT NULL REFERENCES training_sessions (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX training_invitees_user ON training_invitees (user_id);

-- Attendance per person: status present | absent | excused; way recorded | imported |
-- declared; a declaration counts once confirmed (confirmed_by/confirmed_at).
CREATE TABLE training_attendance (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES training_sessions (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    status       TEXT NOT NULL,
    way          TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  TEXT NOT NULL,
    confirmed_by INTEGER REFERENCES users (id),
    confirmed_at TEXT,
    UNIQUE (session_id, user_id)
);
CREATE INDEX training_attendance_user ON training_attendance (user_id);

-- The coverage rule as data: code yearly | new_people; user_types and course_kinds
-- are codes separated by commas; within_days for new people only.
CREATE TABLE training_rules (
    code         TEXT PRIMARY KEY,
    user_types   TEXT NOT NULL,
    course_kinds TEXT NOT NULL,
    within_days  INTEGER,
    updated_by   INTEGER REFERENCES users (id),
    updated_at   TEXT NOT NULL
);
INSERT INTO training_rules (code, user_types, course_kinds, within_days, updated_at) VALUES
    ('yearly', 'member,staff,other',
     'everyone,new_staff,role_based,members,drill,elearning,outside', NULL,
     '2026-04-01T00:00:00Z'),
    ('new_people', 'member,staff,other', 'everyone,new_staff,members,elearning', 90,
     '2026-04-01T00:00:00Z');
