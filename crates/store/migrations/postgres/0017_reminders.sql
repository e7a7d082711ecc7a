-- The due-work digest: when each person was last told by mail how much waits for them,
-- and which items (kind:id keys, never titles), so that the next digest goes out only
-- when something new arrived or a week has passed.
CREATE TABLE reminder_digests (
    user_id  BIGINT PRIMARY KEY REFERENCES users (id),
    sent_on  TEXT NOT NULL,
    items    TEXT NOT NULL
);
