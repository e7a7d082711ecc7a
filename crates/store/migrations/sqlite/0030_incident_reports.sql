-- Outside reports of incidents (issue 18 item 3).
-- The facts that decide the duties: yes | no | unknown each.
ALTER TABLE incidents ADD COLUMN sensitive TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE incidents ADD COLUMN intentional TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE incidents ADD COLUMN unauthorised TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE incidents ADD COLUMN financial TEXT NOT NULL DEFAULT 'unknown';

-- Report duties as data. stage: preliminary | final | other. triggers: trigger codes,
-- any of which makes the duty apply; unless: codes, any of which makes it not apply
-- (comma-separated: personal, people_over, sensitive, intentional, unauthorised,
-- financial, severity). min_severity: the level the severity trigger asks for at least.
-- day_count: calendar | working. A retired duty (active 0) stays where a report was made.
CREATE TABLE incident_report_duties (
    id           INTEGER PRIMARY KEY,
    recipient_ja TEXT NOT NULL,
    recipient_en TEXT NOT NULL,
    stage        TEXT NOT NULL,
    triggers     TEXT NOT NULL,
    unless       TEXT NOT NULL,
    min_severity TEXT REFERENCES incident_severities (code),
    days         INTEGER NOT NULL,
    day_count    TEXT NOT NULL,
    active       INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
-- The 個人情報保護法 (art. 68, 施行規則 art. 43–44) and a report of a grave incident to
-- the body's own information-policy section; each assembly edits them to its 条例.
INSERT INTO incident_report_duties (recipient_ja, recipient_en, stage, triggers, unless,
    min_severity, days, day_count, active, position, created_at, updated_at) VALUES
    ('個人情報保護委員会', 'Personal Information Protection Commission', 'preliminary',
     'people_over,sensitive,intentional,financial', '', NULL, 5, 'calendar', 1, 10,
     '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
    ('個人情報保護委員会', 'Personal Information Protection Commission', 'final',
     'people_over,sensitive,financial', 'intentional', NULL, 30, 'calendar', 1, 20,
     '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
    ('個人情報保護委員会', 'Personal Information Protection Commission', 'final',
     'intentional', '', NULL, 60, 'calendar', 1, 30,
     '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
    ('首長部局の情報政策担当課', 'The information policy section of the executive', 'other',
     'severity', '', 'high', 3, 'working', 1, 40,
     '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');

-- Reports made. duty_id: the duty it answers (none for a report no duty asked for);
-- sent_on: ISO date; reference: 受付番号; attachment_id: the file sent (on the incident).
-- A report recorded by mistake is withdrawn with a reason, never deleted.
CREATE TABLE incident_reports (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL REFERENCES incidents (id),
    duty_id         INTEGER REFERENCES incident_report_duties (id),
    recipient       TEXT NOT NULL,
    sent_on         TEXT NOT NULL,
    reference       TEXT NOT NULL,
    note            TEXT NOT NULL,
    attachment_id   INTEGER REFERENCES attachments (id),
    recorded_by     INTEGER REFERENCES users (id),
    recorded_at     TEXT NOT NULL,
    withdrawn_at    TEXT,
    withdrawn_by    INTEGER REFERENCES users (id),
    withdraw_reason TEXT NOT NULL
);
CREATE INDEX incident_reports_incident ON incident_reports (incident_id);
