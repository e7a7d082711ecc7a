-- The organisation register (issue 17, clause 6(1)): bodies (the committee, the CSIRT,
-- the secretariat's sections), posts in them, and who held each post from when to when,
-- with a deputy (代理者). It replaces user_org_roles: a role held today becomes a term
-- that began on the day the account was made (the day it was given is not known) and,
-- for an account no longer in use, ended on the day it was closed.
--
-- A built-in body or post has a code and takes its name from the language of the page;
-- one the assembly adds has a name (its own words) and no code. A post with a role code
-- carries the grants that role has (mamori_domain::access); others only name who to call.
CREATE TABLE org_bodies (
    id          INTEGER PRIMARY KEY,
    code        TEXT UNIQUE,
    name        TEXT,
    kind        TEXT NOT NULL,
    call_order  INTEGER NOT NULL,
    retired_at  TEXT,
    created_at  TEXT NOT NULL,
    CHECK (code IS NOT NULL OR name IS NOT NULL)
);

CREATE TABLE org_posts (
    id            INTEGER PRIMARY KEY,
    role_code     TEXT UNIQUE,
    name          TEXT,
    body_id       INTEGER REFERENCES org_bodies (id),
    single_holder INTEGER NOT NULL,
    call_order    INTEGER NOT NULL,
    retired_at    TEXT,
    created_at    TEXT NOT NULL,
    CHECK (role_code IS NOT NULL OR name IS NOT NULL)
);

-- ends_on: the last day held (inclusive); NULL while held.
CREATE TABLE post_terms (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES org_posts (id),
    holder_id   INTEGER NOT NULL REFERENCES users (id),
    deputy_id   INTEGER REFERENCES users (id),
    starts_on   TEXT NOT NULL,
    ends_on     TEXT,
    note        TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX post_terms_holder ON post_terms (holder_id, starts_on);
CREATE INDEX post_terms_post ON post_terms (post_id, starts_on);

-- The day a person's service began (for a member, the start of the term of office), and
-- how to reach them; only signed-in users see the contact details.
ALTER TABLE users ADD COLUMN starts_on TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN extension TEXT;
ALTER TABLE users ADD COLUMN mobile TEXT;
UPDATE users SET starts_on = date(created_at, '+9 hours');

INSERT INTO org_bodies (code, name, kind, call_order, created_at) VALUES
    ('committee', NULL, 'committee', 10, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('csirt', NULL, 'csirt', 20, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('secretariat', NULL, 'section', 30, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

INSERT INTO org_posts (role_code, name, body_id, single_holder, call_order, created_at)
SELECT v.code, NULL, (SELECT id FROM org_bodies WHERE code = v.body), v.single, v.call_order,
       strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM (SELECT 'ciso' AS code, NULL AS body, 1 AS single, 10 AS call_order
      UNION ALL SELECT 'chief_security_officer', NULL, 1, 20
      UNION ALL SELECT 'security_responsible', 'secretariat', 0, 30
      UNION ALL SELECT 'security_manager', 'secretariat', 0, 40
      UNION ALL SELECT 'system_staff', 'secretariat', 0, 50
      UNION ALL SELECT 'csirt_lead', 'csirt', 1, 60
      UNION ALL SELECT 'csirt_member', 'csirt', 0, 70
      UNION ALL SELECT 'committee_chair', 'committee', 1, 80
      UNION ALL SELECT 'committee_member', 'committee', 0, 90
      UNION ALL SELECT 'chief_auditor', NULL, 1, 100) AS v;

INSERT INTO post_terms (post_id, holder_id, deputy_id, starts_on, ends_on, note,
                        created_by, created_at, updated_at)
SELECT p.id, u.id, NULL, date(u.created_at, '+9 hours'),
       CASE WHEN u.active = 1 THEN NULL
            ELSE date(COALESCE(u.closed_at, u.updated_at), '+9 hours') END,
       '', NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM user_org_roles r
JOIN users u ON u.id = r.user_id
JOIN org_posts p ON p.role_code = r.org_role;

DROP TABLE user_org_roles;
