-- Incidents (issue 18, items 4 and 8): what an incident is linked to, its 年度 as a
-- column (for figures and the list's year filter), and search.

-- kind: asset | threat | risk; target_id: the id in that register. No foreign key: one
-- column points into three tables, and a link outlives nothing it names (assets and
-- risks are never deleted, only withdrawn or closed).
-- reassess_asked_at: when the incident's handlers asked for the linked risk to be
-- reassessed (risks only), with the reason; answered by the next reassessment, which
-- is a risk.update entry of the audit trail after reassess_after (the trail's newest
-- entry when it was asked: times are kept to the second, ids are exact).
CREATE TABLE incident_links (
    incident_id       INTEGER NOT NULL REFERENCES incidents (id),
    kind              TEXT NOT NULL,
    target_id         INTEGER NOT NULL,
    linked_by         INTEGER REFERENCES users (id),
    linked_at         TEXT NOT NULL,
    reassess_asked_at TEXT,
    reassess_reason   TEXT NOT NULL DEFAULT '',
    reassess_after    INTEGER,
    PRIMARY KEY (incident_id, kind, target_id)
);
CREATE INDEX incident_links_target ON incident_links (kind, target_id);

-- The asset a report named is its first link.
INSERT INTO incident_links (incident_id, kind, target_id, linked_by, linked_at)
SELECT id, 'asset', asset_id, COALESCE(entered_by, reporter_id), created_at
FROM incidents WHERE asset_id IS NOT NULL;

ALTER TABLE incidents ADD COLUMN fiscal_year INTEGER NOT NULL DEFAULT 0;
UPDATE incidents SET fiscal_year = CAST(substr(number, 1, 4) AS INTEGER);
-- The list's orders and filters: newest first; a year (and its open ones) counted from
-- the index alone; a person's own reports, those entered for others and those shared.
CREATE INDEX incidents_year ON incidents (fiscal_year, stage);
CREATE INDEX incidents_year_noticed ON incidents (fiscal_year, noticed_at, id);
CREATE INDEX incidents_noticed ON incidents (noticed_at, id);
CREATE INDEX incidents_entered_by ON incidents (entered_by);
CREATE INDEX incident_shares_user ON incident_shares (user_id);

-- Title, description and place cut into grams (mamori_domain::search), as assets are,
-- found through the full-text table below; search_text, the normalised runs, is what
-- PostgreSQL matches (kept on both so that both keep the same columns). Rows written
-- before this migration are indexed when the store opens.
ALTER TABLE incidents ADD COLUMN search_grams TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE incidents_fts USING fts5 (
    search_grams,
    content = 'incidents',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts (rowid, search_grams) VALUES (new.id, new.search_grams);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts (incidents_fts, rowid, search_grams)
    VALUES ('delete', old.id, old.search_grams);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF search_grams ON incidents BEGIN
    INSERT INTO incidents_fts (incidents_fts, rowid, search_grams)
    VALUES ('delete', old.id, old.search_grams);
    INSERT INTO incidents_fts (rowid, search_grams) VALUES (new.id, new.search_grams);
END;
