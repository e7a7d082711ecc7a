//! How far an installation has come: the facts the getting-started checklist is ticked
//! from, each one COUNT over the register it concerns (reads only).

use crate::{Result, Store};

/// Where the installation stands, step by step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub organisation_named: bool,
    pub active_users: i64,
    /// An active user holds the CISO post.
    pub ciso_held: bool,
    /// A basic policy (基本方針) has a published version.
    pub basic_policy_published: bool,
    pub assets: i64,
    /// The classification scheme was saved once (a level edited or a scheme chosen).
    pub classification_saved: bool,
    pub risks: i64,
}

async fn count(store: &Store, sql: &'static str) -> Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(store.pool()).await?)
}

pub async fn progress(store: &Store) -> Result<Progress> {
    Ok(Progress {
        organisation_named: count(
            store,
            "SELECT COUNT(*) FROM settings WHERE key = 'organisation.name' AND value <> ''",
        )
        .await?
            > 0,
        active_users: count(store, "SELECT COUNT(*) FROM users WHERE active = 1").await?,
        ciso_held: sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM post_terms t JOIN org_posts p ON p.id = t.post_id \
             JOIN users u ON u.id = t.holder_id WHERE p.role_code = 'ciso' AND u.active = 1 \
             AND {}",
            crate::organisation::in_force("t", "$1")
        )))
        .bind(crate::date_text(crate::japan_today()))
        .fetch_one(store.pool())
        .await?
            > 0,
        basic_policy_published: count(
            store,
            "SELECT COUNT(*) FROM policy_versions v JOIN policy_documents d ON d.id = v.document_id \
             WHERE d.kind = 'basic_policy' AND v.status = 'published'",
        )
        .await?
            > 0,
        assets: count(store, "SELECT COUNT(*) FROM assets").await?,
        classification_saved: count(
            store,
            // The trail is long: stop at the first entry found.
            "SELECT COUNT(*) FROM (SELECT 1 FROM audit_log \
             WHERE action IN ('classification.activate', 'classification.level_update') \
             LIMIT 1) found",
        )
        .await?
            > 0,
        risks: count(store, "SELECT COUNT(*) FROM risks").await?,
    })
}
