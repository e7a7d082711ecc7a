-- Retention of personal information in mamori's own records. Audit entries written from
-- now on chain a digest of their changes (format 2), so a redaction can remove personal
-- information from an entry while the chain still verifies: the entry keeps the digest
-- of what it held (original_digest) and names the record.redact entry that removed it.
ALTER TABLE audit_log ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN original_digest TEXT;
ALTER TABLE audit_log ADD COLUMN redacted_by INTEGER;
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

-- When an account was closed (made inactive) starts its retention period; accounts
-- already inactive count from their last change. redacted_at: personal fields removed.
ALTER TABLE users ADD COLUMN closed_at TEXT;
ALTER TABLE users ADD COLUMN redacted_at TEXT;
UPDATE users SET closed_at = updated_at WHERE active = 0;
ALTER TABLE approval_absences ADD COLUMN redacted_at TEXT;

-- A proposal to redact closed records past their period, decided through an approval
-- request; applied_at and audit_entry once the CISO approved it and it was carried out,
-- dropped_at when it was sent back, rejected or withdrawn (its records may be proposed
-- again).
CREATE TABLE redactions (
    id          INTEGER PRIMARY KEY,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    applied_at  TEXT,
    dropped_at  TEXT,
    audit_entry INTEGER
);
CREATE TABLE redaction_items (
    redaction_id INTEGER NOT NULL REFERENCES redactions (id),
    kind         TEXT NOT NULL,
    record_id    INTEGER NOT NULL,
    closed_on    TEXT NOT NULL,
    PRIMARY KEY (redaction_id, kind, record_id)
);
CREATE INDEX redaction_items_record ON redaction_items (kind, record_id);

-- The trail stays append-only, but for one change: a format-2 entry not yet redacted
-- may have its changes replaced once, keeping the digest of the original and naming the
-- redaction; every chained column stays as it was.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM maintenance WHERE key = 'restore')
    AND NOT (OLD.format = 2 AND OLD.redacted_by IS NULL
        AND NEW.redacted_by IS NOT NULL AND NEW.original_digest IS NOT NULL
        AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor_id IS OLD.actor_id
        AND NEW.actor_label = OLD.actor_label AND NEW.client_addr IS OLD.client_addr
        AND NEW.action = OLD.action AND NEW.target_type = OLD.target_type
        AND NEW.target_id IS OLD.target_id AND NEW.prev_hash = OLD.prev_hash
        AND NEW.hash = OLD.hash AND NEW.format = OLD.format)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
