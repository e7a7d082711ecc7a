-- Each daily backup, copy to the second location and restore drill, successful or not:
-- the administrator's home page shows the last of each and warns when one is overdue.
CREATE TABLE backup_runs (
    id     INTEGER PRIMARY KEY,
    kind   TEXT NOT NULL CHECK (kind IN ('backup', 'copy', 'drill')),
    at     TEXT NOT NULL,
    ok     INTEGER NOT NULL CHECK (ok IN (0, 1)),
    file   TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_runs_kind ON backup_runs (kind, ok, id);
