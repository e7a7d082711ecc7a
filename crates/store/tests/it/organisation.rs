//! The organisation register in the store: the migration that turns the bare roles of
//! `user_org_roles` into terms of posts (rows written as schema 22 wrote them), and the
//! posts a person holds on a day.

use mamori_domain::user::{LoginId, OrgRole};
use mamori_store::{Store, organisation, users};
use mamori_testkit::{TestDb, backend_test};
use time::macros::date;

fn login(text: &str) -> LoginId {
    LoginId::parse(text).unwrap()
}

backend_test!(
    async fn roles_become_terms_from_the_day_the_account_was_made(backend) {
        let db = TestDb::new(backend).await;
        mamori_store::migrate_before(&db.url, 23).await.unwrap();
        // As release 22 stored them: an active CISO made at 23:30 UTC (the next day in
        // Japan), and a closed account that was a committee member and CSIRT member.
        db.execute(
            "INSERT INTO users (login, display_name, role, user_type, password_hash, active, \
             created_at, updated_at) VALUES ('gicho', '議長 花子', 'user', 'member', 'x', 1, \
             '2025-04-30T23:30:00Z', '2025-04-30T23:30:00Z')",
        )
        .await;
        db.execute(
            "INSERT INTO users (login, display_name, role, user_type, password_hash, active, \
             created_at, updated_at, closed_at) VALUES ('moto', '元 委員', 'user', 'staff', \
             'x', 0, '2024-04-01T00:00:00Z', '2026-03-31T03:00:00Z', '2026-03-31T03:00:00Z')",
        )
        .await;
        db.execute(
            "INSERT INTO user_org_roles (user_id, org_role) \
             SELECT id, 'ciso' FROM users WHERE login = 'gicho'",
        )
        .await;
        db.execute(
            "INSERT INTO user_org_roles (user_id, org_role) \
             SELECT id, r FROM users, (SELECT 'committee_member' AS r UNION ALL \
             SELECT 'csirt_member') AS roles WHERE login = 'moto'",
        )
        .await;

        let store = Store::open(&db.url).await.unwrap();
        let gicho = users::find_by_login(&store, &login("gicho")).await.unwrap().unwrap().id;
        let moto = users::find_by_login(&store, &login("moto")).await.unwrap().unwrap().id;
        let ciso = organisation::post_of_role(&store, OrgRole::Ciso).await.unwrap();
        let terms = organisation::terms_of_post(&store, ciso.id).await.unwrap();
        assert_eq!(terms.len(), 1, "{backend:?}");
        assert_eq!((terms[0].holder_id, terms[0].ends_on), (gicho, None));
        assert_eq!(terms[0].starts_on, date!(2025 - 05 - 01), "the day in Japan");
        assert!(ciso.single_holder);
        assert_eq!(
            users::posts_on(&store, gicho, date!(2026 - 05 - 01)).await.unwrap(),
            vec![OrgRole::Ciso]
        );
        assert!(
            users::posts_on(&store, gicho, date!(2025 - 04 - 30))
                .await
                .unwrap()
                .is_empty()
        );
        // The closed account held its posts until the day it was closed, and no longer.
        assert_eq!(
            users::posts_on(&store, moto, date!(2026 - 03 - 31)).await.unwrap(),
            vec![OrgRole::CommitteeMember, OrgRole::CsirtMember]
        );
        assert!(
            users::posts_on(&store, moto, date!(2026 - 04 - 01))
                .await
                .unwrap()
                .is_empty()
        );
        let people = organisation::people(&store).await.unwrap();
        let g = people.iter().find(|p| p.id == gicho).unwrap();
        assert_eq!(g.starts_on, Some(date!(2025 - 05 - 01)));
        assert_eq!(db.number("SELECT COUNT(*) FROM org_bodies").await, 3);
        store.close().await;
    }
);
