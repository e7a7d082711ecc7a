//! `audit anchor` and `audit verify --anchor / --incremental` by the real binary, on
//! both backends: the anchor read back as printed, entries written after it, the newest
//! entries cut off, an altered head, and an anchor that cannot be read.

use super::*;

/// The `<number>:<hash>` form printed on the anchor's last line.
fn typed_anchor(outcome: &Outcome) -> String {
    outcome
        .stdout
        .lines()
        .find_map(|line| {
            line.split_once("--anchor ")
                .map(|(_, a)| a.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no anchor line:\n{outcome}"))
}

#[test]
fn the_anchor_round_trips_and_shows_cut_off_and_altered_heads() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.one", "user").success();
        site.add_user("saku.two", "user").success();
        let printed = site.run(&["audit", "anchor"]).success();
        let anchor = typed_anchor(&printed);
        let (number, hash) = anchor.split_once(':').expect("number:hash");
        assert_eq!(hash.len(), 64, "{anchor}");
        let printed = printed.stdout_has(&format!("Newest entry number: {number}"));
        // The hash on paper is grouped by eight and typed back as grouped.
        let grouped = printed
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("Hash: "))
            .expect("hash line")
            .to_owned();
        assert_eq!(grouped.replace(' ', ""), hash);
        site.run(&[
            "audit",
            "verify",
            "--anchor",
            &format!("{number}:{grouped}"),
        ])
        .success()
        .stdout_has(&format!("up to number {number}"));

        // Entries written after the anchor leave it holding; the incremental check reads
        // only those after the last check.
        site.add_user("saku.three", "user").success();
        site.run(&["audit", "verify", "--anchor", &anchor])
            .success()
            .stdout_has("unaltered");
        site.run(&["audit", "verify"])
            .success()
            .stdout_has("intact");
        site.add_user("saku.four", "user").success();
        site.run(&["audit", "verify", "--incremental"])
            .success()
            .stdout_has("since the last check");

        // The newest entries cut off, the anchored one with them: exit 1, named.
        site.tamper_with_audit_log(&format!("DELETE FROM audit_log WHERE id >= {number}"));
        site.run(&["audit", "verify", "--anchor", &anchor])
            .failure(1)
            .stderr_has(&format!("There is no audit entry number {number}"));
        // The head as it now stands, altered: the hash no longer matches.
        let newest = typed_anchor(&site.run(&["audit", "anchor"]).success());
        let (newest_number, _) = newest.split_once(':').expect("number:hash");
        site.run(&[
            "audit",
            "verify",
            "--anchor",
            &format!("{newest_number}:{}", "0".repeat(64)),
        ])
        .failure(1)
        .stderr_has("does not match the copy");
        site.run(&["audit", "verify", "--anchor", "12"])
            .failure(2)
            .stderr_has("entry number:hash");
    }
}
