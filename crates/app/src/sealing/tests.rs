//! The sealing of backups, on real files in a temporary directory.
use super::*;

/// A directory of the test's own, removed afterwards.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("mamori-sealing-{}", crate::random_token()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `size` bytes that do not compress. Unoptimised, age's ChaCha20-Poly1305 takes
/// about a second for a few MB, so only the main round trip uses that much.
fn write_plain(path: &Path, size: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..size)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect();
    std::fs::write(path, &bytes).unwrap();
    bytes
}

/// Several 64 KiB chunks and a short last one.
const SMALL: usize = 200 * 1024 + 123;

/// An identity file as `age-keygen` writes it; returns its recipient.
fn write_identity(path: &Path) -> String {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let text = format!(
        "# created: 2026-04-01T09:00:00+09:00\n# public key: {recipient}\n{}\n",
        identity.to_string().expose_secret()
    );
    std::fs::write(path, text).unwrap();
    recipient
}

fn recipients(text: &str) -> SealKey {
    SealKey::from_settings(Some(text), None).unwrap().unwrap()
}

fn passphrase_key(dir: &TempDir, name: &str, passphrase: &str) -> (SealKey, OpenKey) {
    let file = dir.path(name);
    std::fs::write(&file, format!("{passphrase}\nnot part of it\n")).unwrap();
    (
        SealKey::from_settings(None, Some(&file)).unwrap().unwrap(),
        OpenKey::from_passphrase_file(&file).unwrap(),
    )
}

/// Nothing at `plain`, nor its `.partial`.
fn assert_nothing_left(plain: &Path) {
    assert!(!plain.exists(), "{} left behind", plain.display());
    let mut partial = plain.as_os_str().to_owned();
    partial.push(".partial");
    assert!(!Path::new(&partial).exists(), "partial file left behind");
}

#[test]
fn x25519_round_trip() {
    let dir = TempDir::new();
    let (plain, sealed, opened, key) = (
        dir.path("mamori.db"),
        dir.path("mamori.db.age"),
        dir.path("opened.db"),
        dir.path("key.txt"),
    );
    let bytes = write_plain(&plain, 3 * 1024 * 1024 + 123);
    let recipient = write_identity(&key);

    seal_file(&plain, &sealed, &recipients(&recipient)).unwrap();
    assert!(is_sealed(&sealed).unwrap());
    assert!(!is_sealed(&plain).unwrap());
    let sealed_bytes = std::fs::read(&sealed).unwrap();
    assert!(sealed_bytes.len() > bytes.len());
    assert!(!sealed_bytes.windows(64).any(|w| w == &bytes[1000..1064]));

    open_file(
        &sealed,
        &opened,
        &OpenKey::from_identity_file(&key).unwrap(),
    )
    .unwrap();
    assert!(std::fs::read(&opened).unwrap() == bytes);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&opened).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_nothing_left(&dir.path("mamori.db.age.partial"));
    assert_nothing_left(&dir.path("opened.db.partial"));
}

#[test]
fn either_of_two_recipients_opens() {
    let dir = TempDir::new();
    let (plain, sealed) = (dir.path("mamori.db"), dir.path("mamori.db.age"));
    let bytes = write_plain(&plain, SMALL);
    let first = write_identity(&dir.path("first.txt"));
    let second = write_identity(&dir.path("second.txt"));

    seal_file(
        &plain,
        &sealed,
        &recipients(&format!("{first},\n  {second}")),
    )
    .unwrap();
    for (key, opened) in [("first.txt", "one.db"), ("second.txt", "two.db")] {
        let key = OpenKey::from_identity_file(&dir.path(key)).unwrap();
        open_file(&sealed, &dir.path(opened), &key).unwrap();
        assert!(std::fs::read(dir.path(opened)).unwrap() == bytes);
    }
}

#[test]
fn recipients_file_with_comments() {
    let dir = TempDir::new();
    let first = write_identity(&dir.path("first.txt"));
    let second = write_identity(&dir.path("second.txt"));
    let list = dir.path("recipients.txt");
    std::fs::write(
        &list,
        format!("# 情報政策課\n{first}\n\n# 保管庫\r\n{second}\r\n"),
    )
    .unwrap();
    let key = SealKey::from_settings(Some(list.to_str().unwrap()), None).unwrap();
    assert!(matches!(key, Some(SealKey::Recipients(r)) if r.len() == 2));

    std::fs::write(&list, "# nobody yet\n").unwrap();
    let empty = SealKey::from_settings(Some(list.to_str().unwrap()), None).unwrap_err();
    assert!(
        matches!(empty, SealingProblem::NoRecipients { .. }),
        "{empty}"
    );
}

#[test]
fn settings_are_checked() {
    let dir = TempDir::new();
    assert!(SealKey::from_settings(None, None).unwrap().is_none());
    assert!(
        SealKey::from_settings(Some("  \n"), None)
            .unwrap()
            .is_none()
    );
    let pass = dir.path("pass.txt");
    std::fs::write(&pass, "secret words\n").unwrap();
    let both = SealKey::from_settings(Some("age1x"), Some(&pass)).unwrap_err();
    assert!(matches!(both, SealingProblem::BothKeys));

    let recipient = write_identity(&dir.path("key.txt"));
    let bad = SealKey::from_settings(Some(&format!("{recipient}, age1typo")), None).unwrap_err();
    assert_eq!(
        bad.to_string(),
        "\"age1typo\" in the recipients setting is not an age recipient (age1…)"
    );

    let secret = age::x25519::Identity::generate()
        .to_string()
        .expose_secret()
        .to_owned();
    let list = dir.path("recipients.txt");
    std::fs::write(&list, format!("{recipient}\n{secret}\n")).unwrap();
    let leaked = SealKey::from_settings(Some(list.to_str().unwrap()), None).unwrap_err();
    assert!(matches!(
        leaked,
        SealingProblem::SecretKeyAsRecipient { .. }
    ));
    assert!(leaked.to_string().contains("line 2 of"), "{leaked}");
    assert!(!leaked.to_string().contains(&secret[15..]));

    let missing = SealKey::from_settings(Some("/nonexistent/recipients"), None).unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with("cannot read the key file /nonexistent/recipients")
    );

    std::fs::write(&pass, "\nsecond line\n").unwrap();
    let empty = OpenKey::from_passphrase_file(&pass).unwrap_err();
    assert!(matches!(empty, SealingProblem::EmptyPassphrase { .. }));
}

#[test]
fn identity_file_is_checked() {
    let dir = TempDir::new();
    let key = dir.path("key.txt");
    std::fs::write(&key, "# comment\nAGE-SECRET-KEY-1TYPO\n").unwrap();
    let bad = OpenKey::from_identity_file(&key).unwrap_err();
    assert!(matches!(bad, SealingProblem::NotAnIdentity { line: 2, .. }));
    assert!(!bad.to_string().contains("TYPO"));

    std::fs::write(&key, "# only comments\n").unwrap();
    let none = OpenKey::from_identity_file(&key).unwrap_err();
    assert!(matches!(none, SealingProblem::NoIdentities { .. }));
}

/// With age's own work factor (about a second each way on this machine, debug or
/// not, since age measures it).
#[test]
fn passphrase_round_trip() {
    let dir = TempDir::new();
    let (plain, sealed, opened) = (
        dir.path("mamori.db"),
        dir.path("mamori.db.age"),
        dir.path("opened.db"),
    );
    let bytes = write_plain(&plain, SMALL);
    let (seal, open) = passphrase_key(&dir, "pass.txt", "正しい 馬 電池 ホチキス");

    seal_file(&plain, &sealed, &seal).unwrap();
    assert!(is_sealed(&sealed).unwrap());
    open_file(&sealed, &opened, &open).unwrap();
    assert!(std::fs::read(&opened).unwrap() == bytes);
}

#[test]
fn wrong_passphrase_is_refused() {
    let dir = TempDir::new();
    let (plain, sealed, opened) = (
        dir.path("mamori.db"),
        dir.path("mamori.db.age"),
        dir.path("opened.db"),
    );
    write_plain(&plain, SMALL);
    let (seal, _) = passphrase_key(&dir, "pass.txt", "right");
    let (_, wrong) = passphrase_key(&dir, "wrong.txt", "wrong");
    seal_with_work_factor(&plain, &sealed, &seal, Some(10)).unwrap();

    let refused = open_file(&sealed, &opened, &wrong).unwrap_err();
    assert!(
        matches!(refused, SealingProblem::WrongPassphrase { .. }),
        "{refused}"
    );
    assert_nothing_left(&opened);

    let identity = dir.path("key.txt");
    write_identity(&identity);
    let refused = open_file(
        &sealed,
        &opened,
        &OpenKey::from_identity_file(&identity).unwrap(),
    );
    assert!(matches!(
        refused,
        Err(SealingProblem::NeedsPassphrase { .. })
    ));
    assert_nothing_left(&opened);
}

#[test]
fn wrong_identity_is_refused() {
    let dir = TempDir::new();
    let (plain, sealed, opened) = (
        dir.path("mamori.db"),
        dir.path("mamori.db.age"),
        dir.path("opened.db"),
    );
    write_plain(&plain, SMALL);
    let recipient = write_identity(&dir.path("right.txt"));
    write_identity(&dir.path("wrong.txt"));
    seal_file(&plain, &sealed, &recipients(&recipient)).unwrap();

    let wrong = OpenKey::from_identity_file(&dir.path("wrong.txt")).unwrap();
    let refused = open_file(&sealed, &opened, &wrong).unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!("none of the given identities can open {}", sealed.display())
    );
    assert_nothing_left(&opened);

    let (_, passphrase) = passphrase_key(&dir, "pass.txt", "anything");
    let refused = open_file(&sealed, &opened, &passphrase);
    assert!(matches!(refused, Err(SealingProblem::NeedsIdentity { .. })));
    assert_nothing_left(&opened);
}

#[test]
fn damaged_or_truncated_file_is_refused() {
    let dir = TempDir::new();
    let (plain, sealed, opened) = (
        dir.path("mamori.db"),
        dir.path("mamori.db.age"),
        dir.path("opened.db"),
    );
    let bytes = write_plain(&plain, SMALL);
    let recipient = write_identity(&dir.path("key.txt"));
    let key = OpenKey::from_identity_file(&dir.path("key.txt")).unwrap();
    seal_file(&plain, &sealed, &recipients(&recipient)).unwrap();
    let whole = std::fs::read(&sealed).unwrap();
    // The last chunk: what is left of the plaintext after full 64 KiB chunks, and its tag.
    let last_chunk = bytes.len() % (64 * 1024) + 16;

    let cases = [
        ("cut mid-chunk", whole[..whole.len() - 1000].to_vec()),
        (
            "cut at a chunk boundary",
            whole[..whole.len() - last_chunk].to_vec(),
        ),
        ("cut in the header", whole[..40].to_vec()),
        ("a flipped byte", {
            let mut flipped = whole.clone();
            flipped[whole.len() / 2] ^= 1;
            flipped
        }),
    ];
    for (what, damaged) in cases {
        let file = dir.path("damaged.age");
        std::fs::write(&file, damaged).unwrap();
        let refused = open_file(&file, &opened, &key).unwrap_err();
        assert!(
            matches!(refused, SealingProblem::Damaged { .. }),
            "{what}: {refused}"
        );
        assert!(
            refused
                .to_string()
                .contains("damaged.age is damaged or truncated")
        );
        assert_nothing_left(&opened);
        std::fs::remove_file(&file).unwrap();
    }

    let not_age = open_file(&plain, &opened, &key).unwrap_err();
    assert!(
        matches!(not_age, SealingProblem::NotSealed { .. }),
        "{not_age}"
    );
    assert_nothing_left(&opened);
}

#[test]
fn existing_destination_is_refused() {
    let dir = TempDir::new();
    let (plain, sealed, opened) = (
        dir.path("mamori.db"),
        dir.path("mamori.db.age"),
        dir.path("opened.db"),
    );
    write_plain(&plain, SMALL);
    let recipient = write_identity(&dir.path("key.txt"));
    let key = OpenKey::from_identity_file(&dir.path("key.txt")).unwrap();

    std::fs::write(&sealed, "earlier").unwrap();
    let refused = seal_file(&plain, &sealed, &recipients(&recipient)).unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!(
            "{} already exists; sealing and opening never overwrite a file",
            sealed.display()
        )
    );
    assert_eq!(std::fs::read(&sealed).unwrap(), b"earlier");

    std::fs::remove_file(&sealed).unwrap();
    seal_file(&plain, &sealed, &recipients(&recipient)).unwrap();
    std::fs::write(&opened, "earlier").unwrap();
    let refused = open_file(&sealed, &opened, &key).unwrap_err();
    assert!(matches!(refused, SealingProblem::AlreadyExists { .. }));
    assert_eq!(std::fs::read(&opened).unwrap(), b"earlier");
}

#[test]
fn is_sealed_reads_the_header_line() {
    let dir = TempDir::new();
    let file = dir.path("file");
    for (content, sealed) in [
        (&b""[..], false),
        (b"age-encryption.org/v1", false),
        (b"age-encryption.org/v1\n-> X25519 ...", true),
        (b"SQLite format 3\0", false),
        (b"-----BEGIN AGE ENCRYPTED FILE-----\n", false),
    ] {
        std::fs::write(&file, content).unwrap();
        assert_eq!(is_sealed(&file).unwrap(), sealed, "{content:?}");
    }
    assert!(is_sealed(&dir.path("missing")).is_err());
}
