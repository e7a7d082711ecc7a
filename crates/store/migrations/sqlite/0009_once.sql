-- One-time form tokens and API idempotency keys. The first submission that carries a
-- token claims it (state 'running'); its answer is kept ('done': status with the
-- redirect, or the body) so that a second submission of the same form or request gets
-- that answer instead of making a second record. Rows expire after a day and are purged
-- on the next claim.
CREATE TABLE once_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    token        TEXT NOT NULL,
    path         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL,
    status       INTEGER,
    location     TEXT,
    content_type TEXT,
    body         TEXT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    UNIQUE (user_id, token, path)
);
CREATE INDEX once_tokens_created ON once_tokens (created_at);
