//! A check of the web crate's layers, read from its own source: the API never imports a
//! page, http/ imports neither pages nor the API, and a page area never reaches into
//! another area's pages. Moving a shared helper to http/ is the way out of a failure.

use std::fs;
use std::path::{Path, PathBuf};

// Spelled in two halves so that this file does not match its own rules.
const PAGES: &str = concat!("crate::", "pages");
const API: &str = concat!("crate::", "api");

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("source entry").path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The files under `src/<folder>` that mention one of `forbidden`.
fn offenders(folder: &str, forbidden: &[&str]) -> Vec<String> {
    sources(&src().join(folder))
        .into_iter()
        .filter_map(|path| {
            let text = fs::read_to_string(&path).expect("source file");
            let hit = forbidden.iter().find(|f| text.contains(*f))?;
            Some(format!("{} mentions {hit}", path.display()))
        })
        .collect()
}

#[test]
fn the_api_does_not_import_pages() {
    let found = offenders("api", &[PAGES]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn http_imports_neither_pages_nor_the_api() {
    let found = offenders("http", &[PAGES, API]);
    assert!(found.is_empty(), "{found:#?}");
}

/// An area is a folder or file directly under src/pages (`assets`, `login.rs`).
#[test]
fn a_page_area_does_not_import_another_areas_pages() {
    let pages = src().join("pages");
    let areas: Vec<String> = fs::read_dir(&pages)
        .expect("pages folder")
        .map(|e| e.expect("pages entry").path())
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .filter(|name| name != "mod")
        .collect();
    let mut found = Vec::new();
    for area in &areas {
        let folder = pages.join(area);
        let files = if folder.is_dir() {
            sources(&folder)
        } else {
            vec![pages.join(format!("{area}.rs"))]
        };
        for path in files {
            let text = fs::read_to_string(&path).expect("source file");
            for other in areas.iter().filter(|o| *o != area) {
                let named = format!("{PAGES}::{other}");
                // An area named `risk` must not match inside `risks`.
                let hits = text.match_indices(&named).any(|(i, _)| {
                    let next = text[i + named.len()..].chars().next();
                    !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if hits {
                    found.push(format!("{} names {named}", path.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
