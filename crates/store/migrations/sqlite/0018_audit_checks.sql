-- Each check of the audit trail's hash chain: up to which entry it reached, that entry's
-- hash and how many entries lie up to it, whether it walked the whole chain or only the
-- entries after the last intact check, and where it found a break. The newest intact
-- check is the checkpoint that the next incremental check starts from. checked_by names
-- who asked (a login, the daily job, the command line); a check changes nothing, so it is
-- kept here rather than as an entry of the trail it checks.
CREATE TABLE audit_checks (
    id             INTEGER PRIMARY KEY,
    checked_at     TEXT NOT NULL,
    checked_by     TEXT NOT NULL,
    full_check     INTEGER NOT NULL,
    up_to_id       INTEGER NOT NULL,
    up_to_hash     TEXT NOT NULL,
    entries        INTEGER NOT NULL,
    break_kind     TEXT,
    break_id       INTEGER,
    elapsed_ms     INTEGER NOT NULL
);
