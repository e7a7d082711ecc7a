//! Approval requests in the store: the migration that moves policy 決裁, take-outs and
//! risk acceptances onto requests (rows written as schema 9 wrote them, then migrated),
//! and the block's own writes (open, decide once, withdraw, absences, holders).

use mamori_domain::approval::{Asked, State};
use mamori_domain::asset::Approval;
use mamori_domain::policy_lifecycle::VersionStatus;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_store::approvals::{self, Decided, NewAbsence, NewRequest};
use mamori_store::risks::{self, AcceptanceStatus};
use mamori_store::{Actor, StoreError, assets, policies};
use mamori_testkit::{TestDb, backend_test};
use sqlx::{AnyConnection, Row};
use time::macros::date;

/// Runs `sql` and returns the id it yields (`RETURNING id`).
async fn insert(conn: &mut AnyConnection, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get::<i64, _>(0)
}

async fn scalar(conn: &mut AnyConnection, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn user(conn: &mut AnyConnection, login: &str, name: &str, role: &str) -> i64 {
    insert(
        conn,
        &format!(
            "INSERT INTO users (login, display_name, role, user_type, password_hash, \
             created_at, updated_at) VALUES ('{login}', '{name}', '{role}', 'member', 'x', \
             '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z') RETURNING id"
        ),
    )
    .await
}

backend_test!(
    async fn old_decisions_move_onto_approval_requests(backend) {
        let db = TestDb::new(backend).await;
        mamori_store::migrate_before(&db.url, 10).await.unwrap();
        let mut conn = db.raw().await;
        // Reference rows as release 9 stored them (its seed, not this binary's).
        let scheme = insert(&mut conn,
            "INSERT INTO classification_schemes (key, name, active, created_at, updated_at) \
             VALUES ('soumu', '総務省ガイドライン', 1, '2026-01-05T00:00:00Z', \
             '2026-01-05T00:00:00Z') RETURNING id").await;
        insert(&mut conn, &format!(
            "INSERT INTO classification_levels (scheme_id, axis, code, name, rank, definition, \
             takeout_requires_approval, rules, updated_at) VALUES ({scheme}, 'confidentiality', \
             '3', '機密性3', 3, '秘密文書に相当', 1, '{{}}', '2026-01-05T00:00:00Z') \
             RETURNING id")).await;
        insert(&mut conn,
            "INSERT INTO threats (family, name, description, clause_ref, created_at, updated_at) \
             VALUES ('intentional', '不正アクセス', '', '3(1)', '2026-01-05T00:00:00Z', \
             '2026-01-05T00:00:00Z') RETURNING id").await;
        let matrix = serde_json::to_string(&mamori_domain::risk::Matrix::default_3x3()).unwrap();
        insert(&mut conn, &format!(
            "INSERT INTO risk_matrices (version, definition, active, created_at) VALUES \
             (1, '{matrix}', 1, '2026-01-05T00:00:00Z') RETURNING id")).await;
        let officer = user(&mut conn, "officer", "事務局 太郎", "security_officer").await;
        let gicho = user(&mut conn, "gicho", "議長 花子", "user").await;

        // Policy: a published version approved on paper, a draft, a withdrawn draft.
        let doc = insert(&mut conn,
            "INSERT INTO policy_documents (kind, title, created_at, updated_at) VALUES \
             ('basic_policy', '基本方針', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z') \
             RETURNING id").await;
        let version = |number: i64, status: &str, approved: &str| format!(
            "INSERT INTO policy_versions (document_id, number, status, title, source_text, \
             tree, content_hash, change_note, created_by, created_at, approved_by, approved_on, \
             approved_at) VALUES ({doc}, {number}, '{status}', '基本方針', 't', '{{}}', 'h', \
             '第{number}版', {officer}, '2026-01-0{number}T00:00:00Z', {approved}) RETURNING id");
        let published = insert(&mut conn, &version(1, "published",
            &format!("{gicho}, '2026-03-18', '2026-03-19T01:00:00Z'"))).await;
        let draft = insert(&mut conn, &version(2, "draft", "NULL, NULL, NULL")).await;
        let withdrawn = insert(&mut conn, &version(3, "withdrawn", "NULL, NULL, NULL")).await;

        // Take-outs: one waiting, one approved with a note; a disposal needed none.
        let level = scalar(&mut conn, "SELECT MIN(id) FROM classification_levels").await;
        let asset = insert(&mut conn, &format!(
            "INSERT INTO assets (name, description, category, form, holder_type, holder_id, \
             location, segment, confidentiality_id, integrity_id, availability_id, restricted, \
             status, notes, search_grams, created_at, updated_at) VALUES ('議事録原本', '', \
             'document', 'paper', 'person', {officer}, '書庫', 'none', {level}, {level}, \
             {level}, 0, 'in_use', '', '', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z') \
             RETURNING id")).await;
        let event = |kind: &str, approval: &str, decided: &str| format!(
            "INSERT INTO asset_events (asset_id, kind, occurred_on, person, counterparty, \
             method, witness, notes, approval, decided_by, decided_at, decision_note, \
             recorded_by, recorded_at) VALUES ({asset}, '{kind}', '2026-05-20', '事務局 太郎', \
             '', '', '', '委員会資料', '{approval}', {decided}, {officer}, \
             '2026-05-19T00:00:00Z') RETURNING id");
        let waiting = insert(&mut conn, &event("take_out", "pending", "NULL, NULL, ''")).await;
        let approved = insert(&mut conn, &event("take_out", "approved",
            &format!("{gicho}, '2026-05-19T03:00:00Z', '翌日返却'"))).await;
        let disposal = insert(&mut conn, &event("disposal", "not_required", "NULL, NULL, ''")).await;

        // Risk acceptances: waiting, accepted, rejected.
        let threat = scalar(&mut conn, "SELECT MIN(id) FROM threats").await;
        let matrix = scalar(&mut conn, "SELECT MIN(id) FROM risk_matrices").await;
        let risk = insert(&mut conn, &format!(
            "INSERT INTO risks (title, threat_id, asset_group, existing_measures, matrix_id, \
             inherent_likelihood, inherent_impact, inherent_level, status, created_at, \
             updated_at) VALUES ('タブレット紛失', {threat}, '', '', {matrix}, 1, 1, 1, \
             'open', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z') RETURNING id")).await;
        let acceptance = |status: &str, decided: &str| format!(
            "INSERT INTO risk_acceptances (risk_id, proposed_by, reason, expires_on, status, \
             decided_by, decided_at, decision_note, created_at) VALUES ({risk}, {officer}, \
             '予算措置まで', '2027-03-31', '{status}', {decided}, '2026-02-01T00:00:00Z') \
             RETURNING id");
        let proposed = insert(&mut conn, &acceptance("pending", "NULL, NULL, ''")).await;
        let accepted = insert(&mut conn, &acceptance("accepted",
            &format!("{gicho}, '2026-02-03T00:00:00Z', '了承'"))).await;
        let refused = insert(&mut conn, &acceptance("rejected",
            &format!("{gicho}, '2026-02-04T00:00:00Z', '対策を優先'"))).await;
        drop(conn);

        // Schema 10: every decision is a request; the registers read them from there.
        let store = db.open().await;
        let history = |kind, id| approvals::for_subject(&store, RecordRef::new(kind, id));
        let first = history(RecordKind::PolicyVersion, published).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].state, State::Approved);
        assert_eq!(first[0].decided_by, Some(gicho));
        assert_eq!(first[0].decided_on, Some(date!(2026 - 03 - 18)));
        assert_eq!(first[0].requested_by, Some(officer));
        assert_eq!(first[0].asked, Asked::Deciders(mamori_domain::access::Register::Policies));
        assert_eq!(first[0].subject_parent_id, Some(doc));
        let versions = policies::versions(&store, doc).await.unwrap();
        let read = versions.iter().find(|v| v.id == published).unwrap();
        assert_eq!((read.approved_by, read.approved_on), (Some(gicho), Some(date!(2026 - 03 - 18))));
        assert_eq!(read.status, VersionStatus::Published);
        let second = history(RecordKind::PolicyVersion, draft).await.unwrap();
        assert_eq!(second[0].state, State::Pending);
        assert!(history(RecordKind::PolicyVersion, withdrawn).await.unwrap().is_empty());

        let takeout = history(RecordKind::AssetTakeout, waiting).await.unwrap();
        assert_eq!(takeout[0].state, State::Pending);
        assert_eq!(takeout[0].due_on, Some(date!(2026 - 05 - 20)));
        assert_eq!(takeout[0].title, "議事録原本");
        let decided = assets::event(&store, approved).await.unwrap();
        assert_eq!(decided.approval, Approval::Approved);
        assert_eq!(decided.decided_by.as_deref(), Some("議長 花子"));
        assert_eq!(decided.decision_note, "翌日返却");
        assert_eq!(assets::event(&store, waiting).await.unwrap().approval, Approval::Pending);
        assert_eq!(assets::event(&store, disposal).await.unwrap().approval, Approval::NotRequired);
        assert!(history(RecordKind::AssetTakeout, disposal).await.unwrap().is_empty());

        let status = |id| risks::acceptance(&store, id);
        assert_eq!(status(proposed).await.unwrap().status, AcceptanceStatus::Pending);
        let yes = status(accepted).await.unwrap();
        assert_eq!(yes.status, AcceptanceStatus::Accepted);
        assert_eq!(yes.decided_by_name.as_deref(), Some("議長 花子"));
        assert_eq!(yes.decision_note, "了承");
        let no = status(refused).await.unwrap();
        assert_eq!((no.status, no.decision_note.as_str()), (AcceptanceStatus::Rejected, "対策を優先"));
        let pending = approvals::pending(&store).await.unwrap();
        assert_eq!(pending.len(), 3, "the draft, the take-out and the proposal wait");

        // The old decision columns are gone.
        let mut conn = db.raw().await;
        for (table, column) in [("policy_versions", "approved_by"), ("asset_events", "decided_by"),
            ("risk_acceptances", "status")] {
            let sql = format!("SELECT {column} FROM {table}");
            assert!(sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut conn).await.is_err(),
                "{table}.{column} dropped");
        }
    }
);

backend_test!(
    async fn a_request_is_decided_once_and_absences_are_kept(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let mut conn = db.raw().await;
        let asker = user(&mut conn, "asker", "申請 一郎", "security_officer").await;
        let ciso = user(&mut conn, "ciso", "議長 花子", "user").await;
        let deputy = user(&mut conn, "deputy", "副議長 次郎", "user").await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO post_terms (post_id, holder_id, starts_on, note, created_at, updated_at) \
             SELECT id, {ciso}, '2000-01-01', '', 'x', 'x' FROM org_posts WHERE role_code = 'ciso'")))
            .execute(&mut conn).await.unwrap();
        drop(conn);
        let as_user = |id: i64| Actor { user_id: Some(id), label: "t".into(), client_addr: None };

        let subject = RecordRef::new(RecordKind::RiskAcceptance, 77);
        let mut tx = store.write(as_user(asker)).await.unwrap();
        let id = approvals::open(&mut tx, NewRequest {
            subject,
            subject_parent_id: Some(5),
            title: "タブレット紛失",
            asked: Asked::Post(mamori_domain::user::OrgRole::Ciso),
            note: "予算措置まで",
            due_on: Some(date!(2026 - 07 - 01)),
        }).await.unwrap();
        tx.commit().await.unwrap();
        let request = approvals::get(&store, id).await.unwrap();
        assert_eq!(request.requested_by_name.as_deref(), Some("申請 一郎"));
        assert_eq!(request.state, State::Pending);

        // Who holds the post (and the role list of a grant).
        assert_eq!(approvals::holders(&store, &[], &["ciso"], None).await.unwrap(), [ciso]);
        assert_eq!(
            approvals::holders(&store, &["security_officer"], &[], Some(deputy)).await.unwrap(),
            [asker, deputy]
        );

        let decided = Decided {
            state: State::Returned,
            decided_by: Some(deputy),
            on_behalf_of: Some(ciso),
            decided_on: date!(2026 - 06 - 10),
            reason: "金額の根拠を添えてください",
            minute_ref: "",
        };
        let mut tx = store.write(as_user(deputy)).await.unwrap();
        approvals::decide(&mut tx, id, decided.clone()).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write(as_user(deputy)).await.unwrap();
        assert!(matches!(approvals::decide(&mut tx, id, decided).await, Err(StoreError::Conflict(_))));
        assert!(matches!(approvals::withdraw(&mut tx, id).await, Err(StoreError::Conflict(_))));
        drop(tx);
        let request = approvals::get(&store, id).await.unwrap();
        assert_eq!(request.state, State::Returned);
        assert_eq!(request.on_behalf_of_name.as_deref(), Some("議長 花子"));
        assert_eq!(request.decided_by_name.as_deref(), Some("副議長 次郎"));
        assert!(approvals::pending(&store).await.unwrap().is_empty());
        assert_eq!(approvals::requested_by(&store, asker, 10).await.unwrap().len(), 1);

        // An absence, in force over its period only, and called off once.
        let mut tx = store.write(as_user(ciso)).await.unwrap();
        let absence = approvals::add_absence(&mut tx, NewAbsence {
            user_id: ciso,
            deputy_id: deputy,
            starts_on: date!(2026 - 06 - 08),
            ends_on: date!(2026 - 06 - 12),
            note: "海外視察",
        }).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(approvals::absences_on(&store, date!(2026 - 06 - 12)).await.unwrap().len(), 1);
        assert!(approvals::absences_on(&store, date!(2026 - 06 - 13)).await.unwrap().is_empty());
        let listed = approvals::absences_of(&store, deputy, date!(2026 - 06 - 01)).await.unwrap();
        assert_eq!(listed[0].user_name, "議長 花子");
        let mut tx = store.write(as_user(ciso)).await.unwrap();
        approvals::cancel_absence(&mut tx, absence).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write(as_user(ciso)).await.unwrap();
        assert!(matches!(approvals::cancel_absence(&mut tx, absence).await, Err(StoreError::Conflict(_))));
        drop(tx);
        assert!(approvals::absences_on(&store, date!(2026 - 06 - 10)).await.unwrap().is_empty());
    }
);
