//! Fixtures of the risk register for web tests: the CISO post, a threat of the seeded
//! catalogue, an asset and a risk registered through their forms.

use mamori_domain::user::OrgRole;

use crate::{TestServer, Web};

/// Gives user `id` the CISO post (最高情報セキュリティ責任者), whatever their role.
pub async fn hold_ciso_post(server: &TestServer, id: i64) {
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .expect("write");
    mamori_store::users::set_org_roles(&mut tx, id, &[OrgRole::Ciso])
        .await
        .expect("set the post");
    tx.commit().await.expect("commit");
}

/// The id of the seeded threat named `name`.
pub async fn threat_id(server: &TestServer, name: &str) -> i64 {
    mamori_store::risks::threats(&server.store)
        .await
        .expect("threats")
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no threat {name}"))
        .id
}

/// The id at the end of a redirect such as `/risks/12?saved=1`.
fn id_in(location: &str, prefix: &str) -> i64 {
    location
        .trim_start_matches(prefix)
        .split(['?', '#'])
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id in {location}"))
}

/// Registers an asset (not restricted) through its form, as `web` (an editor of the
/// asset register); its id.
pub async fn asset(web: &Web<'_>, name: &str) -> i64 {
    let response = web
        .post_form(
            "/assets/new",
            &[
                ("publication", "no"),
                ("name", name),
                ("description", ""),
                ("category", "infrastructure"),
                ("form", "electronic"),
                ("holder_type", "member"),
                ("holder", ""),
                ("location", "議会事務局"),
                ("segment", "lgwan"),
                ("confidentiality", "2"),
                ("integrity", "2"),
                ("availability", "2"),
                ("retention", ""),
                ("status", "in_use"),
                ("tags", ""),
                ("clauses", ""),
                ("notes", ""),
            ],
        )
        .await;
    id_in(&crate::location(&response), "/assets/")
}

/// Registers a risk 高×大 (above tolerance) reduced to 低×大, naming `asset`, through
/// the form as `web` (the security officer); its id.
pub async fn risk(web: &Web<'_>, title: &str, threat: i64, asset: i64) -> i64 {
    let (threat, asset) = (threat.to_string(), asset.to_string());
    let response = web
        .post_form(
            "/risks",
            &[
                ("title", title),
                ("threat", &threat),
                ("asset_ids", &asset),
                ("asset_ids_text", ""),
                ("asset_group", "議員用タブレット全台"),
                ("existing_measures", "画面ロック"),
                ("inherent_likelihood", "2"),
                ("inherent_impact", "2"),
                ("treatment", "reduce"),
                ("residual_likelihood", "0"),
                ("residual_impact", "2"),
                ("owner", ""),
                ("review_due", "令和9年3月31日"),
            ],
        )
        .await;
    id_in(&crate::location(&response), "/risks/")
}
