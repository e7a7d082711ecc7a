//! `mamori import attendance FILE --session N` end to end, on both backends: a sign-in
//! sheet read into a session's attendance, one naming an unknown person refused whole.

use mamori_domain::awareness::Audience;
use mamori_domain::training::{CourseInput, CourseKind, SessionInput};
use mamori_domain::user::UserType;
use mamori_store::{Actor, training};
use mamori_testkit::backend_test;
use time::macros::time;

use super::policy::{Site, add_user};

backend_test!(
    async fn a_sign_in_sheet_is_imported_from_the_command_line(backend) {
        let site = Site::new(backend).await;
        let session = site
            .with_store(async |store| {
                let sato = add_user(store, "giin.sato", UserType::Member).await;
                let suzuki = add_user(store, "giin.suzuki", UserType::Member).await;
                let today = mamori_store::japan_today();
                let mut tx = store.write(Actor::system("test")).await.unwrap();
                let course = training::create_course(
                    &mut tx,
                    &CourseInput {
                        fiscal_year: mamori_domain::calendar::FiscalYear::of(today),
                        kind: CourseKind::Members,
                        title: "議員研修".into(),
                        description: String::new(),
                    },
                )
                .await
                .unwrap();
                let session = training::create_session(
                    &mut tx,
                    course,
                    &SessionInput {
                        held_on: today,
                        starts_at: time!(13:30),
                        ends_at: time!(15:00),
                        place: "第1委員会室".into(),
                        online: false,
                        note: String::new(),
                        audience: Audience::UserTypes(vec![UserType::Member]),
                    },
                    &[sato, suzuki],
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                session
            })
            .await;
        let session = session.to_string();

        let unknown = site.file("unknown.csv", "ログインID,出欠\ngiin.sato,出席\ngiin.tanaka,出席\n".as_bytes());
        site.run(&["import", "attendance", &unknown, "--session", &session])
            .refused("Line 3: no user “giin.tanaka” was found.");
        let none = site
            .with_store(async |store| training::participants(store, 1).await.unwrap())
            .await;
        assert!(none.iter().all(|p| p.attendance.is_none()));

        let sheet = site.file("出席簿.csv", "ログインID,出欠\ngiin.sato,○\ngiin.suzuki,欠席\n".as_bytes());
        let run = site
            .run(&["import", "attendance", &sheet, "--session", &session])
            .success();
        assert!(run.stdout().contains("2 recorded"), "{}", run.stdout());
        let marks = site
            .with_store(async |store| training::participants(store, 1).await.unwrap())
            .await;
        let marks: Vec<(&str, &str)> = marks
            .iter()
            .map(|p| (p.login.as_str(), p.attendance.as_ref().unwrap().status.as_str()))
            .collect();
        assert_eq!(marks, [("giin.sato", "present"), ("giin.suzuki", "absent")]);
    }
);
