//! Sealing backups before they leave the server. A backup holds top-secret (機密性3A)
//! records and password hashes, so a copy kept elsewhere is an age file
//! (<https://age-encryption.org/v1>): sealed for one or more age recipients (public keys
//! `age1…`) or with a passphrase. The files are the `age` tool's own, so an operator can
//! open a backup without mamori: `age -d -i key.txt -o mamori.db backup.db.age`.
//!
//! Sealing and opening stream the file through fixed buffers: memory stays bounded
//! whatever the size of the backup. Neither ever overwrites a file, and a destination
//! appears only once complete: it is written as `<destination>.partial`, synced, then
//! renamed. Only the binary age format is read and written, not the armored (PEM) one.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::zeroize::Zeroize;
use age::secrecy::{ExposeSecret, SecretString};

/// The first line of every age file.
const MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// Key and passphrase files are a few lines; a larger one is not a key file.
const KEY_FILE_LIMIT: u64 = 64 * 1024;
/// The buffers between the files and age's stream (which itself works in 64 KiB chunks).
const BUFFER: usize = 64 * 1024;

/// Who can open a sealed backup: age recipients (public keys `age1…`, one or more) or a
/// passphrase.
pub enum SealKey {
    Recipients(Vec<age::x25519::Recipient>),
    Passphrase(SecretString),
}

/// What opens a sealed backup: the identities of an age identity file
/// (`AGE-SECRET-KEY-1…` lines, as `age-keygen` writes them) or the passphrase.
pub enum OpenKey {
    Identities(Vec<age::x25519::Identity>),
    Passphrase(SecretString),
}

// By hand, so that no secret can reach a log through `{:?}`.
impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealKey::Recipients(recipients) => {
                f.debug_tuple("Recipients").field(recipients).finish()
            }
            SealKey::Passphrase(_) => f.write_str("Passphrase(…)"),
        }
    }
}

impl fmt::Debug for OpenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenKey::Identities(identities) => write!(f, "Identities({} keys)", identities.len()),
            OpenKey::Passphrase(_) => f.write_str("Passphrase(…)"),
        }
    }
}

/// Why a backup could not be sealed or opened, or a key not read.
#[derive(Debug, thiserror::Error)]
pub enum SealingProblem {
    #[error("\"{value}\" in {source_name} is not an age recipient (age1…)")]
    NotARecipient { value: String, source_name: String },
    #[error(
        "{source_name} holds a secret key (AGE-SECRET-KEY-1…) where a recipient (age1…) belongs: \
         give the public key (age-keygen -y) and keep the secret key off this server"
    )]
    SecretKeyAsRecipient { source_name: String },
    #[error("{source_name} names no age recipient (age1…)")]
    NoRecipients { source_name: String },
    #[error(
        "both recipients and a passphrase file are set: a backup is sealed for recipients \
         or with a passphrase, not both"
    )]
    BothKeys,
    #[error("cannot read the key file {path}: {cause}")]
    KeyFile { path: PathBuf, cause: io::Error },
    // The line itself is not shown: it may be a secret key with a typo.
    #[error("line {line} of {path} is not an age identity (AGE-SECRET-KEY-1…)")]
    NotAnIdentity { path: PathBuf, line: usize },
    #[error("{path} holds no age identity (AGE-SECRET-KEY-1…)")]
    NoIdentities { path: PathBuf },
    #[error("the passphrase file {path} is empty (its first line is the passphrase)")]
    EmptyPassphrase { path: PathBuf },
    #[error("{path} already exists; sealing and opening never overwrite a file")]
    AlreadyExists { path: PathBuf },
    #[error("cannot read {path}: {cause}")]
    Read { path: PathBuf, cause: io::Error },
    #[error("cannot write {path}: {cause}")]
    Write { path: PathBuf, cause: io::Error },
    #[error("{path} is not an age file (no \"age-encryption.org/v1\" header)")]
    NotSealed { path: PathBuf },
    #[error("none of the given identities can open {path}")]
    WrongIdentity { path: PathBuf },
    #[error("the passphrase does not open {path}")]
    WrongPassphrase { path: PathBuf },
    #[error("{path} was sealed with a passphrase, not for recipients: open it with the passphrase")]
    NeedsPassphrase { path: PathBuf },
    #[error(
        "{path} was sealed for age recipients, not with a passphrase: open it with an identity file"
    )]
    NeedsIdentity { path: PathBuf },
    #[error(
        "{path} asks for more passphrase work (scrypt 2^{required}) than this machine accepts; \
         open it on a faster machine, or with the age tool"
    )]
    ExcessiveWork { path: PathBuf, required: u8 },
    #[error("{path} is damaged or truncated: {cause}")]
    Damaged { path: PathBuf, cause: String },
}

impl SealKey {
    /// The key of the settings, `None` when neither is set (a blank `recipients` counts
    /// as not set).
    ///
    /// `recipients`, as an operator writes it: when it starts with `age1`, the
    /// recipients themselves, separated by commas, spaces or newlines; otherwise the
    /// path of a recipients file as `age -R` reads it: one `age1…` per line, blank lines
    /// and lines starting with `#` ignored. `passphrase_file`: a file whose first line is
    /// the passphrase. Setting both is an error, since age cannot mix them in one file.
    pub fn from_settings(
        recipients: Option<&str>,
        passphrase_file: Option<&Path>,
    ) -> Result<Option<SealKey>, SealingProblem> {
        let recipients = recipients.map(str::trim).filter(|r| !r.is_empty());
        match (recipients, passphrase_file) {
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(SealingProblem::BothKeys),
            (None, Some(path)) => Ok(Some(SealKey::Passphrase(read_passphrase(path)?))),
            // A secret key is never taken for a path (an error would print it).
            (Some(text), None) if text.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-") => {
                Err(SealingProblem::SecretKeyAsRecipient {
                    source_name: "the recipients setting".to_owned(),
                })
            }
            (Some(text), None) if text.starts_with("age1") => {
                let source_name = "the recipients setting".to_owned();
                let tokens = text.split(|c: char| c == ',' || c.is_whitespace());
                let parsed = tokens
                    .filter(|t| !t.is_empty())
                    .map(|t| parse_recipient(t, &source_name))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Some(SealKey::Recipients(parsed)))
            }
            (Some(path), None) => {
                let path = Path::new(path);
                let text = read_key_file(path)?;
                let mut parsed = Vec::new();
                for (n, line) in text.lines().enumerate() {
                    let line = line.trim();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    let source_name = format!("line {} of {}", n + 1, path.display());
                    parsed.push(parse_recipient(line, &source_name)?);
                }
                if parsed.is_empty() {
                    return Err(SealingProblem::NoRecipients {
                        source_name: path.display().to_string(),
                    });
                }
                Ok(Some(SealKey::Recipients(parsed)))
            }
        }
    }
}

impl OpenKey {
    /// The identities of an age identity file, as `age-keygen` writes it: one
    /// `AGE-SECRET-KEY-1…` per line, blank lines and lines starting with `#` ignored.
    pub fn from_identity_file(path: &Path) -> Result<OpenKey, SealingProblem> {
        let mut text = read_key_file(path)?;
        let parsed = text
            .lines()
            .enumerate()
            .map(|(n, line)| (n, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
            .map(|(n, line)| {
                line.parse::<age::x25519::Identity>()
                    .map_err(|_| SealingProblem::NotAnIdentity {
                        path: path.to_owned(),
                        line: n + 1,
                    })
            })
            .collect::<Result<Vec<_>, _>>();
        text.zeroize();
        let identities = parsed?;
        if identities.is_empty() {
            return Err(SealingProblem::NoIdentities {
                path: path.to_owned(),
            });
        }
        Ok(OpenKey::Identities(identities))
    }

    /// The passphrase on the first line of `path`.
    pub fn from_passphrase_file(path: &Path) -> Result<OpenKey, SealingProblem> {
        Ok(OpenKey::Passphrase(read_passphrase(path)?))
    }
}

/// Encrypts `plain` into `sealed`, which must not exist (written as `<sealed>.partial`,
/// synced, then renamed), streaming: memory stays bounded whatever the file size. A
/// passphrase gets age's scrypt work factor, tuned to about a second on this machine.
pub fn seal_file(plain: &Path, sealed: &Path, key: &SealKey) -> Result<(), SealingProblem> {
    seal_with_work_factor(plain, sealed, key, None)
}

/// [`seal_file`], with the scrypt work factor `2^log_n` when given: the tests' fast
/// passphrases.
fn seal_with_work_factor(
    plain: &Path,
    sealed: &Path,
    key: &SealKey,
    log_n: Option<u8>,
) -> Result<(), SealingProblem> {
    refuse_existing(sealed)?;
    let encryptor = match key {
        SealKey::Recipients(recipients) => {
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                // Only an empty list fails: x25519 recipients always go together.
                .map_err(|_| SealingProblem::NoRecipients {
                    source_name: "the seal key".to_owned(),
                })?
        }
        SealKey::Passphrase(passphrase) => {
            let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
            if let Some(log_n) = log_n {
                recipient.set_work_factor(log_n);
            }
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .expect("one scrypt recipient alone is always accepted")
        }
    };
    let mut input = BufReader::with_capacity(BUFFER, open_input(plain)?);
    let partial = Partial::create(sealed)?;
    let write_error = |source| SealingProblem::Write {
        path: sealed.to_owned(),
        cause: source,
    };
    let output = BufWriter::with_capacity(BUFFER, partial.file()?);
    let mut stream = encryptor.wrap_output(output).map_err(write_error)?;
    let read_error = |source| SealingProblem::Read {
        path: plain.to_owned(),
        cause: source,
    };
    pump(&mut input, &mut stream, read_error, write_error)?;
    // Without `finish` the last chunk is missing and the file does not open.
    let output = stream.finish().map_err(write_error)?;
    let file = output
        .into_inner()
        .map_err(|e| write_error(e.into_error()))?;
    partial.complete(file)
}

/// Decrypts `sealed` into `plain`, which must not exist (written as `<plain>.partial`,
/// synced, then renamed), streaming. A wrong key or a damaged or truncated file is an
/// error that leaves no `plain` behind: age authenticates every 64 KiB chunk and marks
/// the last one, so nothing unchecked is ever kept.
pub fn open_file(sealed: &Path, plain: &Path, key: &OpenKey) -> Result<(), SealingProblem> {
    refuse_existing(plain)?;
    let input = BufReader::with_capacity(BUFFER, open_input(sealed)?);
    let damaged = |cause: &str| SealingProblem::Damaged {
        path: sealed.to_owned(),
        cause: cause.to_owned(),
    };
    let decryptor = match age::Decryptor::new_buffered(input) {
        Ok(decryptor) => decryptor,
        Err(_) if !is_sealed(sealed).unwrap_or(false) => {
            return Err(SealingProblem::NotSealed {
                path: sealed.to_owned(),
            });
        }
        Err(age::DecryptError::Io(e)) if e.kind() != io::ErrorKind::UnexpectedEof => {
            return Err(read_problem(sealed, e));
        }
        Err(e) => return Err(damaged(&format!("bad header ({})", describe(&e)))),
    };
    let passphrase_file = decryptor.is_scrypt();
    let scrypt_identity;
    let identities: Vec<&dyn age::Identity> = match key {
        OpenKey::Identities(_) if passphrase_file => {
            return Err(SealingProblem::NeedsPassphrase {
                path: sealed.to_owned(),
            });
        }
        OpenKey::Passphrase(_) if !passphrase_file => {
            return Err(SealingProblem::NeedsIdentity {
                path: sealed.to_owned(),
            });
        }
        OpenKey::Identities(identities) => {
            identities.iter().map(|i| i as &dyn age::Identity).collect()
        }
        OpenKey::Passphrase(passphrase) => {
            // age's bound on the work a file may ask: 16 times this machine's target (~16 s).
            scrypt_identity = age::scrypt::Identity::new(passphrase.clone());
            vec![&scrypt_identity as &dyn age::Identity]
        }
    };
    let mut stream = decryptor
        .decrypt(identities.into_iter())
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => SealingProblem::WrongIdentity {
                path: sealed.to_owned(),
            },
            age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed
                if passphrase_file =>
            {
                SealingProblem::WrongPassphrase {
                    path: sealed.to_owned(),
                }
            }
            age::DecryptError::ExcessiveWork { required, .. } => SealingProblem::ExcessiveWork {
                path: sealed.to_owned(),
                required,
            },
            age::DecryptError::Io(e) => read_problem(sealed, e),
            e => damaged(&describe(&e)),
        })?;
    let partial = Partial::create(plain)?;
    let write_error = |source| SealingProblem::Write {
        path: plain.to_owned(),
        cause: source,
    };
    let mut output = BufWriter::with_capacity(BUFFER, partial.file()?);
    pump(
        &mut stream,
        &mut output,
        |e| read_problem(sealed, e),
        write_error,
    )?;
    let file = output
        .into_inner()
        .map_err(|e| write_error(e.into_error()))?;
    partial.complete(file)
}

/// Whether `path` is an age file: it starts with the line `age-encryption.org/v1`. An
/// armored age file (`-----BEGIN AGE ENCRYPTED FILE-----`) is not one here.
pub fn is_sealed(path: &Path) -> io::Result<bool> {
    let mut start = Vec::with_capacity(MAGIC.len());
    File::open(path)?
        .take(MAGIC.len() as u64)
        .read_to_end(&mut start)?;
    Ok(start == MAGIC)
}

fn parse_recipient(
    text: &str,
    source_name: &str,
) -> Result<age::x25519::Recipient, SealingProblem> {
    if text.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-") {
        // Never echoed: an error message ends up in logs.
        return Err(SealingProblem::SecretKeyAsRecipient {
            source_name: source_name.to_owned(),
        });
    }
    text.parse().map_err(|_| SealingProblem::NotARecipient {
        value: text.chars().take(100).collect(),
        source_name: source_name.to_owned(),
    })
}

/// A key file's text, refused beyond [`KEY_FILE_LIMIT`].
fn read_key_file(path: &Path) -> Result<String, SealingProblem> {
    let problem = |source| SealingProblem::KeyFile {
        path: path.to_owned(),
        cause: source,
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(KEY_FILE_LIMIT + 1).read_to_end(&mut bytes))
        .map_err(problem)?;
    if bytes.len() as u64 > KEY_FILE_LIMIT {
        bytes.zeroize();
        return Err(problem(io::Error::other(format!(
            "larger than {} KiB, so not a key file",
            KEY_FILE_LIMIT / 1024
        ))));
    }
    String::from_utf8(bytes).map_err(|e| {
        e.into_bytes().zeroize();
        problem(io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
    })
}

/// The first line of `path` (without its line ending), the rest of the file unread.
fn read_passphrase(path: &Path) -> Result<SecretString, SealingProblem> {
    let mut text = read_key_file(path)?;
    let first = text.split('\n').next().unwrap_or_default();
    let passphrase = SecretString::from(first.strip_suffix('\r').unwrap_or(first));
    text.zeroize();
    if passphrase.expose_secret().is_empty() {
        return Err(SealingProblem::EmptyPassphrase {
            path: path.to_owned(),
        });
    }
    Ok(passphrase)
}

fn refuse_existing(path: &Path) -> Result<(), SealingProblem> {
    // `symlink_metadata`: a dangling link is there too.
    if path.symlink_metadata().is_ok() {
        return Err(SealingProblem::AlreadyExists {
            path: path.to_owned(),
        });
    }
    Ok(())
}

fn open_input(path: &Path) -> Result<File, SealingProblem> {
    File::open(path).map_err(|source| SealingProblem::Read {
        path: path.to_owned(),
        cause: source,
    })
}

/// A read error of age's stream is the file's fault when the data fails authentication
/// or ends early; anything else is the disk's.
fn read_problem(path: &Path, e: io::Error) -> SealingProblem {
    let cause = match e.kind() {
        io::ErrorKind::InvalidData => "a chunk fails authentication or the stream ends early",
        io::ErrorKind::UnexpectedEof => "it ends before its last chunk",
        _ => {
            return SealingProblem::Read {
                path: path.to_owned(),
                cause: e,
            };
        }
    };
    SealingProblem::Damaged {
        path: path.to_owned(),
        cause: cause.to_owned(),
    }
}

/// English causes: age's own messages go through its translations.
fn describe(e: &age::DecryptError) -> String {
    match e {
        age::DecryptError::InvalidHeader => "the header is malformed".to_owned(),
        age::DecryptError::InvalidMac => "the header fails authentication".to_owned(),
        age::DecryptError::UnknownFormat => "an unknown age format".to_owned(),
        age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
            "the file key fails to decrypt".to_owned()
        }
        other => other.to_string(),
    }
}

/// Copies `from` into `to` through one fixed buffer: memory stays bounded whatever the
/// size (an `io::copy`, written out so that each error names the right file).
fn pump(
    from: &mut impl Read,
    to: &mut impl Write,
    read_error: impl Fn(io::Error) -> SealingProblem,
    write_error: impl Fn(io::Error) -> SealingProblem,
) -> Result<(), SealingProblem> {
    let mut buffer = vec![0u8; BUFFER];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(e)),
        };
        to.write_all(&buffer[..n]).map_err(&write_error)?;
    }
    // The plaintext passed through here.
    buffer.zeroize();
    to.flush().map_err(write_error)
}

/// `<destination>.partial` while it is written: removed unless completed, also on a
/// panic, so no half-written file remains.
struct Partial {
    path: PathBuf,
    destination: PathBuf,
    done: bool,
}

impl Partial {
    fn create(destination: &Path) -> Result<Partial, SealingProblem> {
        let mut name = destination.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        let path = destination.with_file_name(name);
        // A leftover of an interrupted run.
        let _ = std::fs::remove_file(&path);
        Ok(Partial {
            path,
            destination: destination.to_owned(),
            done: false,
        })
    }

    /// The file, new (never through a planted link) and readable by its owner only:
    /// an opened backup is plaintext.
    fn file(&self) -> Result<File, SealingProblem> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&self.path)
            .map_err(|source| SealingProblem::Write {
                path: self.path.clone(),
                cause: source,
            })
    }

    /// Syncs `file`, renames it to the destination and syncs the directory, so that the
    /// destination survives a crash once this returns.
    fn complete(mut self, file: File) -> Result<(), SealingProblem> {
        let write_error = |source| SealingProblem::Write {
            path: self.destination.clone(),
            cause: source,
        };
        file.sync_all().map_err(write_error)?;
        drop(file);
        refuse_existing(&self.destination)?;
        std::fs::rename(&self.path, &self.destination).map_err(write_error)?;
        self.done = true;
        #[cfg(unix)]
        if let Some(dir) = self.destination.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(write_error)?;
        }
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests;
