//! `mamori policy …`: the policy use cases of `mamori_app::policies` from the command
//! line — import, list, show, approve (決裁, in the approver's name), publish, and
//! acknowledge (recorded for a user, e.g. from paper). The same rules and messages as
//! the web pages; the command line acts as mamori itself except where a person decides.

use std::path::PathBuf;
use std::process::ExitCode;

use mamori_app::i18n::Tr;
use mamori_app::policies::{self, ApprovalInput, SaveVersion};
use mamori_app::{Acting, App, Failure};
use mamori_domain::pledge::PaperPledgeInput;
use mamori_domain::policy;
use mamori_domain::policy_input;
use mamori_domain::policy_lifecycle::{self, PolicyKind, VersionStatus};
use mamori_domain::user::LoginId;

use crate::config::DataConfig;

/// What `mamori policy` does.
#[derive(clap::Subcommand)]
pub enum PolicyCommand {
    /// Store a policy file (text in UTF-8 or Shift_JIS, Word .docx, or an HTML page saved
    /// from a 例規集 system) as a new draft version
    Import {
        file: PathBuf,
        /// basic_policy, measure_standards, procedures or other (for a new document)
        #[arg(long, default_value = "basic_policy", value_parser = parse_policy_kind)]
        kind: PolicyKind,
        /// Add the version to this document (its id) instead of creating a new one
        #[arg(long)]
        document: Option<i64>,
        /// What changed (改定の概要)
        #[arg(long)]
        note: Option<String>,
    },
    /// List the policy documents
    List,
    /// Print a document's clause tree as JSON (the published version, else the newest)
    Show {
        /// The document's id
        id: i64,
        /// A version number of the document instead
        #[arg(long)]
        version: Option<i64>,
    },
    /// Record the approval (決裁) of a draft, in the name of the CISO or 統括情報セキュリティ責任者 who gave it
    Approve {
        /// The version's id
        #[arg(long)]
        version: i64,
        /// The approver's login (they hold an approving post and did not write the draft)
        #[arg(long)]
        login: String,
        /// The date of the decision (2026-03-18 or 令和8年3月18日)
        #[arg(long)]
        date: String,
        /// A note kept with the decision in the audit trail
        #[arg(long)]
        note: Option<String>,
    },
    /// Publish an approved version
    Publish {
        /// The version's id
        #[arg(long)]
        version: i64,
    },
    /// Record that a user acknowledged a published version (e.g. on paper)
    Acknowledge {
        #[arg(long)]
        login: String,
        /// The version's id
        #[arg(long)]
        version: i64,
    },
    /// Record a pledge (誓約書) signed on paper: the published version of a pledge
    /// document, who signed it, the day written on it and optionally its scan
    Pledge {
        /// The pledge document's id
        #[arg(long)]
        document: i64,
        /// Who signed it
        #[arg(long)]
        login: String,
        /// The day signed (2026-04-01 or 令和8年4月1日)
        #[arg(long)]
        date: String,
        /// The scan of the signed pledge (PDF or image)
        #[arg(long)]
        scan: Option<PathBuf>,
    },
}

fn parse_policy_kind(value: &str) -> Result<PolicyKind, String> {
    PolicyKind::parse(value).ok_or_else(|| {
        let names: Vec<_> = PolicyKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("one of: {}", names.join(", "))
    })
}

/// Messages in the operator's language.
struct Say<'a>(&'a Tr);

impl Say<'_> {
    fn fail(&self, key: &str, params: &[(&str, String)]) -> anyhow::Error {
        anyhow::anyhow!("{}", self.0.f(key, params))
    }

    /// A failure of a use case, in the words the web pages use.
    fn failure(&self, failure: Failure) -> anyhow::Error {
        match failure {
            Failure::Invalid(problems) | Failure::Unconfirmed(problems) => {
                let lines: Vec<String> = problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field, self.0.f(p.key, &p.params)))
                    .collect();
                anyhow::anyhow!("{}", lines.join("\n"))
            }
            Failure::Conflict(refusal) => self.fail(refusal.key, &refusal.params),
            Failure::Denied { .. } => self.fail("error.forbidden", &[]),
            Failure::NotFound => self.fail("error.not_found", &[]),
            Failure::Store(e) => anyhow::Error::new(e),
            Failure::Busy { retry_after_secs } => self.fail(
                "import_limits.busy",
                &[("seconds", retry_after_secs.to_string())],
            ),
        }
    }

    fn no_version(&self, vid: i64) -> anyhow::Error {
        self.fail(
            "cli.policy.error.no_such_version",
            &[("version", vid.to_string())],
        )
    }

    fn no_document(&self, id: i64) -> anyhow::Error {
        self.fail(
            "cli.policy.error.no_such_document",
            &[("id", id.to_string())],
        )
    }
}

/// `mamori policy …`
pub async fn run(data: &DataConfig, tr: &Tr, command: PolicyCommand) -> anyhow::Result<ExitCode> {
    let say = Say(tr);
    match command {
        PolicyCommand::Import {
            file,
            kind,
            document,
            note,
        } => import(data, &say, file, kind, document, note).await?,
        PolicyCommand::List => list(data, &say).await?,
        PolicyCommand::Show { id, version } => show(data, &say, id, version).await?,
        PolicyCommand::Approve {
            version,
            login,
            date,
            note,
        } => {
            let input = ApprovalInput {
                approved_on: date,
                note: note.unwrap_or_default(),
            };
            approve(data, &say, version, &login, input).await?
        }
        PolicyCommand::Publish { version } => publish(data, &say, version).await?,
        PolicyCommand::Acknowledge { login, version } => {
            acknowledge(data, &say, &login, version).await?
        }
        PolicyCommand::Pledge {
            document,
            login,
            date,
            scan,
        } => {
            let input = PaperPledgeInput {
                user: login,
                signed_on: date,
            };
            pledge(data, &say, document, input, scan).await?
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(
    data: &DataConfig,
    say: &Say<'_>,
    file: PathBuf,
    kind: PolicyKind,
    document: Option<i64>,
    note: Option<String>,
) -> anyhow::Result<()> {
    let tr = say.0;
    // Read and check the text before touching the database.
    let bytes = std::fs::read(&file).map_err(|e| {
        let file = file.display().to_string();
        anyhow::anyhow!(
            "{} ({e})",
            tr.f("cli.policy.error.read_failed", &[("file", file)])
        )
    })?;
    let text = policies::read_file(&bytes).map_err(|f| say.failure(f))?;
    policy::parse(&text).map_err(|p| say.fail(p.message_key(), &[]))?;
    let change_note = policy_input::change_note(note.as_deref().unwrap_or("")).map_err(|p| {
        let p = &p[0];
        anyhow::anyhow!("--note: {}", tr.f(p.key, &p.params))
    })?;
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
    let acting = Acting::system("mamori policy import");
    let input = SaveVersion {
        kind,
        document_id: document,
        source: text,
        change_note,
        // The command line sends the draft to any holder of an approving post, as before.
        send: Some(mamori_app::approvals::SendInput::default()),
    };
    let saved = match policies::save_version(&app, &acting, input).await {
        Err(Failure::NotFound) => return Err(say.no_document(document.unwrap_or_default())),
        other => other.map_err(|f| say.failure(f))?,
    };
    let parsed = &saved.parsed;
    let imported = [
        ("document", saved.document_id.to_string()),
        ("number", saved.number.to_string()),
        ("version", saved.version_id.to_string()),
    ];
    println!("{}", tr.f("cli.policy.imported", &imported));
    let top = parsed.clauses.len() + parsed.supplementary.len();
    let counts = [
        ("total", parsed.all_clauses().len().to_string()),
        ("top", top.to_string()),
    ];
    println!("{}", tr.f("cli.policy.clauses", &counts));
    if parsed.warnings.is_empty() {
        println!("{}", tr.t("cli.policy.no_warnings"));
    }
    for warning in &parsed.warnings {
        let at = [
            ("line", warning.line.to_string()),
            ("text", warning.text.clone()),
        ];
        let mut line = tr.f("cli.policy.warning", &at);
        if let Some(reference) = &warning.attached_to {
            let kept = tr.f("policy.warning_kept", &[("ref", reference.clone())]);
            line.push_str(&format!(" ({kept})"));
        }
        println!("{line}");
    }
    // Nothing dropped silently: every line outside the clauses, and what became of it.
    for unplaced in &parsed.unplaced {
        let at = [
            ("line", unplaced.line.to_string()),
            ("text", unplaced.text.clone()),
            ("fate", tr.t(unplaced.fate.message_key()).to_owned()),
        ];
        println!("{}", tr.f("cli.policy.unplaced", &at));
    }
    app.close().await;
    Ok(())
}

async fn list(data: &DataConfig, say: &Say<'_>) -> anyhow::Result<()> {
    let tr = say.0;
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
    let acting = Acting::system("mamori policy list");
    let listings = policies::list_documents(&app, &acting)
        .await
        .map_err(|f| say.failure(f))?;
    if listings.is_empty() {
        println!("{}", tr.t("cli.policy.none"));
    }
    for listing in listings {
        let Some(latest) = listing.latest else {
            continue;
        };
        let published = listing
            .published
            .map(|v| v.id.to_string())
            .unwrap_or_else(|| tr.t("cli.policy.not_published").to_owned());
        let document = listing.document;
        let kind = tr
            .t(&format!("policy.kind.{}", document.kind.as_str()))
            .to_owned();
        let status = tr
            .t(&format!("policy.status.{}", latest.status.as_str()))
            .to_owned();
        let row = [
            ("id", document.id.to_string()),
            ("kind", kind),
            ("title", document.title),
            ("number", latest.number.to_string()),
            ("status", status),
            ("published", published),
        ];
        println!("{}", tr.f("cli.policy.list_row", &row));
    }
    app.close().await;
    Ok(())
}

async fn show(
    data: &DataConfig,
    say: &Say<'_>,
    id: i64,
    number: Option<i64>,
) -> anyhow::Result<()> {
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
    let acting = Acting::system("mamori policy show");
    let shown = match policies::show_text(&app, &acting, id, None).await {
        Err(Failure::NotFound) => return Err(say.no_document(id)),
        other => other.map_err(|f| say.failure(f))?,
    };
    let chosen = match number {
        Some(n) if !shown.versions.iter().any(|v| v.number == n) => {
            let params = [("id", id.to_string()), ("number", n.to_string())];
            return Err(say.fail("cli.policy.error.no_version_number", &params));
        }
        Some(n) => {
            policies::show_text(&app, &acting, id, Some(n))
                .await
                .map_err(|f| say.failure(f))?
                .chosen
        }
        None => shown.chosen,
    };
    let version = chosen
        .ok_or_else(|| say.fail("cli.policy.error.no_versions", &[("id", id.to_string())]))?;
    // As the parser wrote it: every clause with its "ref".
    println!("{}", policies::tree_json(&version.tree));
    app.close().await;
    Ok(())
}

/// The version `vid`, or the command line's own message.
async fn version(
    app: &App,
    acting: &Acting,
    say: &Say<'_>,
    vid: i64,
) -> anyhow::Result<policies::Version> {
    match policies::find_version(app, acting, vid).await {
        Err(Failure::NotFound) => Err(say.no_version(vid)),
        other => other.map_err(|f| say.failure(f)),
    }
}

/// The active user `login`, acting in their own name.
async fn person(app: &App, say: &Say<'_>, login: &str) -> anyhow::Result<Acting> {
    let tr = say.0;
    let login = LoginId::parse(login)
        .map_err(|p| anyhow::anyhow!("--login: {}", tr.f(p.message_key(), &p.params())))?;
    let text = login.as_str().to_owned();
    match policies::signatory(app, &login).await {
        Err(Failure::NotFound) => Err(say.fail("cli.error.no_such_user", &[("login", text)])),
        other => other.map_err(|f| say.failure(f)),
    }
}

async fn approve(
    data: &DataConfig,
    say: &Say<'_>,
    vid: i64,
    login: &str,
    input: ApprovalInput,
) -> anyhow::Result<()> {
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
    let approver = person(&app, say, login).await?;
    let found = version(&app, &Acting::system("mamori policy approve"), say, vid).await?;
    let document_id = found.summary.document_id;
    let approved = policies::approve_version(&app, &approver, document_id, vid, input).await;
    let approved = match approved {
        // The page's words: only the CISO or the 統括情報セキュリティ責任者 decide.
        Err(Failure::Denied { .. }) => {
            return Err(say.fail(
                policy_lifecycle::LifecycleProblem::NotAnApprover.message_key(),
                &[],
            ));
        }
        other => other.map_err(|f| say.failure(f))?,
    };
    let params = [
        ("title", approved.title.clone()),
        ("number", approved.number.to_string()),
        ("version", vid.to_string()),
        (
            "date",
            approved
                .approved_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        ("login", login.to_owned()),
    ];
    println!("{}", say.0.f("cli.policy.approved", &params));
    app.close().await;
    Ok(())
}

async fn publish(data: &DataConfig, say: &Say<'_>, vid: i64) -> anyhow::Result<()> {
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
    let acting = Acting::system("mamori policy publish");
    let found = version(&app, &acting, say, vid).await?;
    let published = policies::publish_version(&app, &acting, found.summary.document_id, vid)
        .await
        .map_err(|f| say.failure(f))?;
    let v = published.version;
    let params = [
        ("title", v.title.clone()),
        ("number", v.number.to_string()),
        ("version", vid.to_string()),
        ("count", published.bound_users.to_string()),
    ];
    println!("{}", say.0.f("cli.policy.published", &params));
    app.close().await;
    Ok(())
}

async fn acknowledge(
    data: &DataConfig,
    say: &Say<'_>,
    login: &str,
    vid: i64,
) -> anyhow::Result<()> {
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
    let reader = person(&app, say, login).await?;
    let login = reader.actor().label;
    let bound = reader
        .user
        .as_ref()
        .is_some_and(|u| policy_lifecycle::must_acknowledge(u.user_type));
    if !bound {
        return Err(say.fail("cli.policy.error.not_bound", &[("login", login)]));
    }
    let found = version(&app, &Acting::system("mamori policy acknowledge"), say, vid).await?;
    let summary = found.summary;
    if summary.status != VersionStatus::Published {
        let params = [("version", vid.to_string())];
        return Err(say.fail("cli.policy.error.not_published", &params));
    }
    let done = policies::acknowledge(
        &app,
        &reader,
        summary.document_id,
        vid,
        &summary.content_hash,
    );
    match done.await {
        Err(Failure::Conflict(r)) if r.code == "already_acknowledged" => {
            return Err(say.fail("cli.policy.error.already", &[("login", login)]));
        }
        other => other.map_err(|f| say.failure(f))?,
    };
    let params = [
        ("login", login),
        ("title", summary.title.clone()),
        ("number", summary.number.to_string()),
    ];
    println!("{}", say.0.f("cli.policy.acknowledged", &params));
    app.close().await;
    Ok(())
}

/// Records a paper pledge as mamori itself (the operator at the console), its scan
/// spooled through the file block's limits as an upload is.
async fn pledge(
    data: &DataConfig,
    say: &Say<'_>,
    document: i64,
    input: PaperPledgeInput,
    scan: Option<PathBuf>,
) -> anyhow::Result<()> {
    use mamori_app::files::{DEFAULT_MAX_FILE_BYTES, Spool};
    use tokio::io::AsyncReadExt;
    let scan = match scan {
        Some(path) => {
            let failed = |e: &dyn std::fmt::Display| {
                let file = path.display().to_string();
                anyhow::anyhow!(
                    "{} ({e})",
                    say.0.f("cli.policy.error.read_failed", &[("file", file)])
                )
            };
            let mut file = tokio::fs::File::open(&path).await.map_err(|e| failed(&e))?;
            let uploads = data.data_dir.join("uploads");
            let mut spool = Spool::create(&uploads, DEFAULT_MAX_FILE_BYTES)
                .await
                .map_err(|e| failed(&e))?;
            let mut piece = vec![0u8; 64 * 1024];
            loop {
                let read = file.read(&mut piece).await.map_err(|e| failed(&e))?;
                if read == 0 {
                    break;
                }
                spool.push(&piece[..read]).await.map_err(|e| failed(&e))?;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Some((name, spool.finish().await.map_err(|e| failed(&e))?))
        }
        None => None,
    };
    let app = App::open_in(&data.database_url, &data.data_dir).await?;
    let acting = Acting::system("mamori policy pledge");
    let done = policies::record_paper_pledge(&app, &acting, document, &input, scan)
        .await
        .map_err(|f| say.failure(f))?;
    let params = [
        ("login", input.user.trim().to_owned()),
        ("date", mamori_app::date_text(done.signed_on)),
        ("version", done.version_id.to_string()),
    ];
    println!("{}", say.0.f("cli.policy.pledged", &params));
    app.close().await;
    Ok(())
}
