//! The release archive (`scripts/release` and `dist/`): packaged from this build's binary,
//! checked against its checksums, installed by its own `install.sh` into a clean directory
//! tree (and again, to see what a second install keeps), and the installed unit's command
//! line started with its paths moved into that tree. It tests the packaging, not the
//! storage, so it runs on SQLite only.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;

use super::*;

/// The checkout holding `scripts/release` and `dist/`.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository")
}

/// Runs a program other than mamori (a script, tar, sha256sum) to completion.
fn tool(mut command: Command) -> Outcome {
    let mut what = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        what.push(' ');
        what.push_str(&arg.to_string_lossy());
    }
    // The scripts must not depend on the caller's directory.
    command.current_dir(std::env::temp_dir());
    let mut outcome = run(command, None);
    outcome.what = what;
    outcome
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `path` on the server, inside `root`.
fn under(root: &Path, path: &str) -> PathBuf {
    root.join(path.strip_prefix('/').expect("an absolute path"))
}

/// The `Key=value` lines of a systemd unit, in order (comments left out).
fn directives(unit: &str) -> Vec<(&str, &str)> {
    unit.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#') && !line.starts_with(';'))
        .filter_map(|line| line.split_once('='))
        .collect()
}

#[track_caller]
fn directive<'a>(unit: &[(&'a str, &'a str)], key: &str) -> &'a str {
    let values: Vec<_> = unit.iter().filter(|(k, _)| *k == key).collect();
    assert_eq!(values.len(), 1, "{key}= should appear once: {values:?}");
    values[0].1
}

#[test]
fn release_archive_installs_into_a_clean_tree_and_its_unit_starts() {
    let version = env!("CARGO_PKG_VERSION");
    let name = format!("mamori-{version}-linux-x86_64");
    let script = repo().join("scripts/release");
    let binary = Path::new(env!("CARGO_BIN_EXE_mamori"));
    let out = tempfile::tempdir().expect("temp dir");

    // A test build is dynamically linked: the script refuses it unless told it is for a
    // test, since such an archive may not start on a server.
    let mut refused = Command::new(&script);
    refused
        .arg("--binary")
        .arg(binary)
        .arg("--out")
        .arg(out.path());
    let refused = tool(refused);
    if !refused.status.success() {
        refused.failure(1).stderr_has("dynamically linked");
    }

    let mut release = Command::new(&script);
    release
        .arg("--binary")
        .arg(binary)
        .arg("--out")
        .arg(out.path())
        .args(["--allow-dynamic", "--fast"]);
    tool(release).success();
    let archive = format!("{name}.tar.gz");
    let checksum = format!("{archive}.sha256");
    assert_eq!(file_names(out.path()), [archive.clone(), checksum.clone()]);
    let mut check = Command::new("sha256sum");
    check.arg("-c").arg(&checksum).current_dir(out.path());
    run(check, None)
        .success()
        .stdout_has(&format!("{archive}: OK"));

    // One top directory, names sorted, owned by 0:0 (the long listing of the unpacking).
    let unpacked = tempfile::tempdir().expect("temp dir");
    let mut untar = Command::new("tar");
    untar
        .arg("-xvvzf")
        .arg(out.path().join(&archive))
        .arg("-C")
        .arg(unpacked.path());
    let listing = tool(untar).success().stdout;
    let entries: Vec<&str> = listing.lines().collect();
    for entry in &entries {
        assert!(entry.contains(" 0/0 "), "not owned by 0:0: {entry}");
    }
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e.split_whitespace().last().expect("a name"))
        .collect();
    let expected: Vec<String> = [
        "",
        "INSTALL.en.md",
        "INSTALL.ja.md",
        "SHA256SUMS",
        "bin/",
        "bin/mamori",
        "install.sh",
        "mamori.service",
        "mamori.toml",
    ]
    .iter()
    .map(|file| format!("{name}/{file}"))
    .collect();
    assert_eq!(names, expected, "{listing}");
    let top = unpacked.path().join(&name);
    let mut sums = Command::new("sha256sum");
    sums.args(["-c", "SHA256SUMS"]).current_dir(&top);
    let sums = run(sums, None).success();
    assert_eq!(sums.stdout.lines().count(), 6, "{sums}");
    assert_eq!(mode(&top.join("bin/mamori")), 0o755);
    assert_eq!(mode(&top.join("install.sh")), 0o755);

    // Install into a clean tree.
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    let install = || {
        let mut command = Command::new(top.join("install.sh"));
        command.arg("--root").arg(root);
        tool(command).success()
    };
    install().stdout_has("systemctl enable --now mamori");
    let installed_binary = under(root, "/usr/local/bin/mamori");
    let unit_path = under(root, "/etc/systemd/system/mamori.service");
    let settings = under(root, "/etc/mamori/mamori.toml");
    let dist = repo().join("dist");
    assert_eq!(read(&installed_binary), read(&top.join("bin/mamori")));
    assert_eq!(mode(&installed_binary), 0o755);
    assert_eq!(read(&unit_path), read(&dist.join("mamori.service")));
    assert_eq!(read(&settings), read(&dist.join("mamori.toml")));
    assert_eq!(mode(&settings), 0o640, "the settings may hold a password");
    assert_eq!(mode(&under(root, "/etc/mamori")), 0o750);
    assert_eq!(mode(&under(root, "/var/lib/mamori")), 0o750);
    for guide in ["INSTALL.ja.md", "INSTALL.en.md"] {
        let installed = under(root, "/usr/local/share/doc/mamori").join(guide);
        assert_eq!(read(&installed), read(&dist.join(guide)));
    }
    assert!(!under(root, "/usr/local/bin/mamori.previous").exists());

    // Installing again never overwrites the administrator's settings, and keeps the
    // program it replaces for a rollback.
    let edited = format!(
        "{}\npublic_url = \"http://mamori.gikai.example.lg.jp\"\n",
        read_text(&settings)
    );
    std::fs::write(&settings, &edited).expect("edit the settings");
    std::fs::write(&installed_binary, b"the previous release").expect("an older binary");
    install().stdout_has("kept");
    assert_eq!(read_text(&settings), edited);
    assert_eq!(read(&installed_binary), read(&top.join("bin/mamori")));
    assert_eq!(
        read(&under(root, "/usr/local/bin/mamori.previous")),
        b"the previous release"
    );
    assert_eq!(
        read(&under(root, "/etc/mamori/mamori.toml.example")),
        read(&dist.join("mamori.toml"))
    );
    std::fs::write(&settings, read(&dist.join("mamori.toml"))).expect("reset the settings");

    // The unit runs mamori as its own user, hardened.
    let unit_text = read_text(&unit_path);
    let unit = directives(&unit_text);
    assert_eq!(directive(&unit, "User"), "mamori");
    assert_eq!(directive(&unit, "Group"), "mamori");
    assert_eq!(directive(&unit, "NoNewPrivileges"), "yes");
    assert_eq!(directive(&unit, "ProtectSystem"), "strict");
    assert_eq!(directive(&unit, "ProtectHome"), "yes");
    assert_eq!(directive(&unit, "StateDirectory"), "mamori");
    assert_eq!(
        directive(&unit, "CapabilityBoundingSet"),
        "CAP_NET_BIND_SERVICE"
    );
    assert_eq!(
        directive(&unit, "ExecReload"),
        "/bin/kill -HUP $MAINPID",
        "reload re-reads the TLS certificate"
    );

    // The installed settings template is valid as it stands.
    let checked = tempfile::tempdir().expect("temp dir");
    let mut upgrade_check = Command::new(&installed_binary);
    upgrade_check
        .env_clear()
        .env("MAMORI_LANG", "en")
        .arg("--config")
        .arg(&settings)
        .arg("--data-dir")
        .arg(checked.path())
        .args(["upgrade", "--check"]);
    tool(upgrade_check).success();

    // Start the unit's own command line, its absolute paths moved into the tree, with the
    // unit's environment and nothing else (as systemd does). MAMORI_LISTEN must beat the
    // template's listen; English only so that the harness reads the listening line.
    let exec_start: Vec<&str> = directive(&unit, "ExecStart").split_whitespace().collect();
    assert_eq!(
        exec_start,
        [
            "/usr/local/bin/mamori",
            "--config",
            "/etc/mamori/mamori.toml",
            "--data-dir",
            "/var/lib/mamori",
            "serve"
        ]
    );
    let mapped: Vec<OsString> = exec_start
        .iter()
        .map(|arg| match arg.starts_with('/') {
            true => under(root, arg).into_os_string(),
            false => OsString::from(arg),
        })
        .collect();
    let mut serve = Command::new(&mapped[0]);
    serve.args(&mapped[1..]).env_clear().current_dir(root);
    for (_, assignment) in unit.iter().filter(|(k, _)| *k == "Environment") {
        let (key, value) = assignment.split_once('=').expect("KEY=value");
        serve.env(key, value);
    }
    serve
        .env("MAMORI_LISTEN", "127.0.0.1:0")
        .env("MAMORI_LANG", "en");
    let mut server = Server::spawn(serve, 0);
    let address = server
        .listening
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|address| address.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| panic!("no address in {:?}", server.listening));
    assert!(
        address.starts_with("127.0.0.1:") && !address.ends_with(":0"),
        "MAMORI_LISTEN did not beat the template's listen: {address}"
    );
    server.base = format!("http://{address}");
    let setup_url = server
        .setup_url
        .clone()
        .expect("a fresh install prints a setup URL");
    assert!(
        setup_url.starts_with(&server.url("/setup?token=")),
        "{setup_url}"
    );
    server.wait_healthy(Backend::Sqlite);
    assert_eq!(get(&server.url("/login")).status(), 200);
    assert_eq!(get(&setup_url).status(), 200);
    let data = under(root, "/var/lib/mamori");
    assert!(
        data.join("mamori.sqlite3").is_file(),
        "no database in {data:?}"
    );
    assert!(data.join("logs/mamori.log").is_file(), "no log in {data:?}");
    server.stop_cleanly("TERM");
}

/// The template `dist/mamori.toml` names every key of `mamori.toml` (the fields of
/// `FileConfig` in crates/cli/src/config.rs), and turning on every line it leaves commented
/// still gives a file mamori accepts: no misspelt key, no value of the wrong type.
#[test]
fn settings_template_names_every_key_and_every_example_parses() {
    let source = read_text(&repo().join("crates/cli/src/config.rs"));
    let (_, fields) = source
        .split_once("pub struct FileConfig {")
        .expect("FileConfig in config.rs");
    let (fields, _) = fields.split_once("\n}").expect("the end of FileConfig");
    let mut keys: Vec<&str> = fields
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub "))
        .filter_map(|line| line.split_once(':'))
        .map(|(name, _)| name)
        .collect();
    keys.sort_unstable();
    assert!(keys.len() >= 20, "{keys:?}");

    let template = read_text(&repo().join("dist/mamori.toml"));
    let setting = |line: &str| {
        let (key, _) = line.split_once(" = ")?;
        key.bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_')
            .then(|| key.to_owned())
    };
    let mut everything = String::new();
    let mut named = Vec::new();
    for line in template.lines() {
        let line = line.strip_prefix('#').unwrap_or(line);
        if let Some(key) = setting(line) {
            named.push(key);
            everything.push_str(line);
            everything.push('\n');
        }
    }
    named.sort_unstable();
    assert_eq!(named, keys, "each key once in dist/mamori.toml");

    let dir = tempfile::tempdir().expect("temp dir");
    let all_on = dir.path().join("all-on.toml");
    std::fs::write(&all_on, &everything).expect("write the file");
    // The example database_url points at a server that does not exist: the flag beats it.
    let database = dir.path().join("mamori.sqlite3");
    let data = dir.path().join("data");
    let mut check = mamori(dir.path());
    check
        .arg("--config")
        .arg(&all_on)
        .arg("--data-dir")
        .arg(&data)
        .arg("--database-url")
        .arg(mamori_store::sqlite_url(&database))
        .args(["upgrade", "--check"]);
    run(check, None).success();
}
