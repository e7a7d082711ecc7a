//! Threats and risks in the store, on a real SQLite file and a real PostgreSQL server.

use mamori_domain::risk::{Matrix, Score, ThreatFamily, Treatment};
use mamori_store::assets::Viewer;
use mamori_store::risks::{self, AcceptanceStatus, RiskInput};
use mamori_store::{Actor, StoreError};
use mamori_testkit::{TestDb, backends};
use time::macros::date;

fn input(threat_id: i64, likelihood: usize, impact: usize) -> RiskInput {
    RiskInput {
        title: "議員用タブレットの紛失による会議資料の漏えい".into(),
        threat_id,
        asset_ids: Vec::new(),
        asset_group: "議員用タブレット（全30台）".into(),
        existing_measures: "画面ロック、MDMによる遠隔消去".into(),
        inherent: Score { likelihood, impact },
        treatment: Some(Treatment::Reduce),
        residual: Some(Score {
            likelihood: 0,
            impact,
        }),
        owner_id: None,
        review_due: None,
    }
}

#[tokio::test]
async fn catalogue_matrix_register_acceptance_and_analysis() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let threats = risks::threats(&store).await.unwrap();
        assert!(threats.len() >= 20, "clause 3's threats are seeded");
        let lost = threats
            .iter()
            .find(|t| t.name == "情報資産の無断持ち出し")
            .unwrap();
        assert_eq!(lost.family, ThreatFamily::Unintentional);
        assert_eq!(lost.clause_ref, "3(2)");
        let v1 = risks::active_matrix(&store).await.unwrap();
        assert_eq!(v1.version, 1);

        let actor = Actor::system("test");
        let mut tx = store.write(actor.clone()).await.unwrap();
        let risk_id = risks::create_risk(&mut tx, &input(lost.id, 2, 2), &v1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let risk = risks::risk(&store, Viewer::everything(), risk_id)
            .await
            .unwrap();
        assert_eq!(risk.inherent_level, 2);
        assert_eq!(risk.residual_level, Some(1));

        // A new matrix never rescores the stored assessment.
        let mut five = Matrix::default_3x3();
        five.likelihood.push("極高".into());
        five.grid.push(vec![2, 2, 2]);
        five.check().unwrap();
        let mut tx = store.write(actor.clone()).await.unwrap();
        risks::save_matrix(&mut tx, &five).await.unwrap();
        tx.commit().await.unwrap();
        let v2 = risks::active_matrix(&store).await.unwrap();
        assert_eq!(v2.version, 2);
        let risk = risks::risk(&store, Viewer::everything(), risk_id)
            .await
            .unwrap();
        assert_eq!(risk.matrix_id, v1.id);

        // Retired threats keep their history; retiring twice is refused.
        let mut tx = store.write(actor.clone()).await.unwrap();
        risks::set_retired(&mut tx, lost.id, true).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write(actor.clone()).await.unwrap();
        assert!(matches!(
            risks::set_retired(&mut tx, lost.id, true).await,
            Err(StoreError::NotFound)
        ));
        drop(tx);
        assert!(
            risks::threat(&store, lost.id)
                .await
                .unwrap()
                .retired_at
                .is_some()
        );

        // Actions, overdue; acceptances pending then decided.
        let mut tx = store.write(actor.clone()).await.unwrap();
        let action = risks::add_action(
            &mut tx,
            risk_id,
            "紛失時の連絡手順を周知する",
            None,
            date!(2026 - 10 - 01),
        )
        .await
        .unwrap();
        let acceptance =
            risks::propose_acceptance(&mut tx, risk_id, "予算措置まで", date!(2027 - 03 - 31))
                .await
                .unwrap();
        tx.commit().await.unwrap();
        let overdue = risks::overdue_actions(&store, date!(2026 - 11 - 26))
            .await
            .unwrap();
        assert_eq!(overdue.len(), 1);
        let attention = risks::acceptances_needing_attention(&store, date!(2026 - 12 - 26))
            .await
            .unwrap();
        assert_eq!(attention.len(), 1);
        let mut tx = store.write(actor.clone()).await.unwrap();
        risks::complete_action(&mut tx, action, date!(2026 - 11 - 26))
            .await
            .unwrap();
        risks::decide_acceptance(&mut tx, acceptance, true, "")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            risks::overdue_actions(&store, date!(2026 - 11 - 26))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            risks::acceptance(&store, acceptance).await.unwrap().status,
            AcceptanceStatus::Accepted
        );

        // A frozen analysis keeps the levels as they were.
        let mut tx = store.write(actor.clone()).await.unwrap();
        let first = risks::freeze(&mut tx, "令和8年度リスク分析", date!(2026 - 11 - 26))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write(actor.clone()).await.unwrap();
        risks::update_risk(&mut tx, risk_id, &input(lost.id, 0, 0), &v2)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let frozen = risks::analysis(&store, first).await.unwrap();
        assert_eq!(frozen.risks[0].inherent_level, 2);
        assert_eq!(frozen.risks[0].inherent_level_name, "高");
        assert_eq!(frozen.risks[0].matrix_version, 1);
        store.close().await;
    }
}
