-- Policy documents (clauses 1, 5 and 8 of the basic policy): versions with approval
-- (決裁) and publication, acknowledgement by every user, review history, and links from
-- other registers to the clause they serve.

CREATE TABLE policy_documents (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE policy_versions (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES policy_documents (id),
    number        INTEGER NOT NULL,
    status        TEXT NOT NULL,
    title         TEXT NOT NULL,
    source_text   TEXT NOT NULL,
    tree          TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    change_note   TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL,
    approved_by   INTEGER REFERENCES users (id),
    approved_on   TEXT,
    approved_at   TEXT,
    published_at  TEXT,
    superseded_at TEXT,
    UNIQUE (document_id, number)
);
CREATE INDEX policy_versions_document ON policy_versions (document_id);

CREATE TABLE policy_acknowledgements (
    id              INTEGER PRIMARY KEY,
    version_id      INTEGER NOT NULL REFERENCES policy_versions (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    content_hash    TEXT NOT NULL,
    acknowledged_at TEXT NOT NULL,
    UNIQUE (version_id, user_id)
);

CREATE TABLE policy_reminders (
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES policy_versions (id),
    sent_by    INTEGER REFERENCES users (id),
    sent_at    TEXT NOT NULL,
    recipients INTEGER NOT NULL
);

CREATE TABLE policy_reviews (
    id                INTEGER PRIMARY KEY,
    document_id       INTEGER NOT NULL REFERENCES policy_documents (id),
    reviewed_on       TEXT NOT NULL,
    review_trigger    TEXT NOT NULL,
    analysis          TEXT NOT NULL,
    decision          TEXT NOT NULL,
    result_version_id INTEGER REFERENCES policy_versions (id),
    recorded_by       INTEGER REFERENCES users (id),
    created_at        TEXT NOT NULL
);

CREATE TABLE clause_links (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES policy_documents (id),
    clause_ref  TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (document_id, clause_ref, target_type, target_id)
);
CREATE INDEX clause_links_clause ON clause_links (document_id, clause_ref);
