//! English complete, in the forms (issue 13, item 6): a reader of English edits the texts
//! mamori ships with (classification levels, the threats the assembly adds, the default
//! risk matrix) in English, saving them unchanged keeps the stored Japanese texts that
//! Japanese readers see, and the assembly's own Japanese words are marked `lang="ja"`.
//! Both backends.

use mamori_domain::classification::Axis;
use mamori_domain::user::Role;
use mamori_testkit::fixtures_once::{filled, form_fields};
use mamori_testkit::{TestServer, Web, backend_test, fixtures_risks, location};

async fn in_english<'s>(server: &'s TestServer, login: &str, role: Role) -> Web<'s> {
    let (_, web) = server.web_as(login, role).await;
    let response = web.post_form("/preferences", &[("lang", "en")]).await;
    assert_eq!(response.status().as_u16(), 303);
    web
}

/// Posts the form of `page` whose action is `action`, with `changes`.
async fn post_changed(web: &Web<'_>, page: &str, action: &str, changes: &[(&str, &str)]) -> String {
    let html = web.page(page, 200).await;
    let fields = filled(form_fields(&html, action), changes);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    location(&web.post_form(action, &pairs).await)
}

backend_test!(async fn a_preset_level_is_edited_in_english_and_keeps_its_japanese(backend) {
    let server = TestServer::start(backend).await;
    let admin = in_english(&server, "kanri", Role::Admin).await;
    let stored = || async { mamori_store::classification::active(&server.store).await.unwrap() };
    let level = stored().await.find_level(Axis::Confidentiality, "3A").unwrap().clone();
    let path = format!("/settings/classification/levels/{}", level.id);
    let page = admin.page(&path, 200).await;
    assert!(page.contains("value=\"Confidentiality 3A\""), "{page}");
    assert!(page.contains(">Information assets that need the confidentiality"), "{page}");
    let marked_boxes = page
        .split("<textarea")
        .skip(1)
        .filter(|t| t.split('>').next().unwrap().contains("lang=\"ja\""))
        .count();
    assert_eq!(marked_boxes, 0, "no Japanese text in the form: {page}");

    // Saved as shown: nothing changes.
    let saved = post_changed(&admin, &path, &path, &[]).await;
    assert!(saved.contains("saved=unchanged"), "{saved}");
    assert_eq!(stored().await.find_level(Axis::Confidentiality, "3A").unwrap(), &level);

    // One rule rewritten in the assembly's own Japanese: only it changes, and the form
    // marks it as Japanese while the other texts stay English.
    let own = "持ち出しは議長の許可を得る。";
    let saved = post_changed(&admin, &path, &path, &[("rule_carry", own)]).await;
    assert!(saved.contains("saved=level"), "{saved}");
    let after = stored().await.find_level(Axis::Confidentiality, "3A").unwrap().clone();
    assert_eq!(after.name, "自治体機密性3A");
    assert_eq!(after.definition, level.definition);
    let carried = after.rules.values().filter(|r| r.as_str() == own).count();
    assert_eq!(carried, 1, "{:?}", after.rules);
    let page = admin.page(&path, 200).await;
    assert!(page.contains(&format!(">{own}</textarea>")), "{page}");
    let marked = page.split("<textarea").filter(|t| t.contains(own)).all(|t| t.contains("lang=\"ja\""));
    assert!(marked, "the assembly's Japanese is marked: {page}");
    server.stop().await;
});

backend_test!(async fn a_built_in_threat_is_edited_in_english_and_keeps_its_japanese(backend) {
    let server = TestServer::start(backend).await;
    let officer = in_english(&server, "anzen", Role::SecurityOfficer).await;
    let id = fixtures_risks::threat_id(&server, "紛失・盗難").await;
    let path = format!("/threats/{id}");
    let page = officer.page(&path, 200).await;
    assert!(page.contains("value=\"Loss or theft\""), "{page}");
    assert!(page.contains(">A tablet, laptop, USB memory stick"), "{page}");
    let before = mamori_store::risks::threat(&server.store, id).await.unwrap();

    let saved = post_changed(&officer, &path, &path, &[]).await;
    assert!(saved.contains("saved=unchanged"), "{saved}");
    let after = mamori_store::risks::threat(&server.store, id).await.unwrap();
    assert_eq!((after.name.as_str(), after.description.as_str()), (before.name.as_str(), before.description.as_str()));
    assert_eq!(after.name_en, "Loss or theft");

    // The assembly's own description: kept as typed, shown marked as Japanese.
    let own = "議場のタブレットを置き忘れること。";
    let saved = post_changed(&officer, &path, &path, &[("description", own)]).await;
    assert!(saved.contains("saved=updated"), "{saved}");
    let after = mamori_store::risks::threat(&server.store, id).await.unwrap();
    assert_eq!((after.name.as_str(), after.description.as_str()), ("紛失・盗難", own));
    let page = officer.page(&path, 200).await;
    let textarea = page.split("<textarea").nth(1).unwrap();
    assert!(textarea.contains("lang=\"ja\"") && textarea.contains(own), "{page}");
    // The catalogue shows it marked too; a Japanese reader sees the Japanese name.
    let list = officer.page("/threats", 200).await;
    assert!(list.contains(&format!("<td lang=\"ja\">{own}</td>")), "{list}");
    let (_, japanese) = server.web_as("kansa", Role::Auditor).await;
    let japanese_list = japanese.page("/threats", 200).await;
    assert!(japanese_list.contains("紛失・盗難") && !japanese_list.contains("Loss or theft"));
    server.stop().await;
});

backend_test!(async fn the_default_matrix_is_edited_in_english_and_keeps_its_japanese(backend) {
    let server = TestServer::start(backend).await;
    let officer = in_english(&server, "anzen", Role::SecurityOfficer).await;
    let edit = "/risks/matrix/edit";
    let page = officer.page(edit, 200).await;
    for name in ["Low", "Medium", "High", "Minor", "Moderate", "Major"] {
        assert!(page.contains(&format!("value=\"{name}\"")), "{name} in {page}");
    }
    let before = mamori_store::risks::active_matrix(&server.store).await.unwrap();
    let saved = post_changed(&officer, edit, "/risks/matrix", &[]).await;
    assert!(saved.contains("saved=unchanged"), "{saved}");
    let after = mamori_store::risks::active_matrix(&server.store).await.unwrap();
    assert_eq!(after.id, before.id, "no new version");
    assert_eq!(after.matrix.impact, ["小", "中", "大"]);

    // A name of the assembly's own makes a version; the defaults stay Japanese in it.
    let saved = post_changed(&officer, edit, "/risks/matrix", &[("impact_2", "Severe")]).await;
    assert!(saved.contains("saved=matrix"), "{saved}");
    let after = mamori_store::risks::active_matrix(&server.store).await.unwrap();
    assert_eq!(after.matrix.impact, ["小", "中", "Severe"]);
    assert_eq!(after.matrix.likelihood, ["低", "中", "高"]);
    let shown = officer.page("/risks/matrix", 200).await;
    assert!(shown.contains("Moderate") && shown.contains("Severe"), "{shown}");
    server.stop().await;
});

backend_test!(async fn brackets_and_colons_follow_the_readers_language(backend) {
    let server = TestServer::start(backend).await;
    let (_, japanese) = server.web_as("kanri.ja", Role::SecurityOfficer).await;
    let english = in_english(&server, "kanri.en", Role::SecurityOfficer).await;
    // The holder choice names a person and their login.
    assert!(japanese.page("/assets/new", 200).await.contains(">kanri.ja（kanri.ja）<"));
    assert!(english.page("/assets/new", 200).await.contains(">kanri.ja (kanri.ja)<"));
    // The risk form's tolerance notes: level and band.
    let ja = japanese.page("/risks/new", 200).await;
    let en = english.page("/risks/new", 200).await;
    assert!(ja.contains("高："), "{ja}");
    assert!(en.contains("High: "), "{en}");
    server.stop().await;
});
