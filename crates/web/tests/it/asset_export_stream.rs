//! The register's CSV export streamed through the real router: read a batch at a time
//! while the response is sent, never held whole.

use mamori_domain::user::Role;
use mamori_testkit::{TestServer, backend_test};
use reqwest::StatusCode;

use crate::asset_files::{audit_entries, export};

backend_test!(
    /// A register of more than one batch is streamed whole: every asset once, in id
    /// order, after the header; the export is recorded with its count.
    async fn a_register_of_several_batches_is_streamed_whole(backend) {
        use mamori_domain::asset::Holders;
        use mamori_testkit::fixtures_assets::asset_input;
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let scheme = mamori_store::classification::active(&server.store)
            .await
            .unwrap();
        let n = mamori_store::assets::EXPORT_BATCH as usize + 500;
        let rows: Vec<_> = (0..n)
            .map(|i| {
                asset_input(&format!("資産{i:05}"), ["2", "2", "2"], None)
                    .check(&scheme, &Holders::default())
                .unwrap()
            })
            .collect();
        let mut tx = server
            .store
            .write(mamori_store::Actor::system("test"))
            .await
            .unwrap();
        mamori_store::assets::create_many(&mut tx, &rows, &scheme, "many.csv", "abc")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let (status, _, bytes) = export(&officer, "/api/v1/assets/export.csv", "ja").await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8(bytes).unwrap();
        let names: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|line| line.split(',').nth(1).unwrap())
            .collect();
        let expected: Vec<String> = (0..n).map(|i| format!("資産{i:05}")).collect();
        assert_eq!(names, expected);
        let recorded = audit_entries(&server, "asset.export").await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0]["count"][1], n, "{}", recorded[0]);
        server.stop().await;
    }
);
