//! `mamori incidents list|figures` and `mamori export incidents FILE` end to end, on both
//! backends: the list searched in Japanese, the year's figures, the workbook without
//! personal information unless asked for, and an unreadable filter refused in words.

use std::io::Read;

use mamori_domain::incident::{Personal, ReportInput};
use mamori_domain::user::UserType;
use mamori_store::{Actor, incidents};
use mamori_testkit::backend_test;

use super::policy::{Site, add_user};

fn workbook_text(path: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        if part.name().unwrap().ends_with(".xml") {
            part.read_to_string(&mut all).unwrap();
        }
    }
    all
}

backend_test!(
    async fn incidents_are_listed_counted_and_exported_from_the_command_line(backend) {
        let site = Site::new(backend).await;
        site.with_store(async |store| {
            let sato = add_user(store, "giin.sato", UserType::Member).await;
            let today = mamori_store::japan_today();
            let mut tx = store.write(Actor::system("test")).await.unwrap();
            for (title, contact) in [("USBメモリの紛失", "090-1111-2222"), ("不審なメール", "内線5")] {
                let input = ReportInput {
                    title: title.into(),
                    description: "会議資料を入れていた".into(),
                    noticed_at: time::OffsetDateTime::now_utc() - time::Duration::hours(2),
                    place: "議員控室".into(),
                    personal: Personal::Yes,
                    contact: contact.into(),
                };
                incidents::create(
                    &mut tx,
                    incidents::NewIncident {
                        input: &input,
                        reporter_id: sato,
                        entered_by: None,
                        asset_id: None,
                        fiscal_year: mamori_domain::calendar::FiscalYear::of(today).year(),
                    },
                )
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();
        })
        .await;

        let found = site.run(&["incidents", "list", "--search", "ｕｓｂ"]).success();
        assert!(found.stdout().contains("USBメモリの紛失"), "{}", found.stdout());
        assert!(!found.stdout().contains("不審なメール"), "{}", found.stdout());
        let all = site.run(&["incidents", "list", "--stage", "open"]).success();
        assert_eq!(all.stdout().lines().count(), 2, "{}", all.stdout());
        site.run(&["incidents", "list", "--stage", "someday"])
            .refused("stage");

        let figures = site.run(&["incidents", "figures"]).success();
        assert!(figures.stdout().contains("Incidents in all\t2"), "{}", figures.stdout());

        let plain = site.file("plain.xlsx", b"");
        site.run(&["export", "incidents", &plain]).success();
        let text = workbook_text(&plain);
        assert!(text.contains("USBメモリの紛失") && !text.contains("090-1111-2222"));
        let full = site.file("full.xlsx", b"");
        site.run(&["export", "incidents", &full, "--personal"]).success();
        assert!(workbook_text(&full).contains("090-1111-2222"));
        let audited = site
            .with_store(async |store| {
                mamori_store::audit::recent(store, 100)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|e| e.action == "incident.export")
                    .count()
            })
            .await;
        assert_eq!(audited, 2);
    }
);
