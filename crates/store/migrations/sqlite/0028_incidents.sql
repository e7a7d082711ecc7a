-- Incidents (issue 18): reports and their handling.
-- Severity levels are data: code, rank (1 lowest), name and definition in both languages.
CREATE TABLE incident_severities (
    code          TEXT PRIMARY KEY,
    rank          INTEGER NOT NULL,
    name_ja       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    definition_ja TEXT NOT NULL,
    definition_en TEXT NOT NULL
);
INSERT INTO incident_severities VALUES
    ('low', 1, '低', 'Low', '業務への影響がほとんどなく、情報の漏えい・改ざん・消失のおそれもないもの', 'Hardly any effect on the work, and no information is at risk of leaking, being altered or lost'),
    ('medium', 2, '中', 'Medium', '一部の業務に影響があるが、短時間で復旧でき、外部への影響がないもの', 'Some work is affected but recovers soon, with no effect outside'),
    ('high', 3, '高', 'High', '議会の業務に大きな影響があるもの、または個人情報・非公開情報の漏えいのおそれがあるもの', 'The assembly''s work is seriously affected, or personal or non-public information may have leaked'),
    ('critical', 4, '重大', 'Critical', '住民や議会の信頼に重大な影響があるもの（大量の個人情報の漏えい、議会運営の停止など）', 'Grave effect on residents or on trust in the assembly (a large leak of personal information, the assembly unable to sit)');

-- number: the 年度 and the order in it ("2026-003"). noticed_at: when it was noticed
-- (RFC 3339). personal: yes | no | unknown, people: how many (once known).
-- reporter_id: whom it happened to; entered_by: who typed it (staff taking a call).
-- stage: reported | first_response | investigation | recovery | prevention | reporting |
-- closed. severity: a code of incident_severities; threat_id: the category.
CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    noticed_at   TEXT NOT NULL,
    place        TEXT NOT NULL,
    personal     TEXT NOT NULL,
    people       INTEGER,
    contact      TEXT NOT NULL,
    reporter_id  INTEGER NOT NULL REFERENCES users (id),
    entered_by   INTEGER REFERENCES users (id),
    asset_id     INTEGER REFERENCES assets (id),
    stage        TEXT NOT NULL,
    severity     TEXT REFERENCES incident_severities (code),
    threat_id    INTEGER REFERENCES threats (id),
    owner_id     INTEGER REFERENCES users (id),
    summary      TEXT NOT NULL,
    cause        TEXT NOT NULL,
    closed_at    TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX incidents_reporter ON incidents (reporter_id);

-- The timeline: append-only (the triggers below, which a restore passes as it does the
-- audit trail's), each entry with its time and author.
-- kind: reported | note | stage | severity | category | personal | owner | closed |
-- reopened | shared; before/after: the values a change moved between.
CREATE TABLE incident_entries (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          TEXT NOT NULL,
    author_id   INTEGER REFERENCES users (id),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX incident_entries_incident ON incident_entries (incident_id);
CREATE TRIGGER incident_entries_no_update BEFORE UPDATE ON incident_entries
WHEN NOT EXISTS (SELECT 1 FROM maintenance WHERE key = 'restore')
BEGIN
    SELECT RAISE(ABORT, 'incident timeline entries are never changed');
END;
CREATE TRIGGER incident_entries_no_delete BEFORE DELETE ON incident_entries
WHEN NOT EXISTS (SELECT 1 FROM maintenance WHERE key = 'restore')
BEGIN
    SELECT RAISE(ABORT, 'incident timeline entries are never deleted');
END;

-- People the CSIRT shared an incident with, who then see all of it.
CREATE TABLE incident_shares (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    shared_by   INTEGER REFERENCES users (id),
    shared_at   TEXT NOT NULL,
    PRIMARY KEY (incident_id, user_id)
);
