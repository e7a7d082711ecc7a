-- Issue 12, the cycle blocks: the calendar (closed days), recurring reviews (policy
-- reviews move onto them) and one corrective-actions register (risk actions move into it).

-- Days the office is closed besides weekends and 年末年始 (a rule in the code, not rows):
-- national holidays (kind 'national', seeded for 2024–2027 from the Cabinet Office list
-- and updated by the administrator) and the assembly's own closed days ('assembly').
CREATE TABLE closed_days (
    on_date    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

INSERT INTO closed_days (on_date, name, kind, created_at) VALUES
    ('2024-01-01', '元日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-01-08', '成人の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-02-11', '建国記念の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-02-12', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-02-23', '天皇誕生日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-03-20', '春分の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-04-29', '昭和の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-05-03', '憲法記念日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-05-04', 'みどりの日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-05-05', 'こどもの日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-05-06', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-07-15', '海の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-08-11', '山の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-08-12', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-09-16', '敬老の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-09-22', '秋分の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-09-23', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-10-14', 'スポーツの日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-11-03', '文化の日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-11-04', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2024-11-23', '勤労感謝の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-01-01', '元日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-01-13', '成人の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-02-11', '建国記念の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-02-23', '天皇誕生日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-02-24', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-03-20', '春分の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-04-29', '昭和の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-05-03', '憲法記念日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-05-04', 'みどりの日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-05-05', 'こどもの日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-05-06', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-07-21', '海の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-08-11', '山の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-09-15', '敬老の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-09-23', '秋分の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-10-13', 'スポーツの日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-11-03', '文化の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-11-23', '勤労感謝の日', 'national', '2026-12-02T00:00:00Z'),
    ('2025-11-24', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-01-01', '元日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-01-12', '成人の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-02-11', '建国記念の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-02-23', '天皇誕生日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-03-20', '春分の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-04-29', '昭和の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-05-03', '憲法記念日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-05-04', 'みどりの日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-05-05', 'こどもの日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-05-06', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-07-20', '海の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-08-11', '山の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-09-21', '敬老の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-09-22', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-09-23', '秋分の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-10-12', 'スポーツの日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-11-03', '文化の日', 'national', '2026-12-02T00:00:00Z'),
    ('2026-11-23', '勤労感謝の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-01-01', '元日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-01-11', '成人の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-02-11', '建国記念の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-02-23', '天皇誕生日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-03-21', '春分の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-03-22', '休日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-04-29', '昭和の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-05-03', '憲法記念日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-05-04', 'みどりの日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-05-05', 'こどもの日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-07-19', '海の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-08-11', '山の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-09-20', '敬老の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-09-23', '秋分の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-10-11', 'スポーツの日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-11-03', '文化の日', 'national', '2026-12-02T00:00:00Z'),
    ('2027-11-23', '勤労感謝の日', 'national', '2026-12-02T00:00:00Z');

-- A review schedule attached to any record (subject_kind, subject_id). rule:
-- fiscal_yearly (rule_month/rule_day in every 年度), every_months, or once (once_on).
-- The reviewer is a post (reviewer_post) or a person (reviewer_id). next_due_on is
-- NULL once a one-off review is done.
CREATE TABLE review_schedules (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    subject_kind  TEXT NOT NULL,
    subject_id    BIGINT NOT NULL,
    rule          TEXT NOT NULL,
    rule_month    BIGINT,
    rule_day      BIGINT,
    every_months  BIGINT,
    once_on       TEXT,
    reviewer_post TEXT,
    reviewer_id   BIGINT REFERENCES users (id),
    next_due_on   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (subject_kind, subject_id)
);
CREATE INDEX review_schedules_due ON review_schedules (next_due_on);

-- The review records of every record with a schedule (the one source of review dates,
-- reviewers and outcomes); due_on is the due date the review answered.
CREATE TABLE reviews (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_id   BIGINT NOT NULL,
    reviewed_on  TEXT NOT NULL,
    due_on       TEXT,
    reviewer_id  BIGINT REFERENCES users (id),
    outcome      TEXT NOT NULL,
    note         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX reviews_subject ON reviews (subject_kind, subject_id);

-- Policy reviews move onto the block, keeping their ids: the decision becomes the
-- outcome, the analysis the note; what is particular to a policy review (the trigger,
-- the version it led to) stays in policy_reviews, one row per review.
INSERT INTO reviews (id, subject_kind, subject_id, reviewed_on, due_on, reviewer_id, outcome, note, created_at)
SELECT id, 'policy_document', document_id, reviewed_on, NULL, recorded_by, decision, analysis, created_at
FROM policy_reviews;

CREATE TABLE policy_reviews_moved (
    review_id         BIGINT PRIMARY KEY REFERENCES reviews (id),
    document_id       BIGINT NOT NULL REFERENCES policy_documents (id),
    review_trigger    TEXT NOT NULL,
    result_version_id BIGINT REFERENCES policy_versions (id)
);
INSERT INTO policy_reviews_moved (review_id, document_id, review_trigger, result_version_id)
SELECT id, document_id, review_trigger, result_version_id FROM policy_reviews;
DROP TABLE policy_reviews;
ALTER TABLE policy_reviews_moved RENAME TO policy_reviews;
CREATE INDEX policy_reviews_document ON policy_reviews (document_id);

-- Every policy document is reviewed every 年度 by its end (31 March), by the
-- 統括情報セキュリティ責任者: due at the end of this 年度, or of the next one when it was
-- already reviewed in this one.
INSERT INTO review_schedules (subject_kind, subject_id, rule, rule_month, rule_day, every_months,
    once_on, reviewer_post, reviewer_id, next_due_on, created_at, updated_at)
SELECT 'policy_document', d.id, 'fiscal_yearly', 3, 31, NULL, NULL, 'chief_security_officer', NULL,
    CASE WHEN (SELECT MAX(r.reviewed_on) FROM reviews r WHERE r.subject_kind = 'policy_document' AND r.subject_id = d.id) IS NOT NULL AND ((EXTRACT(YEAR FROM ((SELECT MAX(r.reviewed_on) FROM reviews r WHERE r.subject_kind = 'policy_document' AND r.subject_id = d.id))::date)::int + CASE WHEN EXTRACT(MONTH FROM ((SELECT MAX(r.reviewed_on) FROM reviews r WHERE r.subject_kind = 'policy_document' AND r.subject_id = d.id))::date) >= 4 THEN 1 ELSE 0 END)::text || '-03-31') >= ((EXTRACT(YEAR FROM ((now() AT TIME ZONE 'Asia/Tokyo')::date)::date)::int + CASE WHEN EXTRACT(MONTH FROM ((now() AT TIME ZONE 'Asia/Tokyo')::date)::date) >= 4 THEN 1 ELSE 0 END)::text || '-03-31')
         THEN ((EXTRACT(YEAR FROM ((SELECT MAX(r.reviewed_on) FROM reviews r WHERE r.subject_kind = 'policy_document' AND r.subject_id = d.id))::date)::int + CASE WHEN EXTRACT(MONTH FROM ((SELECT MAX(r.reviewed_on) FROM reviews r WHERE r.subject_kind = 'policy_document' AND r.subject_id = d.id))::date) >= 4 THEN 2 ELSE 1 END)::text || '-03-31')
         ELSE ((EXTRACT(YEAR FROM ((now() AT TIME ZONE 'Asia/Tokyo')::date)::date)::int + CASE WHEN EXTRACT(MONTH FROM ((now() AT TIME ZONE 'Asia/Tokyo')::date)::date) >= 4 THEN 1 ELSE 0 END)::text || '-03-31') END,
    d.created_at, d.created_at
FROM policy_documents d;

-- Corrective actions (是正処置) of every register. The owner is a post or a person (both
-- empty only for risk actions that never had one); due_kind says how due_on was counted
-- (calendar or working days, due_days of them); status: open, in_progress, done,
-- cancelled; closing_note is the completion note or the reason for cancelling; the
-- source is the record it came from (a risk now; an incident, a finding later).
CREATE TABLE corrective_actions (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    owner_post   TEXT,
    owner_id     BIGINT REFERENCES users (id),
    due_on       TEXT NOT NULL,
    due_kind     TEXT NOT NULL,
    due_days     BIGINT,
    status       TEXT NOT NULL,
    done_on      TEXT,
    closing_note TEXT NOT NULL,
    source_kind  TEXT,
    source_id    BIGINT,
    created_by   BIGINT REFERENCES users (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX corrective_actions_source ON corrective_actions (source_kind, source_id);
CREATE INDEX corrective_actions_due ON corrective_actions (status, due_on);
CREATE INDEX corrective_actions_owner ON corrective_actions (owner_id);

-- Risk actions move in, keeping their ids; the old table is dropped.
INSERT INTO corrective_actions (id, title, description, owner_post, owner_id, due_on, due_kind,
    due_days, status, done_on, closing_note, source_kind, source_id, created_by, created_at, updated_at)
SELECT id, description, '', NULL, owner_id, due_on, 'calendar', NULL,
    CASE WHEN done_on IS NULL THEN 'open' ELSE 'done' END, done_on, '', 'risk', risk_id, NULL,
    created_at, created_at
FROM risk_actions;
DROP TABLE risk_actions;

-- Rows moved with their ids: the identities continue after them.
SELECT setval(pg_get_serial_sequence('reviews', 'id'), COALESCE((SELECT MAX(id) FROM reviews), 0) + 1, false);
SELECT setval(pg_get_serial_sequence('corrective_actions', 'id'), COALESCE((SELECT MAX(id) FROM corrective_actions), 0) + 1, false);
