//! The commands of the people area, each a shell over a use case of `mamori_app` run as
//! the command line (`Acting::system`): `user add`, `token create`, `backup`, `restore`
//! (`audit verify` and `audit anchor` are in audit.rs).

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use mamori_app::backups::BackupSummary;
use mamori_app::i18n::Tr;
use mamori_app::{Acting, App, Failure};
use mamori_domain::user::{Role, UserType};
use mamori_domain::user_input::NewUserInput;

use crate::config::DataConfig;

/// A failure in the console's language: each refused field named as its option.
pub fn failed(failure: Failure, tr: &Tr) -> anyhow::Error {
    match failure {
        Failure::Invalid(problems) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| {
                    let option = match p.field {
                        "login" => "--login",
                        "display_name" | "name" => "--name",
                        "reading" => "--reading",
                        other => other,
                    };
                    format!("{option}: {}", tr.f(p.key, &p.params))
                })
                .collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        Failure::Conflict(refusal) => anyhow::anyhow!("{}", tr.f(refusal.key, &refusal.params)),
        Failure::Store(error) => anyhow::Error::from(error),
        other => anyhow::anyhow!("{other}"),
    }
}

fn rows_text(summary: &BackupSummary) -> String {
    summary
        .rows
        .iter()
        .map(|(table, n)| format!("{table} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The account `mamori user add` is asked for.
pub struct Account<'a> {
    pub login: &'a str,
    pub name: &'a str,
    /// ふりがな; empty: none.
    pub reading: &'a str,
    pub role: Role,
    pub user_type: UserType,
}

/// `mamori user add`: the password is read from standard input, never from the command
/// line; the person at the console chose it, so it need not be changed at first sign-in.
pub async fn add_user(
    data: &DataConfig,
    tr: &Tr,
    account: Account<'_>,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let Account {
        login,
        name,
        reading,
        role,
        user_type,
    } = account;
    if !password_stdin {
        bail!("{}", tr.t("cli.error.password_stdin"));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{}", tr.t("cli.password_prompt"));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password")?;
    let input = NewUserInput {
        login: login.to_owned(),
        display_name: name.to_owned(),
        reading: reading.to_owned(),
        role: role.as_str().to_owned(),
        user_type: user_type.as_str().to_owned(),
        org_roles: Vec::new(),
        password: line.trim_end_matches(['\r', '\n']).to_owned(),
        password_confirm: None,
    };
    // Checked before the database is opened, so a typo never waits on it.
    let valid = input.check().map_err(|p| failed(Failure::Invalid(p), tr))?;
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let acting = Acting::system("mamori user add");
    let id = mamori_app::users::create_user_with(&app, &acting, input, false)
        .await
        .map_err(|f| failed(f, tr))?;
    println!(
        "{}",
        tr.f(
            "cli.user_added",
            &[
                ("login", valid.login.as_str().to_owned()),
                ("id", id.to_string()),
                ("role", role.as_str().to_owned())
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `mamori token create`: a personal API token for an active user, printed once.
pub async fn create_token(
    data: &DataConfig,
    tr: &Tr,
    login: &str,
    name: &str,
) -> anyhow::Result<ExitCode> {
    let name =
        mamori_app::account::token_name(name).map_err(|p| failed(Failure::invalid(p), tr))?;
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let acting = Acting::system("mamori token create");
    let user = mamori_app::users::active_user_by_login(&app, &acting, login)
        .await
        .map_err(|f| failed(f, tr))?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}",
                tr.f("cli.error.no_such_user", &[("login", login.to_owned())])
            )
        })?;
    let (_, token) = mamori_app::account::create_token(&app, &acting, user.id, &name)
        .await
        .map_err(|f| failed(f, tr))?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

/// `mamori backup FILE`.
pub async fn backup(data: &DataConfig, tr: &Tr, file: &Path) -> anyhow::Result<ExitCode> {
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let summary = mamori_app::backups::write_backup(&app, &Acting::system("mamori backup"), file)
        .await
        .map_err(|f| failed(f, tr))?;
    println!(
        "{}",
        tr.f(
            "cli.backup_written",
            &[
                ("file", file.display().to_string()),
                ("rows", rows_text(&summary))
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `mamori restore FILE`.
pub async fn restore(
    data: &DataConfig,
    tr: &Tr,
    file: &Path,
    key: Option<&mamori_app::sealing::OpenKey>,
) -> anyhow::Result<ExitCode> {
    // Check the file before touching anything (opening may create a database); a sealed
    // one is checked once opened.
    if !mamori_app::sealing::is_sealed(file).unwrap_or(false) {
        mamori_store_inspect(file, tr).await?;
    }
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let acting = Acting::system("mamori restore");
    let restored = mamori_app::backups::restore(&app, &acting, file, &data.data_dir, key)
        .await
        .map_err(|f| failed(f, tr))?;
    println!(
        "{}",
        tr.f(
            "cli.restored",
            &[
                ("file", file.display().to_string()),
                ("rows", rows_text(&restored.summary)),
                ("safety", restored.safety.display().to_string()),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads a backup's summary without opening the database.
async fn mamori_store_inspect(file: &Path, tr: &Tr) -> anyhow::Result<BackupSummary> {
    mamori_app::backups::inspect(file)
        .await
        .map_err(|f| failed(f, tr))
}

/// `mamori upgrade [--check]`: what the binary's migrations do to this database.
pub async fn upgrade(data: &DataConfig, tr: &Tr, check: bool) -> anyhow::Result<ExitCode> {
    let plan = mamori_app::backups::upgrade_plan(&data.database_url)
        .await
        .map_err(|f| failed(f, tr))?;
    if plan.too_new() {
        let params = [
            ("database", plan.database.unwrap_or(0).to_string()),
            ("binary", plan.binary.to_string()),
        ];
        anyhow::bail!("{}", tr.f("cli.error.schema_too_new", &params));
    }
    let current = plan.database.map_or_else(
        || tr.t("cli.upgrade_no_database").to_owned(),
        |v| v.to_string(),
    );
    println!(
        "{}",
        tr.f(
            "cli.upgrade_versions",
            &[("database", current), ("binary", plan.binary.to_string())]
        )
    );
    if plan.pending.is_empty() {
        println!("{}", tr.t("cli.upgrade_nothing"));
        return Ok(ExitCode::SUCCESS);
    }
    for (version, name) in &plan.pending {
        println!("  {version:04} {name}");
    }
    if check {
        let count = plan.pending.len().to_string();
        let key = match plan.database {
            Some(_) => "cli.upgrade_would",
            None => "cli.upgrade_would_create",
        };
        println!("{}", tr.f(key, &[("count", count)]));
        return Ok(ExitCode::SUCCESS);
    }
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let now = app.schema_version().await.map_err(|f| failed(f, tr))?;
    app.close().await;
    let count = plan.pending.len().to_string();
    println!(
        "{}",
        tr.f(
            "cli.upgrade_done",
            &[("count", count), ("version", now.to_string())]
        )
    );
    if plan.database.is_some()
        && let Some(file) =
            mamori_app::backups::newest_pre_upgrade(&data.data_dir).map_err(|f| failed(f, tr))?
    {
        let file = file.display().to_string();
        println!("{}", tr.f("cli.upgrade_backup", &[("file", file)]));
    }
    Ok(ExitCode::SUCCESS)
}

/// `mamori rollback [FILE]`: the database as the backup before the last upgrade holds it.
pub async fn rollback(data: &DataConfig, tr: &Tr, file: Option<&Path>) -> anyhow::Result<ExitCode> {
    let done = mamori_app::backups::rollback(&data.database_url, &data.data_dir, file)
        .await
        .map_err(|f| failed(f, tr))?;
    println!(
        "{}",
        tr.f(
            "cli.rolled_back",
            &[
                ("file", done.file.display().to_string()),
                ("from", done.from.to_string()),
                ("to", done.to.to_string()),
                ("rows", rows_text(&done.summary)),
                ("safety", done.safety.display().to_string()),
            ]
        )
    );
    println!(
        "{}",
        tr.f("cli.rollback_next", &[("to", done.to.to_string())])
    );
    Ok(ExitCode::SUCCESS)
}

/// `mamori restore-drill [FILE]`: the newest daily backup restored on a scratch file.
pub async fn restore_drill(
    data: &DataConfig,
    tr: &Tr,
    policy: &mamori_app::backups::BackupPolicy,
    file: Option<&Path>,
    key: Option<&mamori_app::sealing::OpenKey>,
) -> anyhow::Result<ExitCode> {
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let drilled = mamori_app::backups::restore_drill(
        &app,
        &Acting::system("mamori restore-drill"),
        &data.data_dir,
        policy,
        file,
        key,
    )
    .await;
    app.close().await;
    let drilled = drilled.map_err(|f| failed(f, tr))?;
    println!(
        "{}",
        tr.f(
            "cli.drilled",
            &[
                ("file", drilled.file.display().to_string()),
                ("schema", drilled.summary.schema_version.to_string()),
                ("entries", drilled.audit_entries.to_string()),
                ("seconds", format!("{:.1}", drilled.seconds)),
                ("rows", rows_text(&drilled.summary)),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}
