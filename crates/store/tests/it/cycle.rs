//! Migration 0013 carries old rows over: risk actions become corrective actions, policy
//! reviews become review records with a yearly schedule; and the blocks' own reads and
//! writes (closed days, schedules, status changes).

use mamori_domain::calendar::{ClosedDay, ClosedKind, CsvHoliday};
use mamori_domain::corrective::{ActionStatus, StatusChange};
use mamori_domain::policy_lifecycle::ReviewTrigger;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::review::{Assignee, ReviewRule};
use mamori_domain::user::OrgRole;
use mamori_store::corrective::{self, ActionFilter};
use mamori_store::{Actor, StoreError, calendar, policies, reviews, risks};
use mamori_testkit::{TestDb, backend_test};
use time::macros::date;

/// Rows as a release before 0013 wrote them: a user, a risk with two actions (one
/// done, one without an owner), a policy document with a review made this 年度.
const OLD_ROWS: &[&str] = &[
    "INSERT INTO users (id, login, display_name, role, user_type, password_hash, must_change_password, \
     active, created_at, updated_at) VALUES (7, 'suzuki', '鈴木 花子', 'security_officer', 'staff', \
     'x', 0, 1, '2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z')",
    "INSERT INTO threats (id, family, name, description, clause_ref, created_at, updated_at) \
     VALUES (1, 'unintentional', '紛失', '', '3(2)', '2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z')",
    "INSERT INTO risk_matrices (id, version, definition, active, created_at) \
     VALUES (1, 1, '{}', 1, '2026-04-01T00:00:00Z')",
    "INSERT INTO risks (id, title, threat_id, asset_group, existing_measures, matrix_id, \
     inherent_likelihood, inherent_impact, inherent_level, status, created_at, updated_at) \
     VALUES (3, '議員用タブレットの紛失', 1, 'タブレット', '画面ロック', 1, 1, 1, 1, \
     'open', '2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z')",
    "INSERT INTO risk_actions (id, risk_id, description, owner_id, due_on, done_on, created_at) \
     VALUES (11, 3, 'MDMの導入', 7, '2026-06-30', '2026-06-20', '2026-04-02T00:00:00Z')",
    "INSERT INTO risk_actions (id, risk_id, description, owner_id, due_on, done_on, created_at) \
     VALUES (12, 3, '紛失時の連絡手順の周知', NULL, '2026-05-31', NULL, '2026-04-03T00:00:00Z')",
    "INSERT INTO policy_documents (id, kind, title, created_by, created_at, updated_at) \
     VALUES (5, 'basic_policy', '情報セキュリティ基本方針', 7, '2025-04-01T00:00:00Z', '2025-04-01T00:00:00Z')",
    "INSERT INTO policy_reviews (id, document_id, reviewed_on, review_trigger, analysis, decision, \
     result_version_id, recorded_by, created_at) VALUES (21, 5, '2025-10-01', 'other', \
     '運用状況に問題なし', '改定不要', NULL, 7, '2025-10-01T03:00:00Z')",
];

backend_test!(
    async fn migration_0013_moves_risk_actions_and_policy_reviews(backend) {
        let db = TestDb::new(backend).await;
        mamori_store::migrate_before(&db.url, 13).await.unwrap();
        for sql in OLD_ROWS {
            db.execute(sql).await;
        }
        let store = db.open().await;

        let moved = corrective::list(&store, &ActionFilter::default()).await.unwrap();
        let summary: Vec<_> = moved
            .iter()
            .map(|a| (a.id, a.title.as_str(), a.owner, a.status, a.done_on))
            .collect();
        assert_eq!(
            summary,
            vec![
                (12, "紛失時の連絡手順の周知", None, ActionStatus::Open, None),
                (11, "MDMの導入", Some(Assignee::User(7)), ActionStatus::Done, Some(date!(2026 - 06 - 20))),
            ],
            "{backend:?}"
        );
        assert!(moved.iter().all(|a| a.source == Some(RecordRef::new(RecordKind::Risk, 3))));
        let on_the_risk = risks::actions(&store, 3).await.unwrap();
        assert_eq!(on_the_risk.len(), 2);
        assert_eq!(on_the_risk[0].owner_name, None);
        assert_eq!(on_the_risk[1].owner_name.as_deref(), Some("鈴木 花子"));

        let old = policies::reviews(&store, 5).await.unwrap();
        assert_eq!(old.len(), 1);
        assert_eq!((old[0].id, old[0].trigger), (21, ReviewTrigger::Other));
        assert_eq!((old[0].analysis.as_str(), old[0].decision.as_str()), ("運用状況に問題なし", "改定不要"));
        assert_eq!(old[0].recorded_by, Some(7));
        let block = reviews::reviews(&store, RecordRef::new(RecordKind::PolicyDocument, 5)).await.unwrap();
        assert_eq!((block[0].id, block[0].reviewed_on), (21, date!(2025 - 10 - 01)));
        let schedule = reviews::schedule(&store, RecordRef::new(RecordKind::PolicyDocument, 5))
            .await
            .unwrap()
            .expect("every policy document gets a schedule");
        assert_eq!(schedule.rule, ReviewRule::POLICY_DEFAULT);
        assert_eq!(schedule.reviewer, Assignee::Post(OrgRole::ChiefSecurityOfficer));
        assert_eq!(schedule.subject_title.as_deref(), Some("情報セキュリティ基本方針"));
        let due = schedule.next_due_on.unwrap();
        assert_eq!((u8::from(due.month()), due.day()), (3, 31));
        assert!(due > date!(2026 - 03 - 31), "reviewed in FY2025: due by the end of a later 年度");

        // New rows continue after the moved ids on both backends.
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        let id = risks::add_action(&mut tx, 3, "バックアップ手順の見直し", None, date!(2026 - 09 - 30))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(id > 12, "{backend:?}: {id}");
        let seeded = calendar::closed_days(&store, date!(2026 - 01 - 01), date!(2026 - 12 - 31)).await.unwrap();
        assert_eq!(seeded.len(), 18, "{backend:?}: 2026 has 18 national holidays and 休日");
        store.close().await;
    }
);

backend_test!(
    async fn closed_days_schedules_and_status_changes(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        let summer = ClosedDay {
            on: date!(2026 - 08 - 14),
            name: "夏季閉庁日".into(),
            kind: ClosedKind::Assembly,
        };
        calendar::add(&mut tx, &summer).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        assert!(matches!(calendar::add(&mut tx, &summer).await, Err(StoreError::Conflict(_))));
        drop(tx);

        // The 2027 list moved 春分の日 (in this made-up file) and adds 8/14 as national.
        let list = vec![
            CsvHoliday { on: date!(2027 - 01 - 01), name: "元日".into() },
            CsvHoliday { on: date!(2027 - 03 - 20), name: "春分の日".into() },
        ];
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        let counts = calendar::import_national(&mut tx, &list, "abc").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((counts.added, counts.unchanged), (1, 1), "{backend:?}");
        assert_eq!(counts.removed, 16, "the other 2027 national holidays go");
        let in_2027 = calendar::closed_days(&store, date!(2027 - 01 - 01), date!(2027 - 12 - 31)).await.unwrap();
        assert_eq!(in_2027.len(), 2);
        assert_eq!(calendar::years(&store).await.unwrap(), vec![2027, 2026, 2025, 2024]);
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        assert_eq!(calendar::remove(&mut tx, date!(2026 - 08 - 14)).await.unwrap().name, "夏季閉庁日");
        tx.commit().await.unwrap();

        let action = mamori_domain::corrective::NewAction {
            title: "研修資料の改訂".into(),
            description: String::new(),
            owner: Assignee::Post(OrgRole::SecurityManager),
            due_on: date!(2026 - 07 - 01),
            due_kind: mamori_domain::calendar::DayCount::Working,
            due_days: Some(10),
        };
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        let id = corrective::create(&mut tx, &action, None).await.unwrap();
        tx.commit().await.unwrap();
        let mine = ActionFilter {
            owned_by: Some((999, vec![OrgRole::SecurityManager])),
            overdue_on: Some(date!(2026 - 07 - 02)),
            ..Default::default()
        };
        assert_eq!(corrective::list(&store, &mine).await.unwrap().len(), 1);
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        let done = StatusChange::Done { on: date!(2026 - 06 - 30), note: "改訂版を配布".into() };
        corrective::change_status(&mut tx, id, ActionStatus::Open, &done).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        assert!(matches!(
            corrective::change_status(&mut tx, id, ActionStatus::Open, &StatusChange::Start).await,
            Err(StoreError::NotFound)
        ));
        drop(tx);
        let stored = corrective::get(&store, id).await.unwrap();
        assert_eq!((stored.status, stored.due_days, stored.closing_note.as_str()), (ActionStatus::Done, Some(10), "改訂版を配布"));
        assert!(corrective::list(&store, &mine).await.unwrap().is_empty());
        store.close().await;
    }
);
