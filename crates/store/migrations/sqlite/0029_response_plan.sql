-- Emergency response plan (緊急時対応計画, issue 18 item 6; clause 6(7)): a policy
-- document of kind 'response_plan' whose versions also keep structured scenarios, at
-- least one per family of threats of clause 3. A new draft copies the scenarios of the
-- version it starts from, so each version keeps what was approved with it.
-- family: cyber_attack | loss_theft | disaster | pandemic | outage.
-- actions, reports: JSON arrays of lines (the checklist; to whom and by when).
-- calls: JSON array of org_posts ids, resolved to holders and numbers from the contact
-- tree when printed (never copied, so a change of holder shows at once). No foreign key
-- into a JSON array: a retired post is left out when printing.
CREATE TABLE response_plan_scenarios (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES policy_versions (id),
    position INTEGER NOT NULL,
    family TEXT NOT NULL,
    title TEXT NOT NULL,
    actions TEXT NOT NULL,
    calls TEXT NOT NULL,
    reports TEXT NOT NULL,
    UNIQUE (version_id, position)
);
