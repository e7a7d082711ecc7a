-- A draft that was never approved can be withdrawn (取下げ) with a reason; the version
-- stays, with status 'withdrawn', so the audit trail and the numbering keep it.
ALTER TABLE policy_versions ADD COLUMN withdrawn_by BIGINT REFERENCES users (id);
ALTER TABLE policy_versions ADD COLUMN withdrawn_at TEXT;
ALTER TABLE policy_versions ADD COLUMN withdrawal_reason TEXT;
