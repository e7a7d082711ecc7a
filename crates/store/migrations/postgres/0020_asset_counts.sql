-- The register's totals by category and status, kept in step by a trigger. A list's
-- exact total, unless it is searched or narrowed by more than category and status, is
-- then a sum of a few rows instead of a visit of every matching asset.
CREATE TABLE asset_counts (
    category TEXT NOT NULL,
    status   TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (category, status)
);

INSERT INTO asset_counts (category, status, n)
SELECT category, status, COUNT(*) FROM assets GROUP BY category, status;

CREATE FUNCTION asset_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.category = NEW.category AND OLD.status = NEW.status THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE asset_counts SET n = n - 1
        WHERE category = OLD.category AND status = OLD.status;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO asset_counts (category, status, n) VALUES (NEW.category, NEW.status, 1)
        ON CONFLICT (category, status) DO UPDATE SET n = asset_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER asset_counts_sync
    AFTER INSERT OR DELETE OR UPDATE OF category, status ON assets
    FOR EACH ROW EXECUTE FUNCTION asset_counts_sync();
