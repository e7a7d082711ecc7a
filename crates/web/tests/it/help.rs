//! The built-in manual (issue 14): every navigation entry of every kind of person has a
//! help page in Japanese and English that names the clauses it carries, cited in the
//! published policy's numbering; every page a person reaches links to its help, and the
//! link resolves; an unknown topic is a 404 in the reader's language. Both backends.

use mamori_domain::citation::cite_all;
use mamori_domain::user::Role;
use mamori_domain::wareki::Lang;
use mamori_testkit::fixtures_policies::{approve_and_publish, ciso, import_text, published_seed};
use mamori_testkit::fixtures_words::reachable_pages;
use mamori_testkit::{TestServer, Web, backend_test};

const ARTICLES: &str = include_str!("../data/policy_articles.txt");

const PEOPLE: [(&str, Role); 5] = [
    ("kanri.sato", Role::Admin),
    ("anzen.tanaka", Role::SecurityOfficer),
    ("giin.suzuki", Role::User),
    ("kansa.ito", Role::Auditor),
    ("itaku.kato", Role::Contractor),
];

/// A page in `lang` (`en` or `ja`), checking its status.
async fn page_in(web: &Web<'_>, path: &str, lang: &str, expected: u16) -> String {
    let response = web
        .client
        .get(web.server.url(path))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert_eq!(status, expected, "GET {path} ({lang}): {body}");
    body
}

/// The targets of the main navigation's links.
fn nav_paths(html: &str) -> Vec<String> {
    let nav = &html[html.find("<nav class=\"site-nav\"").expect("navigation")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// Where the page's "この画面について" link goes; exactly one per page.
fn help_link(html: &str) -> Option<String> {
    let mut links = html.split("class=\"help-link\" href=\"").skip(1);
    let first = links.next()?;
    assert!(links.next().is_none(), "one help link per page");
    Some(first[..first.find('"').unwrap()].to_owned())
}

/// The line naming the clauses a help page carries.
fn carried(html: &str) -> &str {
    let at = html.find("id=\"help-clauses\">").expect("the clauses line") + 18;
    &html[at..at + html[at..].find("</p>").unwrap()]
}

backend_test!(
    async fn every_navigation_entry_has_a_help_page_naming_its_clauses_in_both_languages(backend) {
        let server = TestServer::start(backend).await;
        let mut topics_seen = std::collections::BTreeSet::new();
        for (login, role) in PEOPLE {
            let (_, web) = server.web_as(login, role).await;
            let home = web.page("/", 200).await;
            let entries = nav_paths(&home);
            assert!(entries.len() >= 3, "{login}: {entries:?}");
            for path in entries {
                let html = web.page(&path, 200).await;
                let link = help_link(&html).unwrap_or_else(|| panic!("{login} {path}: no help link"));
                let slug = link
                    .strip_prefix("/help/")
                    .unwrap_or_else(|| panic!("{login} {path} has no page of its own: {link}"));
                let topic = mamori_app::help::topic(slug).expect("a topic");
                let references = topic.clause_references();
                assert!(!references.is_empty(), "{slug} names a clause");
                let ja = page_in(&web, &link, "ja", 200).await;
                assert!(ja.contains("<html lang=\"ja\""));
                assert_eq!(
                    carried(&ja),
                    format!("この画面が担う条項：{}", cite_all(None, &references, Lang::Ja)),
                    "{login} {path}"
                );
                assert!(ja.contains("基本方針が求めること"), "{slug}: what the policy asks");
                assert!(ja.contains("<ol class=\"steps\">"), "{slug}: how, step by step");
                assert!(ja.contains("<h2>例</h2>"), "{slug}: an example");
                let en = page_in(&web, &link, "en", 200).await;
                assert!(en.contains("<html lang=\"en\""));
                assert_eq!(
                    carried(&en),
                    format!("Clauses this screen carries: {}", cite_all(None, &references, Lang::En)),
                    "{login} {path}"
                );
                assert!(en.contains("What the policy asks") && en.contains("<h2>Example</h2>"));
                assert!(en.contains(&format!("href=\"{path}\"")), "{slug} links back to {path}");
                topics_seen.insert(slug.to_owned());
            }
        }
        // Between them the five kinds of person meet every register of the manual; the
        // notifications are reached from the header, and link to their own page.
        let (_, member) = server.web_as("giin.kobayashi", Role::User).await;
        let notices = member.page("/notifications", 200).await;
        assert_eq!(help_link(&notices).as_deref(), Some("/help/notifications"));
        let registers: Vec<&str> = mamori_app::help::TOPICS
            .iter()
            .map(|t| t.slug)
            .filter(|s| !["getting-started", "notifications"].contains(s))
            .collect();
        for slug in registers {
            assert!(topics_seen.contains(slug), "{slug} is in nobody's navigation");
        }
        // The contents list every topic and the glossary, with their citations.
        let anonymous = server.web_anonymous();
        let contents = page_in(&anonymous, "/help", "ja", 200).await;
        for topic in mamori_app::help::TOPICS {
            assert!(contents.contains(&format!("href=\"/help/{}\"", topic.slug)));
        }
        assert!(contents.contains("href=\"/help/glossary\"") && contents.contains("基本方針 2(3)、4(2)"));
        server.stop().await;
    }
);

backend_test!(
    async fn the_manual_cites_in_the_published_policys_numbering(backend) {
        let server = TestServer::start(backend).await;
        let seed = published_seed(&server).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let before = officer.page("/help/assets", 200).await;
        let doc = seed.document;
        assert!(
            carried(&before).contains(&format!("基本方針 <a href=\"/policies/{doc}/clauses/2%283%29\">2(3)</a>、")),
            "{}",
            carried(&before)
        );

        // The assembly adopts a text numbered in articles: the manual follows at once.
        let (_, chair) = ciso(&server, "gicho.suzuki").await;
        let stored = import_text(&officer, ARTICLES, Some(seed.document)).await;
        approve_and_publish(&officer, &chair, &stored).await;
        let doc = stored.document;
        let page = officer.page("/help/assets", 200).await;
        assert_eq!(
            carried(&page),
            format!(
                "この画面が担う条項：基本方針<a href=\"/policies/{doc}/clauses/2%283%29\">第2条第3号</a>、\
                 <a href=\"/policies/{doc}/clauses/4%282%29\">第4条第2号</a>、\
                 <a href=\"/policies/{doc}/clauses/6%282%29\">第6条第2号</a>、6(4)"
            ),
            "a clause the text lacks stays in the seed's style"
        );
        assert!(
            page.contains(&format!("<span class=\"citation\">基本方針<a href=\"/policies/{doc}/clauses/2%283%29\">第2条第3号</a>")),
            "the body's citations too"
        );
        let english = page_in(&officer, "/help/assets", "en", 200).await;
        assert!(carried(&english).contains(">Article 2(3)</a>, <a"), "{}", carried(&english));
        // Someone signed out reads the same numbering, without links to the policy register.
        let anonymous = server.web_anonymous();
        let public = page_in(&anonymous, "/help/threats", "ja", 200).await;
        assert_eq!(carried(&public), "この画面が担う条項：基本方針第3条");
        // The glossary, part of the manual, names its clauses in the same numbering.
        let glossary = page_in(&anonymous, "/help/glossary", "ja", 200).await;
        let term = &glossary[glossary.find("id=\"term-information_asset\"").unwrap()..];
        assert!(term[..term.find("</tr>").unwrap()].contains("<td>第2条第3号</td>"), "{term}");
        // The API gives the same citations and the page as text.
        let api = officer.json("/api/v1/help/assets").await;
        assert_eq!(api["clauses"][0]["reference"], "2(3)");
        assert_eq!(api["clauses"][0]["citation"], "基本方針第2条第3号");
        assert_eq!(api["clauses"][3]["citation"], "基本方針 6(4)");
        assert!(api["text"].as_str().unwrap().contains("基本方針第2条第3号"));
        server.stop().await;
    }
);

backend_test!(
    async fn every_page_a_person_reaches_links_to_help_that_opens(backend) {
        let server = TestServer::start(backend).await;
        let mut targets = std::collections::BTreeSet::new();
        let mut standalone = std::collections::BTreeSet::new();
        for (login, role) in PEOPLE {
            let (_, web) = server.web_as(login, role).await;
            let pages = reachable_pages(&server, &web.client, 150).await;
            assert!(pages.len() >= 5, "{login} reaches {} pages", pages.len());
            for (path, html) in &pages {
                // Sheets made for printing and handing out (the unread notices, labels)
                // stand without the site's frame, and so without its links.
                if !html.contains("<nav class=\"site-nav\"") {
                    standalone.insert(path.clone());
                    continue;
                }
                let link = help_link(html).unwrap_or_else(|| panic!("{login} {path}: no help link"));
                targets.insert(link);
            }
            for target in &targets {
                web.page(target, 200).await;
            }
        }
        assert!(targets.contains("/help") && targets.contains("/help/assets"), "{targets:?}");
        assert!(
            standalone.iter().all(|path| path.contains("print")),
            "only print sheets stand without the frame: {standalone:?}"
        );
        // Before signing in too: the sign-in page links to the manual, which opens.
        let anonymous = server.web_anonymous();
        let login = anonymous.page("/login", 200).await;
        assert_eq!(help_link(&login).as_deref(), Some("/help"));
        page_in(&anonymous, "/help/getting-started", "ja", 200).await;
        server.stop().await;
    }
);

backend_test!(
    async fn an_unknown_topic_is_not_found_in_the_readers_language(backend) {
        let server = TestServer::start(backend).await;
        let (_, web) = server.web_as("giin.suzuki", Role::User).await;
        let ja = page_in(&web, "/help/no-such-topic", "ja", 404).await;
        assert!(ja.contains("お探しのページは見つかりませんでした"), "{ja}");
        let en = page_in(&web, "/help/no-such-topic", "en", 404).await;
        assert!(en.contains("The page you asked for was not found"), "{en}");
        let api = page_in(&web, "/api/v1/help/%3Cscript%3E", "en", 404).await;
        let error: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(error["error"]["code"], "not_found");
        server.stop().await;
    }
);
