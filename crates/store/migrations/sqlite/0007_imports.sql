-- Imports of the asset register: a file staged between its upload and its confirmation
-- (never held in server memory; expires after a day), the record of each confirmed
-- import with the state before of every asset it changed (so it can be undone), and
-- named mapping profiles offered again for files with the same header row.

-- headers: JSON array of the header row. mapping: JSON array, per column the field it
-- fills or null; value_mapping: JSON object field → {value as written → meaning}.
-- id: the order of uploads (created_at has whole seconds), for the per-user cap.
CREATE TABLE asset_import_stagings (
    id            INTEGER PRIMARY KEY,
    token         TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    format        TEXT NOT NULL,
    headers       TEXT NOT NULL,
    row_count     INTEGER NOT NULL,
    mapping       TEXT,
    value_mapping TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX asset_import_stagings_user ON asset_import_stagings (user_id, id);
CREATE INDEX asset_import_stagings_age ON asset_import_stagings (created_at);

-- cells: JSON array of the row's cells; line: the row as the file numbers it.
CREATE TABLE asset_import_staged_rows (
    token TEXT NOT NULL REFERENCES asset_import_stagings (token) ON DELETE CASCADE,
    line  INTEGER NOT NULL,
    cells TEXT NOT NULL,
    PRIMARY KEY (token, line)
);

CREATE TABLE asset_imports (
    id          INTEGER PRIMARY KEY,
    imported_by INTEGER REFERENCES users (id),
    imported_at TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    undone_by   INTEGER REFERENCES users (id),
    undone_at   TEXT,
    undo_reason TEXT
);

-- action: created or updated. before: the asset as it was (JSON) for an update;
-- after: as the import left it, which tells whether it changed since (undo).
CREATE TABLE asset_import_rows (
    import_id INTEGER NOT NULL REFERENCES asset_imports (id),
    line      INTEGER NOT NULL,
    asset_id  INTEGER NOT NULL REFERENCES assets (id),
    action    TEXT NOT NULL,
    before    TEXT,
    after     TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
);
CREATE INDEX asset_import_rows_asset ON asset_import_rows (asset_id);

-- header_key: the file's header row, normalised, that the profile is offered for.
CREATE TABLE asset_import_profiles (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    header_key    TEXT NOT NULL,
    mapping       TEXT NOT NULL,
    value_mapping TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX asset_import_profiles_headers ON asset_import_profiles (header_key);
