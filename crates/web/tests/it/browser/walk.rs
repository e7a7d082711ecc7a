//! Every page each kind of person reaches, in Chromium, on a tablet held upright (820 px)
//! and on a wide screen (issue 14, items 2 and 4): no page scrolls sideways as a whole,
//! every control is a 44 px touch target, axe-core finds no WCAG 2.1 A/AA violation, and
//! the registers' tables use a wide screen's width.

use std::time::Instant;

use mamori_testkit::fixtures_in_use::{PEOPLE, assembly_in_use, long_asset_name};
use mamori_testkit::fixtures_words::reachable_pages;
use mamori_testkit::{PASSWORD, TestServer, backend_test};
use serde_json::Value;

use super::driver::Driver;
use super::walk_by_address::walk_by_address;

/// Set by `scripts/test` to axe-core's `axe.min.js`, which it installs outside the
/// repository (axe-core is not ours to copy in).
const AXE_ENV: &str = "MAMORI_AXE_JS";

/// A tablet held upright (iPad Air, most Android tablets of assemblies).
const TABLET: (u32, u32) = (820, 1180);
/// A wide office screen.
const WIDE: (u32, u32) = (1600, 1000);
/// More pages than any person reaches in the fixture, so that the walk sees them all.
const PAGE_LIMIT: usize = 1000;

/// The kind of page `path` is: ids, clause references and query values left out, so
/// that a person's walk sees each kind of page once (the 36 clauses of the policy are one
/// layout) — and, apart, any page that shows the longest name.
fn page_kind(path: &str, html: &str, long_name: &str) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let path = match path.find("/clauses/") {
        Some(at) => &path[..at + "/clauses/".len()],
        None => path,
    };
    let mut kind: String = path
        .split('/')
        .map(|part| {
            if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
                "N"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .collect();
    keys.sort_unstable();
    kind.push('?');
    kind.push_str(&keys.join("&"));
    if html.contains(long_name) {
        kind.push_str(" +long name");
    }
    kind
}

#[test]
fn pages_of_one_kind_are_one() {
    let kind = |p| page_kind(p, "", "x");
    assert_eq!(kind("/assets/7"), kind("/assets/1"));
    assert_ne!(kind("/assets/7"), kind("/assets/7/edit"));
    assert_eq!(
        kind("/policies/1/clauses/2%283%29"),
        kind("/policies/2/clauses/4")
    );
    assert_eq!(
        kind("/risks?likelihood=2&impact=0&which=residual"),
        kind("/risks?which=inherent&likelihood=1&impact=1")
    );
    assert_ne!(kind("/risks?likelihood=2&"), kind("/risks"));
    assert_ne!(page_kind("/assets/1", "<td>x</td>", "x"), kind("/assets/1"));
}

/// The router's pages: GET routes that answer HTML (not the API, files, styles or scripts).
fn page_routes() -> Vec<&'static str> {
    mamori_web::routes()
        .into_iter()
        .filter(|(method, _, _)| method == axum::http::Method::GET)
        .map(|(_, path, _)| path)
        .filter(|path| {
            !path.starts_with("/api/")
                && !path.starts_with("/static/")
                && *path != "/healthz"
                && *path != "/metrics"
                && !path.contains("/download")
                && ![".csv", ".xlsx", ".css", ".js"]
                    .iter()
                    .any(|end| path.ends_with(end))
        })
        .collect()
}

/// The route `path` was served by: `{…}` stands for any one segment, and a literal
/// segment wins over it (`/assets/new` is not `/assets/{id}`), as in the router.
fn route_of(routes: &[&'static str], path: &str) -> Option<&'static str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    routes
        .iter()
        .copied()
        .filter(|route| {
            let pattern: Vec<&str> = route.split('/').collect();
            pattern.len() == parts.len()
                && pattern
                    .iter()
                    .zip(&parts)
                    .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
        })
        .max_by_key(|route| route.split('/').filter(|p| !p.starts_with('{')).count())
}

#[test]
fn a_path_is_matched_to_its_route() {
    let routes = [
        "/assets",
        "/assets/{id}",
        "/assets/new",
        "/policies/{id}/clauses/{reference}",
    ];
    assert_eq!(route_of(&routes, "/assets/new"), Some("/assets/new"));
    assert_eq!(route_of(&routes, "/assets/12?tab=1"), Some("/assets/{id}"));
    assert_eq!(
        route_of(&routes, "/policies/1/clauses/2%283%29"),
        Some("/policies/{id}/clauses/{reference}")
    );
    assert_eq!(route_of(&routes, "/assets/12/edit"), None);
}

/// axe-core's source, or a failure saying how to get it: never a silent skip.
fn axe_source() -> String {
    let path = std::env::var(AXE_ENV).unwrap_or_else(|_| {
        panic!(
            "{AXE_ENV} is not set: run ./scripts/test, which installs axe-core with npm and \
             sets it, or `npm install --prefix ~/.cache/mamori/axe axe-core@4` and set \
             {AXE_ENV}=~/.cache/mamori/axe/node_modules/axe-core/axe.min.js"
        )
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{AXE_ENV}={path} cannot be read: {e}"))
}

/// Measures the page as a person on a tablet meets it: its width against the window's
/// (naming what sticks out when it is wider), and every visible control lower than 44 px
/// (a check box or radio button by the label around it, which is what a finger touches).
const LAYOUT_CHECK: &str = r#"
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
  + (e.name ? '[name=' + e.name + ']' : '')
  + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
const root = document.documentElement;
const out = { scroll: root.scrollWidth, inner: window.innerWidth, wide: [], small: [] };
const scrolls = e => { const x = getComputedStyle(e).overflowX; return x === 'auto' || x === 'scroll' || x === 'hidden'; };
if (out.scroll > out.inner) {
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.right <= out.inner + 0.5 || r.width === 0) continue;
    let p = e.parentElement, contained = false;
    while (p && p !== document.body) { if (scrolls(p)) { contained = true; break; } p = p.parentElement; }
    if (!contained && out.wide.length < 6) out.wide.push(name(e) + ' right=' + Math.round(r.right) + ' «' + (e.textContent || '').trim().slice(0, 30) + '»');
  }
}
for (const e of document.querySelectorAll('input, select, textarea, button')) {
  if (e.type === 'hidden') continue;
  const style = getComputedStyle(e);
  let target = e;
  if (e.type === 'checkbox' || e.type === 'radio') target = e.closest('label') || e.parentElement;
  const r = target.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
  if (r.height < 43.5) out.small.push(name(e) + ' ' + r.height.toFixed(1) + 'px');
}
return out;
"#;

/// Runs axe-core for WCAG 2.1 A and AA; each violation with its first nodes.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
}).then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
  + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')).join(' | '))))
  .catch(e => done(['axe failed: ' + e]));
"#;

/// Whether the page as rendered fits and is touchable; what is wrong otherwise.
async fn layout_problems(browser: &Driver) -> Vec<String> {
    let measured = browser.execute(LAYOUT_CHECK).await;
    let mut problems = Vec::new();
    let (scroll, inner) = (measured["scroll"].as_f64(), measured["inner"].as_f64());
    if scroll > inner {
        problems.push(format!(
            "scrolls sideways: scrollWidth {scroll:?} > innerWidth {inner:?}; wide: {}",
            measured["wide"]
        ));
    }
    let small = measured["small"].as_array().cloned().unwrap_or_default();
    if !small.is_empty() {
        problems.push(format!("below 44 px: {}", Value::Array(small)));
    }
    problems
}

async fn axe_violations(browser: &Driver, axe: &str) -> Vec<String> {
    browser.execute(axe).await;
    browser
        .execute_async(AXE_RUN)
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

backend_test!(
    async fn every_page_fits_a_tablet_and_passes_axe_for_every_kind_of_person(backend) {
        let axe = axe_source();
        let server = TestServer::start(backend).await;
        assembly_in_use(&server).await;
        let long_name = long_asset_name();
        let browser = Driver::start().await;
        // The checks themselves see what they look for: a control without a name, too
        // low and too wide, put on the sign-in page.
        browser.goto(&server.url("/login")).await;
        browser
            .execute(
                "const i = document.createElement('input'); i.type = 'text'; \
                 i.style.cssText = 'height: 20px; min-height: 0; width: 2000px; max-width: none'; \
                 document.querySelector('main').append(i);",
            )
            .await;
        let seen = layout_problems(&browser).await;
        assert!(seen.iter().any(|p| p.starts_with("scrolls sideways")), "{seen:?}");
        assert!(seen.iter().any(|p| p.starts_with("below 44 px")), "{seen:?}");
        let seen = axe_violations(&browser, &axe).await;
        assert!(seen.iter().any(|v| v.starts_with("label ")), "axe sees no label: {seen:?}");
        let started = Instant::now();
        let routes = page_routes();
        let mut walked = std::collections::BTreeSet::new();
        let mut failures = Vec::new();
        let mut visited = 0;
        browser.set_window_size(TABLET.0, TABLET.1).await;
        for path in ["/login", "/public/policy"] {
            browser.goto(&server.url(path)).await;
            let mut problems = layout_problems(&browser).await;
            problems.extend(axe_violations(&browser, &axe).await);
            failures.extend(problems.into_iter().map(|p| format!("(signed out) {path}: {p}")));
            walked.extend(route_of(&routes, path));
            visited += 1;
        }
        // Each kind of page once per role (a member holding the CISO post sees pages of
        // her own, which a plain member does not).
        let mut kinds = std::collections::BTreeSet::new();
        let (mut in_layout, mut in_axe) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
        for (login, role) in PEOPLE {
            let client = server.sign_in(login).await;
            let pages = reachable_pages(&server, &client, PAGE_LIMIT).await;
            assert!(pages.len() < PAGE_LIMIT, "{login} reaches more than {PAGE_LIMIT} pages");
            assert!(pages.len() >= 5, "{login} reaches only {} pages", pages.len());
            browser.sign_in(&server.base, login, PASSWORD).await;
            for (path, html) in &pages {
                walked.extend(route_of(&routes, path));
                if !kinds.insert((role.as_str(), page_kind(path, html, &long_name))) {
                    continue;
                }
                browser.goto(&server.url(path)).await;
                let t0 = Instant::now();
                let mut problems = layout_problems(&browser).await;
                let t1 = Instant::now();
                problems.extend(axe_violations(&browser, &axe).await);
                in_layout += t1 - t0;
                in_axe += t1.elapsed();
                failures.extend(problems.into_iter().map(|p| format!("{login} {path}: {p}")));
                visited += 1;
            }
            // From a page with the header (the last one may be a print sheet).
            browser.goto(&server.url("/")).await;
            browser.sign_out().await;
        }
        let check = || {
            let (browser, axe) = (&browser, &axe);
            async move {
                let mut problems = layout_problems(browser).await;
                problems.extend(axe_violations(browser, axe).await);
                problems
            }
        };
        let (by_address, problems) = walk_by_address(&server, &browser, check).await;
        for path in &by_address {
            walked.extend(route_of(&routes, path));
        }
        visited += by_address.len();
        failures.extend(problems);
        eprintln!(
            "walk on {backend:?}: {visited} pages in {:.1} s (layout {:.1} s, axe {:.1} s)",
            started.elapsed().as_secs_f64(),
            in_layout.as_secs_f64(),
            in_axe.as_secs_f64()
        );
        assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
        let unwalked: Vec<&&str> = routes.iter().filter(|r| !walked.contains(*r)).collect();
        assert!(unwalked.is_empty(), "pages of the route table no walk reached: {unwalked:?}");

        // On a wide screen the registers' tables take the width (not a column of 60rem).
        browser.set_window_size(WIDE.0, WIDE.1).await;
        browser.sign_in(&server.base, "officer", PASSWORD).await;
        for list in ["/assets", "/risks", "/audit"] {
            browser.goto(&server.url(list)).await;
            let width = browser
                .execute("const t = document.querySelector('table.list'); return t ? t.getBoundingClientRect().width : 0;")
                .await
                .as_f64()
                .unwrap_or(0.0);
            assert!(width >= 1200.0, "{list}: the table is {width} px wide on a {} px screen", WIDE.0);
        }

        // English words are longer and break only between words: the officer's pages,
        // who reaches the most, fit a tablet in English too.
        browser.click("form.language-switch button").await;
        browser.wait_for_source("lang=\"en\"").await;
        browser.set_window_size(TABLET.0, TABLET.1).await;
        let client = server.sign_in("officer").await;
        let mut english = std::collections::BTreeSet::new();
        for (path, html) in reachable_pages(&server, &client, PAGE_LIMIT).await {
            if english.insert(page_kind(&path, &html, &long_name)) {
                browser.goto(&server.url(&path)).await;
                let problems = layout_problems(&browser).await;
                failures.extend(problems.into_iter().map(|p| format!("officer (English) {path}: {p}")));
            }
        }
        assert!(english.len() > 30, "the English walk saw {} pages", english.len());
        assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
        drop(browser);
        server.stop().await;
    }
);
