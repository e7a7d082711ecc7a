-- Search on PostgreSQL through a narrow table of its own. Counting a search's exact total
-- visits each matching row, and the assets' rows are wide (about 1.5 kB with the stored
-- grams and vector): a common word visited a third of the register's pages. asset_search
-- holds one short row per asset (the normalised text and what the visibility and status
-- conditions read), kept in step by a trigger; its index holds each asset's grams as a
-- set, without positions, so an index lookup needs no recheck; a word of three or more
-- characters is then confirmed with LIKE on the short text, which is what a phrase of
-- consecutive grams means.

-- The normalised text back from the grams: runs of letters and digits, each followed by
-- '|'. A run's grams are its two-character windows and then its last character alone.
-- (Array functions: a regular expression over Japanese text costs several times more.)
CREATE FUNCTION mamori_search_text(grams TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array_to_string(ARRAY(
        SELECT CASE WHEN length(gram) = 2 THEN left(gram, 1) ELSE gram || '|' END
        FROM unnest(string_to_array(grams, ' ')) WITH ORDINALITY AS g (gram, n)
        ORDER BY n), '')
$$;

-- Every two-character window of such a text as a lexeme, without positions: the pairs
-- from the first character and from the second. Windows that take in a '|' match no
-- query's gram; that a character ends its run ('x|') lets a one-character query, a
-- prefix, find it there too. PL/pgSQL and a high cost, so that the planner never
-- computes it row by row (a scan in id order would, at tens of microseconds a row) but
-- reads it from the index.
CREATE FUNCTION mamori_search_keys(search_text TEXT) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
BEGIN
    RETURN array_to_tsvector(array_remove(
        string_to_array(regexp_replace(search_text, '(..)', '\1 ', 'g'), ' ')
        || string_to_array(regexp_replace(substr(search_text, 2), '(..)', '\1 ', 'g'), ' '),
        ''));
END
$$;

CREATE TABLE asset_search (
    asset_id    BIGINT PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    restricted  BIGINT NOT NULL,
    holder_id   BIGINT,
    status      TEXT NOT NULL,
    search_text TEXT NOT NULL
);

INSERT INTO asset_search (asset_id, restricted, holder_id, status, search_text)
SELECT id, restricted, holder_id, status, mamori_search_text(search_grams) FROM assets;

CREATE INDEX asset_search_keys ON asset_search USING GIN (mamori_search_keys(search_text));
CREATE INDEX asset_search_visible ON asset_search (restricted, holder_id);

CREATE FUNCTION asset_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO asset_search (asset_id, restricted, holder_id, status, search_text)
    VALUES (NEW.id, NEW.restricted, NEW.holder_id, NEW.status,
            mamori_search_text(NEW.search_grams))
    ON CONFLICT (asset_id) DO UPDATE SET
        restricted = EXCLUDED.restricted,
        holder_id = EXCLUDED.holder_id,
        status = EXCLUDED.status,
        search_text = EXCLUDED.search_text;
    RETURN NULL;
END
$$;

CREATE TRIGGER asset_search_sync
    AFTER INSERT OR UPDATE OF search_grams, restricted, holder_id, status ON assets
    FOR EACH ROW EXECUTE FUNCTION asset_search_sync();

-- The stored vector and its index are replaced by the table above.
DROP INDEX assets_search;
ALTER TABLE assets DROP COLUMN search_vector;
