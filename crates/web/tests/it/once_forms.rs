//! Every create and decide form of the route table (`once::GUARDED`), read from its
//! page as a browser shows it and submitted twice at once with the page's one-time
//! token, on both backends: one record each (one audit entry, or the entries one
//! submission writes), and both submissions get the same answer — the same redirect,
//! the same page — one of them marked as given again.

use std::collections::BTreeSet;

use mamori_domain::user::Role;
use mamori_testkit::fixtures_once::{
    audit_since, filled, form_fields, last_audit_id, multipart, once_token,
};
use mamori_testkit::fixtures_policies;
use mamori_testkit::{TestServer, Web, backend_test};

use super::once::GUARDED;
use super::once_forms_assets::assets;
use super::once_forms_blocks as blocks;
use super::once_forms_people::{people, policies};
use super::once_forms_risks::risks;

/// What the first submission answers, and so what both get.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Answer {
    /// 303 to the same place.
    Redirect,
    /// A page (200) with the same content.
    Page,
    /// A page showing a secret once (201); the second is told it was done (409).
    ShownOnce,
}

/// Submits forms twice at once and notes which routes it covered.
pub(super) struct Twice<'s> {
    pub(super) server: &'s TestServer,
    covered: Vec<&'static str>,
}

/// One form to submit twice: who, from which page, to which action, changed how, and the
/// audit entries the one submission that runs must write.
pub(super) struct Form<'a> {
    pub(super) route: &'static str,
    pub(super) page: &'a str,
    pub(super) action: &'a str,
    pub(super) changes: &'a [(&'a str, &'a str)],
    pub(super) codes: &'a [&'a str],
}

impl<'s> Twice<'s> {
    /// Loads `page`, fills its form, posts it twice concurrently with the same token and
    /// checks one audit entry and the same answer; returns the Location or the page.
    pub(super) async fn submit(&mut self, web: &Web<'_>, form: Form<'_>, answer: Answer) -> String {
        let html = match form.page {
            "" => String::new(),
            page => web.page(page, 200).await,
        };
        self.post(web, &html, form, answer).await
    }

    /// As [`Twice::submit`], for a form on a page already in hand (`html`).
    pub(super) async fn post(
        &mut self,
        web: &Web<'_>,
        html: &str,
        form: Form<'_>,
        answer: Answer,
    ) -> String {
        self.covered.push(form.route);
        let fields = filled(form_fields(html, form.action), form.changes);
        assert!(!once_token(&fields).is_empty(), "{}: a token", form.action);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let before = last_audit_id(self.server).await;
        let (first, second) = tokio::join!(
            web.post_form(form.action, &pairs),
            web.post_form(form.action, &pairs)
        );
        let replayed = [&first, &second]
            .iter()
            .filter(|r| r.headers().get("idempotent-replayed").is_some())
            .count();
        assert_eq!(
            replayed, 1,
            "{}: one ran, one was given its answer",
            form.action
        );
        let mut statuses = [first.status().as_u16(), second.status().as_u16()];
        let locations = [
            first.headers().get("location").cloned(),
            second.headers().get("location").cloned(),
        ];
        let bodies = [first.text().await.unwrap(), second.text().await.unwrap()];
        let result = match answer {
            Answer::Redirect => {
                assert_eq!(statuses, [303, 303], "{}: {bodies:?}", form.action);
                assert_eq!(
                    locations[0], locations[1],
                    "{}: the same redirect",
                    form.action
                );
                locations[0].as_ref().unwrap().to_str().unwrap().to_owned()
            }
            Answer::Page => {
                assert_eq!(statuses, [200, 200], "{}", form.action);
                assert_eq!(bodies[0], bodies[1], "{}: the same page", form.action);
                bodies[0].clone()
            }
            Answer::ShownOnce => {
                statuses.sort();
                assert_eq!(statuses, [201, 409], "{}: {bodies:?}", form.action);
                bodies
                    .iter()
                    .find(|b| b.contains("already") || b.contains("すでに"))
                    .expect("told");
                String::new()
            }
        };
        let written: Vec<String> = audit_since(self.server, before)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(written, form.codes, "{}: one record", form.action);
        result
    }
}

impl Twice<'_> {
    /// An upload form (multipart, its token in the action's query) read from `page` and
    /// posted twice at once: one attachment, the same redirect.
    pub(super) async fn upload(
        &mut self,
        web: &Web<'_>,
        route: &'static str,
        page: &str,
        path: &str,
    ) -> String {
        let expected = if route == "/files/{id}/revisions" {
            "file.revise"
        } else {
            "file.attach"
        };
        let form = Upload {
            route,
            fields: &[("purpose", "evidence")],
            codes: &[expected],
        };
        self.upload_form(web, form, page, path).await
    }

    /// [`Twice::upload`] of any upload form: its `fields` beside the file, and the audit
    /// entries one submission writes (`codes`).
    pub(super) async fn upload_form(
        &mut self,
        web: &Web<'_>,
        form: Upload<'_>,
        page: &str,
        path: &str,
    ) -> String {
        let route = form.route;
        self.covered.push(route);
        let html = web.page(page, 200).await;
        let start = html
            .find(&format!("action=\"{path}?once="))
            .unwrap_or_else(|| panic!("no upload form to {path} on {page}"))
            + "action=\"".len();
        let action = html[start..].split('"').next().unwrap().to_owned();
        let document = mamori_testkit::fixtures_files::pdf("Twice");
        let (content_type, body) = multipart(form.fields, Some(("file", "証跡.pdf", &document)));
        let send = || {
            web.client
                .post(web.server.url(&action))
                .header("origin", &web.server.base)
                .header("content-type", content_type.clone())
                .body(body.clone())
                .send()
        };
        let before = last_audit_id(self.server).await;
        let (first, second) = tokio::join!(send(), send());
        let (first, second) = (first.unwrap(), second.unwrap());
        let replayed = [&first, &second]
            .iter()
            .filter(|r| r.headers().get("idempotent-replayed").is_some())
            .count();
        assert_eq!(replayed, 1, "{route}: one ran, one was given its answer");
        assert_eq!(
            [first.status().as_u16(), second.status().as_u16()],
            [303, 303]
        );
        assert_eq!(first.headers()["location"], second.headers()["location"]);
        let written: Vec<String> = audit_since(self.server, before)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(written, form.codes, "{route}: one record");
        first.headers()["location"].to_str().unwrap().to_owned()
    }
}

/// An upload form: its route, the text fields sent beside the file, and the audit
/// entries one submission writes.
pub(super) struct Upload<'a> {
    pub route: &'static str,
    pub fields: &'a [(&'a str, &'a str)],
    pub codes: &'a [&'a str],
}

/// The id after `prefix` in a redirect such as `/risks/12?saved=1`.
pub(super) fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split(['?', '#', '/']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id after {prefix} in {location}"))
}

/// The id in the first form action of `html` that starts with `prefix` (`…/events/`).
pub(super) fn first_id_in_action(html: &str, prefix: &str) -> i64 {
    let start = html
        .find(&format!("action=\"{prefix}"))
        .unwrap_or_else(|| panic!("no {prefix}"))
        + 8
        + prefix.len();
    html[start..]
        .split(['/', '"'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

backend_test!(
    /// Every create and decide form, twice at once: one record each, the same answer.
    async fn every_create_form_submitted_twice_at_once_writes_one_record(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let (member_id, member) = server.web_as("giin.sato", Role::User).await;
        let (_, gicho) = fixtures_policies::ciso(&server, "gicho").await;
        let mut twice = Twice { server: &server, covered: Vec::new() };

        assets(&mut twice, &officer, &member, member_id).await;
        risks(&mut twice, &officer, &gicho).await;
        people(&mut twice, &admin, &member).await;
        policies(&mut twice, &officer, &gicho, &member).await;
        blocks::approvals(&mut twice, &officer, &gicho).await;
        blocks::cycle(&mut twice, &officer, member_id).await;
        blocks::files(&mut twice, &officer).await;
        blocks::exceptions(&mut twice, &officer, &gicho).await;
        blocks::retention(&mut twice, &officer).await;
        blocks::organisation(&mut twice, &officer, member_id).await;
        blocks::awareness(&mut twice, &officer).await;
        blocks::training(&mut twice, &officer, &member, member_id).await;
        blocks::pledges(&mut twice, &officer, &gicho).await;
        blocks::response_plan(&mut twice, &officer).await;
        blocks::term_changes(&mut twice, &officer).await;
        blocks::incidents(&mut twice, &officer).await;
        crate::incident_reports::once_forms(&mut twice, &officer).await;
        blocks::continuity(&mut twice, &officer).await;

        let covered: BTreeSet<&str> = twice.covered.iter().copied().collect();
        let guarded: BTreeSet<&str> = GUARDED.iter().copied().collect();
        assert_eq!(covered, guarded, "every guarded form is submitted twice here");
        server.stop().await;
    }
);
