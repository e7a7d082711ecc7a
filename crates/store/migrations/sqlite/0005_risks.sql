-- Threats and risks (clauses 3 and 8): the threat catalogue, the risk matrix as
-- versioned data, the risk register with treatment actions and acceptances, and frozen
-- risk analyses for the policy review.

-- retired_at: a retired threat is offered for no new risk but keeps its history.
CREATE TABLE threats (
    id          INTEGER PRIMARY KEY,
    family      TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    clause_ref  TEXT NOT NULL,
    retired_at  TEXT,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- definition: the matrix as JSON (scales, levels with colour and band, grid). A new
-- version is a new row; assessments keep the version they were scored with.
CREATE TABLE risk_matrices (
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);

-- Levels are stored as positions on the scales of matrix_id and the level index they
-- gave, so a later matrix never silently rescores an assessment.
CREATE TABLE risks (
    id                  INTEGER PRIMARY KEY,
    title               TEXT NOT NULL,
    threat_id           INTEGER NOT NULL REFERENCES threats (id),
    asset_group         TEXT NOT NULL,
    existing_measures   TEXT NOT NULL,
    matrix_id           INTEGER NOT NULL REFERENCES risk_matrices (id),
    inherent_likelihood INTEGER NOT NULL,
    inherent_impact     INTEGER NOT NULL,
    inherent_level      INTEGER NOT NULL,
    treatment           TEXT,
    residual_likelihood INTEGER,
    residual_impact     INTEGER,
    residual_level      INTEGER,
    owner_id            INTEGER REFERENCES users (id),
    proposed_by         INTEGER REFERENCES users (id),
    status              TEXT NOT NULL,
    review_due          TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX risks_threat ON risks (threat_id);

CREATE TABLE risk_assets (
    risk_id  INTEGER NOT NULL REFERENCES risks (id),
    asset_id INTEGER NOT NULL REFERENCES assets (id),
    PRIMARY KEY (risk_id, asset_id)
);
CREATE INDEX risk_assets_asset ON risk_assets (asset_id);

CREATE TABLE risk_actions (
    id          INTEGER PRIMARY KEY,
    risk_id     INTEGER NOT NULL REFERENCES risks (id),
    description TEXT NOT NULL,
    owner_id    INTEGER REFERENCES users (id),
    due_on      TEXT NOT NULL,
    done_on     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX risk_actions_risk ON risk_actions (risk_id);

-- status: pending, accepted or rejected.
CREATE TABLE risk_acceptances (
    id          INTEGER PRIMARY KEY,
    risk_id     INTEGER NOT NULL REFERENCES risks (id),
    proposed_by INTEGER REFERENCES users (id),
    reason      TEXT NOT NULL,
    expires_on  TEXT NOT NULL,
    status      TEXT NOT NULL,
    decided_by  INTEGER REFERENCES users (id),
    decided_at  TEXT,
    decision_note TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX risk_acceptances_risk ON risk_acceptances (risk_id);

-- snapshot: the register as it stood, as JSON, for clause 8's review and comparison.
CREATE TABLE risk_analyses (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    analysed_on TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL
);
