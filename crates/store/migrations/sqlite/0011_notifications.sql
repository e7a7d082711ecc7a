-- Notifications: each notice is stored per recipient (the in-app list, read or not);
-- a mail for it waits in mail_queue until the background sender delivers it, so a mail
-- server that is down loses nothing. Mail content holds a title and a local link only.
ALTER TABLE users ADD COLUMN mail TEXT;

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    link       TEXT NOT NULL,
    urgent     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user_read ON notifications (user_id, read_at);

-- A person's choice of mail per non-urgent kind; no row means mail is wanted.
CREATE TABLE notification_mail_prefs (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    wants_mail INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- state: queued (waiting, next_attempt_at says when), sent, failed (given up).
CREATE TABLE mail_queue (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER REFERENCES notifications (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    address         TEXT NOT NULL,
    lang            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX mail_queue_due ON mail_queue (state, next_attempt_at);
