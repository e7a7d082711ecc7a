-- The file store (issue 12, item 3): files attached to any record as evidence, kept in
-- the database itself so that backup, restore and both backends need no second store.
-- Content is deduplicated by SHA-256 and cut into chunks of 256 KiB, so that neither an
-- upload nor a download ever holds a whole file in memory.

-- media_type: taken from the content (magic bytes), never from the file's name.
CREATE TABLE file_blobs (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE file_chunks (
    sha256 TEXT NOT NULL REFERENCES file_blobs (sha256),
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
);

-- One attachment of a record (record_kind: asset, risk; later incident, training…).
-- A removal is soft: removed_at, by whom and why; the revisions and their bytes stay.
CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
    record_kind    TEXT NOT NULL,
    record_id      INTEGER NOT NULL,
    title          TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    expires_on     TEXT,
    created_by     INTEGER REFERENCES users (id),
    created_at     TEXT NOT NULL,
    removed_at     TEXT,
    removed_by     INTEGER REFERENCES users (id),
    removed_reason TEXT
);
CREATE INDEX attachments_record ON attachments (record_kind, record_id);

-- Every upload to an attachment is a revision, numbered from 1; old ones are kept.
CREATE TABLE attachment_revisions (
    id            INTEGER PRIMARY KEY,
    attachment_id INTEGER NOT NULL REFERENCES attachments (id),
    revision      INTEGER NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL REFERENCES file_blobs (sha256),
    uploaded_by   INTEGER REFERENCES users (id),
    uploaded_at   TEXT NOT NULL,
    UNIQUE (attachment_id, revision)
);
CREATE INDEX attachment_revisions_blob ON attachment_revisions (sha256);

-- Who viewed what (item 8) is read from the audit trail by target: the entries of
-- one record, or of one person, without scanning the whole trail.
CREATE INDEX audit_log_action_target ON audit_log (action, target_type, target_id);

-- 個人情報の有無 of an asset (item 8): opening an asset that holds personal information
-- is recorded like opening one at the top confidentiality level.
ALTER TABLE assets ADD COLUMN holds_personal_info INTEGER NOT NULL DEFAULT 0;
