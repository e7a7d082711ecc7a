//! Citations of the basic policy follow the published policy's numbering: the seed's
//! style (基本方針 2(3)) while none is published or when the published one numbers so,
//! a regulation's style (基本方針第2条第3号) when the published one has articles; the
//! threat catalogue quotes the published clause 3 and links to it.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_policies::{approve_and_publish, ciso, import_text, published_seed};
use mamori_testkit::{TestServer, Web, backend_test};

/// A small policy numbered in articles (第N条, 第N号), written for this test.
const ARTICLES: &str = include_str!("../data/policy_articles.txt");

/// The page in English.
async fn english(web: &Web<'_>, path: &str) -> String {
    let response = web
        .client
        .get(web.server.url(path))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    response.text().await.unwrap()
}

/// The catalogue page's section of one family.
fn family<'a>(page: &'a str, code: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"family-{code}\""))
        .expect("family section");
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

backend_test!(
    async fn the_seeds_numbering_is_cited_before_and_after_it_is_published(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;

        // Nothing published: the seed's style, and the model's words marked as such.
        let assets = officer.page("/assets", 200).await;
        assert!(assets.contains("基本方針 2(3)、4(2)、6(2)"), "{backend:?}");
        let threats = officer.page("/threats", 200).await;
        let intentional = family(&threats, "intentional");
        assert!(intentional.contains("基本方針 3(1)"));
        assert!(intentional.contains("雛形の文言"));
        assert!(!threats.contains("/clauses/"));

        // A threat's page says where it comes from.
        let list = officer.json("/api/v1/threats").await;
        assert_eq!(list["families"][0]["citation"], "基本方針 3(1)");
        assert!(list["families"][0]["policy_words"].is_null());
        let id_of = |name: &str| {
            list["items"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let added = officer.page(&format!("/threats/{}", id_of("誤送信・誤送付")), 200).await;
        assert!(added.contains("<dd>議会が追加した脅威</dd>"), "{added}");
        let named = officer.page(&format!("/threats/{}", id_of("内部不正")), 200).await;
        assert!(named.contains("<dd>基本方針が挙げる脅威</dd>") && named.contains("基本方針 3(1)"));

        let stored = published_seed(&server).await;
        let threats = officer.page("/threats", 200).await;
        let intentional = family(&threats, "intentional");
        assert!(intentional.contains("基本方針 3(1)"));
        assert!(intentional.contains("公開中の基本方針の文言"));
        assert!(
            intentional.contains("不正アクセス、ウイルス攻撃、サービス不能攻撃等のサイバー攻撃"),
            "the published clause 3(1) is quoted: {intentional}"
        );
        assert!(!intentional.contains("雛形の文言"));
        let api = officer.json("/api/v1/threats").await;
        let words = api["families"][1]["policy_words"].as_str().unwrap();
        assert!(words.starts_with("情報資産の無断持ち出し、無許可ソフトウェアの使用等の規定違反"));
        assert_eq!(api["families"][1]["clause"], "3(2)");
        let link = format!("href=\"/policies/{}/clauses/3%281%29\"", stored.document);
        assert!(intentional.contains(&link), "{intentional}");
        officer.page(&format!("/policies/{}/clauses/3%281%29", stored.document), 200).await;
        let risks = officer.page("/risks", 200).await;
        let doc = stored.document;
        assert!(risks.contains(&format!(
            "基本方針 <a href=\"/policies/{doc}/clauses/3\">3</a>、<a href=\"/policies/{doc}/clauses/8\">8</a>"
        )), "{risks}");
        let classification = officer.page("/settings/classification", 200).await;
        assert!(classification.contains("clauses/6%282%29\">6(2)</a>に基づき"));
        let form = officer.page("/assets/new", 200).await;
        assert!(form.contains("2%283%29\">2(3)</a>ただし書") && form.contains("基本方針 4(2)の区分"));
        // In running text each clause links to its page, for those who may read policies.
        let assets = officer.page("/assets", 200).await;
        let linked = format!(
            "基本方針 <a href=\"/policies/{0}/clauses/2%283%29\">2(3)</a>、\
             <a href=\"/policies/{0}/clauses/4%282%29\">4(2)</a>、",
            stored.document
        );
        assert!(assets.contains(&linked), "{assets}");
        assert!(english(&officer, "/assets").await.contains("Basic policy <a href="));
        server.stop().await;
    }
);

backend_test!(
    async fn a_policy_numbered_in_articles_is_cited_in_articles(backend) {
        let server = TestServer::start(backend).await;
        // The seed is published first; the assembly then adopts a text in articles as its
        // next version, and every page follows at once.
        let seed = published_seed(&server).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        assert!(officer.page("/assets", 200).await.contains(">2(3)</a>、"));
        let (_, chair) = ciso(&server, "gicho.suzuki").await;
        let stored = import_text(&officer, ARTICLES, Some(seed.document)).await;
        approve_and_publish(&officer, &chair, &stored).await;

        let assets = officer.page("/assets", 200).await;
        let cited = format!(
            "基本方針<a href=\"/policies/{0}/clauses/2%283%29\">第2条第3号</a>、\
             <a href=\"/policies/{0}/clauses/4%282%29\">第4条第2号</a>、\
             <a href=\"/policies/{0}/clauses/6%282%29\">第6条第2号</a>",
            stored.document
        );
        assert!(assets.contains(&cited), "{backend:?}: {assets}");
        let threats = officer.page("/threats", 200).await;
        let unintentional = family(&threats, "unintentional");
        assert!(unintentional.contains("基本方針第3条第2号"), "{unintentional}");
        assert!(unintentional.contains("操作の誤り、機器の故障その他の非意図的な要因"));
        assert!(!unintentional.contains("雛形の文言"), "not the model's words");
        assert!(threats.contains("clauses/3\">第3条</a>が想定する脅威"), "{threats}");
        let api: serde_json::Value =
            serde_json::from_str(&english(&officer, "/api/v1/threats").await).unwrap();
        assert_eq!(api["families"][4]["citation"], "Basic policy Article 3(5)");
        assert_eq!(api["families"][4]["policy_words"], "電力又は通信の途絶その他のインフラの障害");
        let english_threats = english(&officer, "/threats").await;
        assert!(english_threats.contains("Basic policy Article 3(1)"));
        assert!(english_threats.contains("Loss or theft"), "built-in names in English");
        // The risk form offers the threats by family in the policy's numbering; the lost
        // tablet of its example finds 紛失・盗難.
        let form = officer.page("/risks/new", 200).await;
        let family = &form[form.find("label=\"第3条第2号 ").expect("3(2) in articles")..];
        assert!(family[..family.find("</optgroup>").unwrap()].contains(">紛失・盗難</option>"));
        assert!(english(&officer, "/risks/new").await.contains(">Loss or theft</option>"));
        let english_assets = english(&officer, "/assets").await;
        assert!(english_assets.contains(">Article 2(3)</a>, <a"), "{english_assets}");
        server.stop().await;
    }
);
