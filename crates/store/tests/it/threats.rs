//! Migration 0016 tells the policy's threats from the assembly's additions: a catalogue
//! stored by an older release gets origins, English names and the three added threats,
//! and ends up as a new installation's catalogue; one the security officer entered stays
//! as typed and counts as an addition.

use mamori_domain::risk::ThreatFamily;
use mamori_domain::threat::{ThreatOrigin, seed_catalogue};
use mamori_store::{Actor, risks};
use mamori_testkit::{TestDb, backend_test};

/// (family, name, name_en, description, origin) of every threat, sorted.
fn summary(threats: &[risks::Threat]) -> Vec<(ThreatFamily, String, String, String, ThreatOrigin)> {
    let mut rows: Vec<_> = threats
        .iter()
        .map(|t| {
            (
                t.family,
                t.name.clone(),
                t.name_en.clone(),
                t.description.clone(),
                t.origin,
            )
        })
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    rows
}

backend_test!(
    async fn migration_0016_marks_origins_and_adds_the_assemblys_threats(backend) {
        let db = TestDb::new(backend).await;
        mamori_store::migrate_before(&db.url, 16).await.unwrap();
        // The catalogue as releases before 0016 seeded it (the policy's names, ids given
        // explicitly as a restore writes them), and one threat the officer entered.
        let mut id = 0;
        for threat in seed_catalogue().iter().filter(|t| t.origin == ThreatOrigin::Policy) {
            id += 1;
            db.execute(&format!(
                "INSERT INTO threats (id, family, name, description, clause_ref, created_at, \
                 updated_at) VALUES ({id}, '{}', '{}', '', '{}', '2026-04-01T00:00:00Z', \
                 '2026-04-01T00:00:00Z')",
                threat.family.as_str(), threat.name, threat.family.clause()
            ))
            .await;
        }
        db.execute(
            "INSERT INTO threats (id, family, name, description, clause_ref, created_at, \
             updated_at) VALUES (100, 'intentional', '標的型メール', '添付ファイル', '3(1)', \
             '2026-04-02T00:00:00Z', '2026-04-02T00:00:00Z')",
        )
        .await;
        let store = db.open().await;
        let migrated = risks::threats(&store).await.unwrap();
        let entered = migrated.iter().find(|t| t.name == "標的型メール").unwrap().clone();
        assert_eq!((entered.origin, entered.name_en.as_str()), (ThreatOrigin::Addition, ""));
        let lost = migrated.iter().find(|t| t.name == "紛失・盗難").unwrap().clone();
        assert_eq!((lost.family, lost.clause_ref.as_str()), (ThreatFamily::Unintentional, "3(2)"));
        assert!(lost.id > 100, "{backend:?}: {}", lost.id);

        // Apart from the entered one, the same catalogue a new installation starts with.
        let fresh_db = TestDb::new(backend).await;
        let fresh = fresh_db.open().await;
        let expected = summary(&risks::threats(&fresh).await.unwrap());
        assert_eq!(expected.len(), seed_catalogue().len());
        let kept: Vec<_> = migrated.into_iter().filter(|t| t.id != entered.id).collect();
        assert_eq!(summary(&kept), expected, "{backend:?}");

        // A renamed threat loses its English name; entering one makes an addition.
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        risks::update_threat(&mut tx, lost.id, lost.family, "紛失", &lost.description).await.unwrap();
        let typed = risks::create_threat(&mut tx, ThreatFamily::Disaster, "水害", "").await.unwrap();
        tx.commit().await.unwrap();
        let renamed = risks::threat(&store, lost.id).await.unwrap();
        assert_eq!((renamed.name.as_str(), renamed.name_en.as_str()), ("紛失", ""));
        assert_eq!(renamed.origin, ThreatOrigin::Addition);
        let typed = risks::threat(&store, typed).await.unwrap();
        assert_eq!(typed.origin, ThreatOrigin::Addition);
        store.close().await;
        fresh.close().await;
    }
);

backend_test!(
    async fn an_unreadable_origin_is_corrupt(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        db.execute("UPDATE threats SET origin = 'model' WHERE name = '地震'").await;
        let error = risks::threats(&store).await.unwrap_err();
        assert!(
            matches!(&error, mamori_store::StoreError::Corrupt { column, value, .. }
                if *column == "origin" && value == "model"),
            "{error:?}"
        );
        store.close().await;
    }
);
