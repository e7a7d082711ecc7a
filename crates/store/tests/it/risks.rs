//! Threats and risks in the store, on a real SQLite file and a real PostgreSQL server.

use mamori_domain::access::Register;
use mamori_domain::approval::{Asked, State};
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::risk::{Matrix, Score, ThreatFamily, Treatment};
use mamori_store::approvals;
use mamori_store::assets::Viewer;
use mamori_store::risks::{self, AcceptanceStatus, RiskInput};
use mamori_store::{Actor, StoreError};
use mamori_testkit::{TestDb, backend_test};
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

backend_test!(
    async fn catalogue_matrix_register_acceptance_and_analysis(backend) {
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
        let request = approvals::open(
            &mut tx,
            approvals::NewRequest {
                subject: RecordRef::new(RecordKind::RiskAcceptance, acceptance),
                subject_parent_id: Some(risk_id),
                title: "acceptance",
                asked: Asked::Deciders(Register::Risks),
                note: "",
                due_on: None,
            },
        )
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
        approvals::decide(
            &mut tx,
            request,
            approvals::Decided {
                state: State::Approved,
                decided_by: None,
                on_behalf_of: None,
                decided_on: date!(2026 - 11 - 26),
                reason: "",
                minute_ref: "",
            },
        )
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
);

// A row the domain cannot read is `Corrupt`, naming the table, the row and the column,
// never a plausible default.
backend_test!(
    async fn unreadable_codes_dates_and_matrices_are_corrupt(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let id = risks::threats(&store).await.unwrap()[0].id;
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        let risk = risks::create_risk(
            &mut tx,
            &input(id, 1, 1),
            &risks::active_matrix(&store).await.unwrap(),
        )
        .await
        .unwrap();
        risks::add_action(&mut tx, risk, "周知", None, date!(2026 - 06 - 30))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let corrupt = |error: StoreError| match error {
            StoreError::Corrupt { table, column, .. } => (table, column),
            other => panic!("{backend:?}: not corrupt: {other:?}"),
        };

        db.execute(&format!("UPDATE risk_actions SET due_on = 'someday' WHERE risk_id = {risk}"))
            .await;
        let error = risks::actions(&store, risk).await.unwrap_err();
        assert_eq!(corrupt(error), ("risk_actions", "due_on"));

        db.execute(&format!("UPDATE risks SET treatment = 'pray' WHERE id = {risk}"))
            .await;
        let error = risks::risk(&store, Viewer::everything(), risk).await.unwrap_err();
        assert_eq!(corrupt(error), ("risks", "treatment"));

        db.execute(&format!("UPDATE threats SET family = 'weather' WHERE id = {id}"))
            .await;
        let error = risks::threat(&store, id).await.unwrap_err();
        assert_eq!(corrupt(error), ("threats", "family"));

        db.execute("UPDATE risk_matrices SET definition = '{}' WHERE active = 1")
            .await;
        let error = risks::active_matrix(&store).await.unwrap_err();
        assert_eq!(corrupt(error), ("risk_matrices", "definition"));
    }
);
