//! `mamori policy pledge`: a pledge (誓約書) signed on paper recorded from the command
//! line, with its scan, on both backends; twice and a bad date are refused.

use mamori_app::i18n::EN;
use mamori_domain::user::{OrgRole, UserType};
use mamori_store::Actor;
use mamori_testkit::backend_test;
use mamori_testkit::fixtures_files::pdf;
use mamori_testkit::fixtures_policies::PLEDGE_TEXT;

use super::policy::{Site, add_user};

backend_test!(async fn a_paper_pledge_is_recorded_with_its_scan(backend) {
    let site = Site::new(backend).await;
    let text = site.file("pledge.txt", PLEDGE_TEXT.as_bytes());
    site.run(&["policy", "import", &text, "--kind", "pledge"]).success();
    site.with_store(async |store| {
        let gicho = add_user(store, "gicho", UserType::Member).await;
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        mamori_store::users::set_org_roles(&mut tx, gicho, &[OrgRole::Ciso])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        add_user(store, "giin.ichiro", UserType::Member).await;
    })
    .await;
    site.run(&["policy", "approve", "--version", "1", "--login", "gicho", "--date", "2026-03-18"])
        .success();
    site.run(&["policy", "publish", "--version", "1"]).success();

    let scan = site.file("scan.pdf", &pdf("Pledge"));
    let pledge = |date: &str| {
        site.run(&[
            "policy", "pledge", "--document", "1", "--login", "giin.ichiro", "--date", date,
            "--scan", &scan,
        ])
    };
    pledge("令和8年2月30日").refused("signed_on: ");
    let done = pledge("令和8年4月1日").success().stdout();
    assert!(
        done.contains("Recorded the paper pledge giin.ichiro signed on 2026-04-01 (version id 1)."),
        "{done}"
    );
    pledge("2026-04-02").refused(&EN["pledge.error.already_signed"]);
    let rows = site
        .with_store(async |store| mamori_store::policies::acknowledgements(store, 1).await.unwrap())
        .await;
    let row = rows.iter().find(|r| r.login == "giin.ichiro").unwrap();
    assert_eq!(row.way, Some(mamori_domain::pledge::PledgeWay::Paper));
    assert!(row.attachment_id.is_some());
    assert_eq!(site.db.number("SELECT COUNT(*) FROM attachments").await, 1);
});
