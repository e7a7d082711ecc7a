//! The dependency rule of the workspace, read from the `Cargo.toml` files:
//! `web → app → {domain, store, sheet}`, `cli → app`, and the binary over both. A crate
//! that reaches past its layer (the web crate writing through the store, the command line
//! calling page code) fails here.

use std::collections::BTreeMap;
use std::path::Path;

/// Which workspace crates each crate may name under `[dependencies]`. Test-only crates
/// (`testkit`, `bench`) are tools and not part of the rule.
const ALLOWED: &[(&str, &[&str])] = &[
    ("mamori-domain", &[]),
    ("mamori-sheet", &[]),
    ("mamori-store", &["mamori-domain"]),
    (
        "mamori-app",
        &["mamori-domain", "mamori-store", "mamori-sheet"],
    ),
    ("mamori-web", &["mamori-app", "mamori-domain"]),
    ("mamori-cli", &["mamori-app", "mamori-domain"]),
    ("mamori", &["mamori-cli", "mamori-web", "mamori-app"]),
];

/// Each workspace crate's name and the workspace crates under its `[dependencies]`.
fn workspace_dependencies() -> BTreeMap<String, Vec<String>> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&crates).expect("crates folder") {
        let manifest = entry.expect("entry").path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let value: toml::Table = text.parse().expect("Cargo.toml is TOML");
        let name = value["package"]["name"].as_str().expect("name").to_owned();
        let deps = value
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|d| {
                d.keys()
                    .filter(|k| k.starts_with("mamori"))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        found.insert(name, deps);
    }
    found
}

#[test]
fn every_crate_depends_only_on_the_layers_below_it() {
    let found = workspace_dependencies();
    for (name, allowed) in ALLOWED {
        let Some(deps) = found.get(*name) else {
            panic!("{name} is not in crates/");
        };
        for dep in deps {
            assert!(
                allowed.contains(&dep.as_str()),
                "{name} depends on {dep}; the rule allows only {allowed:?}"
            );
        }
    }
    for name in found.keys() {
        let known = ALLOWED.iter().any(|(n, _)| n == name)
            || ["mamori-testkit", "mamori-bench"].contains(&name.as_str());
        assert!(known, "{name} is not placed in the dependency rule");
    }
}
