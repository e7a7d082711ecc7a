-- Information assets (clauses 2(3), 4(2), 6(2)): classification schemes as data, the
-- asset register, its classification history and lifecycle records.

CREATE TABLE classification_schemes (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- rules: JSON object from lifecycle step to the handling rule (取扱制限) in force.
CREATE TABLE classification_levels (
    id                        INTEGER PRIMARY KEY,
    scheme_id                 INTEGER NOT NULL REFERENCES classification_schemes (id),
    axis                      TEXT NOT NULL,
    code                      TEXT NOT NULL,
    name                      TEXT NOT NULL,
    rank                      INTEGER NOT NULL,
    definition                TEXT NOT NULL,
    takeout_requires_approval INTEGER NOT NULL,
    rules                     TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    UNIQUE (scheme_id, axis, code)
);

-- restricted: the asset sits at the scheme's top confidentiality level, so only its
-- holder and those who oversee the register may learn that it exists.
-- search_grams: name, description and notes cut into two-character grams for search.
CREATE TABLE assets (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL,
    category           TEXT NOT NULL,
    form               TEXT NOT NULL,
    holder_type        TEXT NOT NULL,
    holder_id          INTEGER REFERENCES users (id),
    managing_role      TEXT,
    location           TEXT NOT NULL,
    segment            TEXT NOT NULL,
    confidentiality_id INTEGER NOT NULL REFERENCES classification_levels (id),
    integrity_id       INTEGER NOT NULL REFERENCES classification_levels (id),
    availability_id    INTEGER NOT NULL REFERENCES classification_levels (id),
    restricted         INTEGER NOT NULL,
    retention          TEXT,
    disposal_due       TEXT,
    status             TEXT NOT NULL,
    notes              TEXT NOT NULL,
    search_grams       TEXT NOT NULL,
    created_by         INTEGER REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
-- Every column a list can filter on, so that counting a filtered register reads this
-- index alone; the shorter indexes serve filters that do not start with a category.
CREATE INDEX assets_filter ON assets (category, status, segment, form, holder_type,
    confidentiality_id, integrity_id, availability_id, restricted, holder_id);
CREATE INDEX assets_status ON assets (status, restricted, holder_id);
CREATE INDEX assets_segment ON assets (segment, restricted, holder_id);
CREATE INDEX assets_confidentiality ON assets (confidentiality_id, restricted, holder_id);
CREATE INDEX assets_integrity ON assets (integrity_id);
CREATE INDEX assets_availability ON assets (availability_id);
CREATE INDEX assets_holder ON assets (holder_id);
-- The restricted assets and everything a filter asks of them: counting those hidden from
-- someone reads only this index.
CREATE INDEX assets_visible ON assets (restricted, holder_id, category, status, segment,
    form, holder_type, confidentiality_id, integrity_id, availability_id);
CREATE INDEX assets_name ON assets (name);
CREATE INDEX assets_updated ON assets (updated_at);

CREATE TABLE asset_tags (
    asset_id INTEGER NOT NULL REFERENCES assets (id),
    tag      TEXT NOT NULL,
    PRIMARY KEY (asset_id, tag)
);
CREATE INDEX asset_tags_tag ON asset_tags (tag, asset_id);

-- Clauses of the basic policy an asset serves, by stable reference ("6(2)").
CREATE TABLE asset_clauses (
    asset_id   INTEGER NOT NULL REFERENCES assets (id),
    clause_ref TEXT NOT NULL,
    PRIMARY KEY (asset_id, clause_ref)
);
CREATE INDEX asset_clauses_ref ON asset_clauses (clause_ref);

-- Every classification an asset has had, with who changed it and why.
CREATE TABLE asset_classifications (
    id              INTEGER PRIMARY KEY,
    asset_id        INTEGER NOT NULL REFERENCES assets (id),
    confidentiality_id INTEGER NOT NULL REFERENCES classification_levels (id),
    integrity_id    INTEGER NOT NULL REFERENCES classification_levels (id),
    availability_id INTEGER NOT NULL REFERENCES classification_levels (id),
    reason          TEXT NOT NULL,
    changed_by      INTEGER REFERENCES users (id),
    changed_at      TEXT NOT NULL
);
CREATE INDEX asset_classifications_asset ON asset_classifications (asset_id);

-- Lifecycle records: take-out, return, lending, transfer, provision, publication and
-- disposal. approval: not_required, pending, approved or rejected.
CREATE TABLE asset_events (
    id            INTEGER PRIMARY KEY,
    asset_id      INTEGER NOT NULL REFERENCES assets (id),
    kind          TEXT NOT NULL,
    occurred_on   TEXT NOT NULL,
    person        TEXT NOT NULL,
    counterparty  TEXT NOT NULL,
    method        TEXT NOT NULL,
    witness       TEXT NOT NULL,
    due_back      TEXT,
    notes         TEXT NOT NULL,
    approval      TEXT NOT NULL,
    decided_by    INTEGER REFERENCES users (id),
    decided_at    TEXT,
    decision_note TEXT NOT NULL,
    recorded_by   INTEGER REFERENCES users (id),
    recorded_at   TEXT NOT NULL
);
CREATE INDEX asset_events_asset ON asset_events (asset_id);
CREATE INDEX asset_events_approval ON asset_events (approval);

-- Search index over the grams, kept in step with assets by triggers (so backups and
-- restores, which copy rows, rebuild it too).
CREATE VIRTUAL TABLE assets_fts USING fts5 (
    search_grams,
    content = 'assets',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_fts (rowid, search_grams) VALUES (new.id, new.search_grams);
END;
CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, search_grams)
    VALUES ('delete', old.id, old.search_grams);
END;
CREATE TRIGGER assets_fts_update AFTER UPDATE OF search_grams ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, search_grams)
    VALUES ('delete', old.id, old.search_grams);
    INSERT INTO assets_fts (rowid, search_grams) VALUES (new.id, new.search_grams);
END;
