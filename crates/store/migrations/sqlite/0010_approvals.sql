-- Approval requests (決裁) shared by every register, and absences with a deputy
-- (代理決裁者). A request points to its subject by kind and id (subject_parent_id: the
-- record holding it — the policy document of a version, the asset of a take-out, the
-- risk of an acceptance — for links). asked_kind: deciders (the decide grant of the
-- register named in asked_code), post (asked_code), person (asked_user) or committee.
-- state: pending, approved, returned, rejected or withdrawn. on_behalf_of: the absent
-- holder a deputy decided for. reason: why sent back or rejected, or an approval's
-- comment. minute_ref: the committee minute a decision rests on.
CREATE TABLE approval_requests (
    id                INTEGER PRIMARY KEY,
    subject_kind      TEXT NOT NULL,
    subject_id        INTEGER NOT NULL,
    subject_parent_id INTEGER,
    title             TEXT NOT NULL,
    requested_by      INTEGER REFERENCES users (id),
    asked_kind        TEXT NOT NULL,
    asked_code        TEXT NOT NULL,
    asked_user        INTEGER REFERENCES users (id),
    note              TEXT NOT NULL,
    due_on            TEXT,
    state             TEXT NOT NULL,
    decided_by        INTEGER REFERENCES users (id),
    on_behalf_of      INTEGER REFERENCES users (id),
    decided_on        TEXT,
    decided_at        TEXT,
    reason            TEXT NOT NULL,
    minute_ref        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX approval_requests_subject ON approval_requests (subject_kind, subject_id);
CREATE INDEX approval_requests_state ON approval_requests (state, due_on);
CREATE INDEX approval_requests_requester ON approval_requests (requested_by);

-- A holder marked absent from starts_on to ends_on (dates, inclusive); cancelled_at set
-- when the absence is called off (kept for the record).
CREATE TABLE approval_absences (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    deputy_id    INTEGER NOT NULL REFERENCES users (id),
    starts_on    TEXT NOT NULL,
    ends_on      TEXT NOT NULL,
    note         TEXT NOT NULL,
    created_by   INTEGER REFERENCES users (id),
    created_at   TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE INDEX approval_absences_user ON approval_absences (user_id, ends_on);

-- The three approvals that lived in their registers move onto requests: policy 決裁
-- (drafts wait; approved, published and superseded versions were approved), take-outs
-- needing approval, and risk acceptances. The old decision columns go: the request is
-- the one record of a decision.
INSERT INTO approval_requests (subject_kind, subject_id, subject_parent_id, title,
    requested_by, asked_kind, asked_code, asked_user, note, due_on, state, decided_by,
    on_behalf_of, decided_on, decided_at, reason, minute_ref, created_at)
SELECT 'policy_version', v.id, v.document_id, v.title, v.created_by, 'deciders',
    'policies', NULL, v.change_note, NULL,
    CASE WHEN v.status = 'draft' THEN 'pending' ELSE 'approved' END,
    v.approved_by, NULL,
    CASE WHEN v.status = 'draft' THEN NULL
         ELSE COALESCE(v.approved_on, substr(COALESCE(v.approved_at, v.created_at), 1, 10)) END,
    CASE WHEN v.status = 'draft' THEN NULL ELSE COALESCE(v.approved_at, v.created_at) END,
    '', '', v.created_at
FROM policy_versions v
WHERE v.status IN ('draft', 'approved', 'published', 'superseded')
ORDER BY v.id;

INSERT INTO approval_requests (subject_kind, subject_id, subject_parent_id, title,
    requested_by, asked_kind, asked_code, asked_user, note, due_on, state, decided_by,
    on_behalf_of, decided_on, decided_at, reason, minute_ref, created_at)
SELECT 'asset_takeout', e.id, e.asset_id, a.name, e.recorded_by, 'deciders', 'assets',
    NULL, e.notes, e.occurred_on,
    CASE e.approval WHEN 'pending' THEN 'pending' WHEN 'approved' THEN 'approved'
         ELSE 'rejected' END,
    e.decided_by, NULL, substr(e.decided_at, 1, 10), e.decided_at, e.decision_note, '',
    e.recorded_at
FROM asset_events e JOIN assets a ON a.id = e.asset_id
WHERE e.approval <> 'not_required'
ORDER BY e.id;

INSERT INTO approval_requests (subject_kind, subject_id, subject_parent_id, title,
    requested_by, asked_kind, asked_code, asked_user, note, due_on, state, decided_by,
    on_behalf_of, decided_on, decided_at, reason, minute_ref, created_at)
SELECT 'risk_acceptance', c.id, c.risk_id, r.title, c.proposed_by, 'deciders', 'risks',
    NULL, c.reason, NULL,
    CASE c.status WHEN 'pending' THEN 'pending' WHEN 'accepted' THEN 'approved'
         ELSE 'rejected' END,
    c.decided_by, NULL, substr(c.decided_at, 1, 10), c.decided_at, c.decision_note, '',
    c.created_at
FROM risk_acceptances c JOIN risks r ON r.id = c.risk_id
ORDER BY c.id;

ALTER TABLE policy_versions DROP COLUMN approved_by;
ALTER TABLE policy_versions DROP COLUMN approved_on;
ALTER TABLE policy_versions DROP COLUMN approved_at;
DROP INDEX asset_events_approval;
ALTER TABLE asset_events DROP COLUMN approval;
ALTER TABLE asset_events DROP COLUMN decided_by;
ALTER TABLE asset_events DROP COLUMN decided_at;
ALTER TABLE asset_events DROP COLUMN decision_note;
ALTER TABLE risk_acceptances DROP COLUMN status;
ALTER TABLE risk_acceptances DROP COLUMN decided_by;
ALTER TABLE risk_acceptances DROP COLUMN decided_at;
ALTER TABLE risk_acceptances DROP COLUMN decision_note;
