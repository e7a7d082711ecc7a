//! The home page by person (issue 13, first step): a member sees the assets they hold,
//! not the installation's internals; the administrator keeps the system status.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_assets::asset;
use mamori_testkit::{TestServer, backend_test};

/// Words of the installation's insides that a member's page must not show.
const INTERNALS: [&str; 4] = ["データ構造の版", "内蔵データベース", "SQLite", "PostgreSQL"];

backend_test!(
    async fn a_member_sees_what_they_hold_and_not_the_installation(backend) {
        let server = TestServer::start(backend).await;
        let (member_id, member) = server.web_as("giin.sato", Role::User).await;
        let (other_id, _) = server.web_as("giin.suzuki", Role::User).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        for n in 1..=12 {
            asset(&server, &format!("貸与タブレット{n:02}"), ["2", "2", "2"], Some(member_id)).await;
        }
        asset(&server, "他の議員の手帳", ["2", "2", "2"], Some(other_id)).await;

        let home = member.page("/", 200).await;
        assert!(home.contains("あなたが保有する情報資産"), "{home}");
        assert!(home.contains("貸与タブレット12"), "{home}");
        assert!(!home.contains("他の議員の手帳"), "{home}");
        // Ten are listed; the rest are behind a link to the register filtered to them.
        assert!(!home.contains("貸与タブレット01"), "{home}");
        assert!(home.contains("すべて見る（12件）"), "{home}");
        assert!(home.contains(&format!("/assets?holder={member_id}")), "{home}");
        for word in INTERNALS {
            assert!(!home.contains(word), "{word} on a member's home page");
        }

        let status = admin.page("/", 200).await;
        assert!(status.contains("データ構造の版"), "{status}");
        assert!(!status.contains("あなたが保有する情報資産"), "{status}");
    }
);
