//! One-time tokens in the store, on a real SQLite file and a real PostgreSQL server:
//! the first claim runs, a second finds it running or finished, a released claim can be
//! taken again, an API key is bound to its path, and a day-old token is forgotten.

use mamori_store::once::{self, Answer, Claim, Kind};
use mamori_store::{Actor, users};
use mamori_testkit::{TestDb, backend_test};
use time::{Duration, OffsetDateTime};

async fn user(store: &mamori_store::Store, login: &str) -> i64 {
    let login = mamori_domain::user::LoginId::parse(login).unwrap();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let id = users::create(
        &mut tx,
        users::NewUser {
            login: &login,
            display_name: "事務局 職員",
            reading: None,
            role: mamori_domain::user::Role::SecurityOfficer,
            user_type: mamori_domain::user::UserType::Staff,
            password_hash: "not a hash: this user never signs in",
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

backend_test!(
    async fn a_token_is_claimed_once_and_gives_its_answer_again(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let (me, other) = (user(&store, "jimu.ichiro").await, user(&store, "jimu.jiro").await);
        let path = "/risks";
        let claim = |user, token, path, kind| once::claim(&store, user, token, path, kind);

        assert_eq!(claim(me, "t1", path, Kind::Form).await.unwrap(), Claim::Fresh);
        assert_eq!(claim(me, "t1", path, Kind::Form).await.unwrap(), Claim::Busy);
        // Another user's token, and the same page token on another form, are their own.
        assert_eq!(claim(other, "t1", path, Kind::Form).await.unwrap(), Claim::Fresh);
        assert_eq!(claim(me, "t1", "/threats", Kind::Form).await.unwrap(), Claim::Fresh);

        let answer = Answer {
            status: 303,
            location: Some("/risks/7?saved=1".into()),
            content_type: None,
            body: None,
        };
        once::finish(&store, me, "t1", path, &answer).await.unwrap();
        assert_eq!(claim(me, "t1", path, Kind::Form).await.unwrap(), Claim::Done(answer.clone()));
        // A finished claim is never released: its record exists.
        once::release(&store, me, "t1", path).await.unwrap();
        assert_eq!(once::look(&store, me, "t1", path).await.unwrap(), Claim::Done(answer));

        // A refused submission releases its claim; the corrected one claims it anew.
        assert_eq!(claim(me, "t2", path, Kind::Form).await.unwrap(), Claim::Fresh);
        once::release(&store, me, "t2", path).await.unwrap();
        assert_eq!(once::look(&store, me, "t2", path).await.unwrap(), Claim::Fresh);
        assert_eq!(claim(me, "t2", path, Kind::Form).await.unwrap(), Claim::Fresh);

        // An API key names one request: on another path it is refused, naming the first.
        let api = "/api/v1/risks";
        assert_eq!(claim(me, "k1", api, Kind::Api).await.unwrap(), Claim::Fresh);
        assert_eq!(
            claim(me, "k1", "/api/v1/threats", Kind::Api).await.unwrap(),
            Claim::OtherPath(api.to_owned())
        );
        let created = Answer {
            status: 201,
            location: Some("/api/v1/risks/3".into()),
            content_type: Some("application/json".into()),
            body: Some("{\"id\":3,\"title\":\"標的型メール\"}".into()),
        };
        once::finish(&store, me, "k1", api, &created).await.unwrap();
        assert_eq!(claim(me, "k1", api, Kind::Api).await.unwrap(), Claim::Done(created));

        // A day later every token is forgotten, on the next claim.
        let purged = once::purge(&store, OffsetDateTime::now_utc() + Duration::seconds(5))
            .await
            .unwrap();
        assert_eq!(purged, 5);
        assert_eq!(claim(me, "t1", path, Kind::Form).await.unwrap(), Claim::Fresh);
        let old = mamori_store::timestamp_text(OffsetDateTime::now_utc() - once::LIFETIME - Duration::minutes(1));
        db.execute(&format!("UPDATE once_tokens SET created_at = '{old}'")).await;
        assert_eq!(claim(me, "t1", path, Kind::Form).await.unwrap(), Claim::Fresh);
        store.close().await;
    }
);

backend_test!(
    async fn an_unreadable_stored_answer_is_corrupt_not_a_default(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let me = user(&store, "jimu.saburo").await;
        assert_eq!(once::claim(&store, me, "t", "/risks", Kind::Form).await.unwrap(), Claim::Fresh);
        db.execute("UPDATE once_tokens SET state = 'done', status = 42").await;
        let error = once::look(&store, me, "t", "/risks").await.unwrap_err();
        assert!(matches!(error, mamori_store::StoreError::Corrupt { column: "status", .. }), "{error}");
        db.execute("UPDATE once_tokens SET state = 'halfway'").await;
        let error = once::look(&store, me, "t", "/risks").await.unwrap_err();
        assert!(matches!(error, mamori_store::StoreError::Corrupt { column: "state", .. }), "{error}");
        store.close().await;
    }
);
