//! The options every subcommand shares: backend, server binary, output.

use super::*;

pub(crate) fn default_options(size: usize) -> Options {
    Options {
        backend: Backend::Sqlite,
        size,
        requests: 300,
        warmup: 20,
        mamori: PathBuf::from("target/release/mamori"),
        postgres: None,
        import_rows: 10_000,
        export_runs: 3,
        json_out: None,
        commit: String::new(),
        upload_mb: 15,
    }
}

/// `--backend`, `--postgres`, `--mamori`, `--json-out`, `--commit`.
pub(crate) fn common_option(o: &mut Options, flag: &str, value: &str) -> anyhow::Result<()> {
    match flag {
        "--backend" => {
            o.backend = match value {
                "sqlite" => Backend::Sqlite,
                "postgres" => Backend::Postgres,
                _ => bail!("--backend is sqlite or postgres"),
            }
        }
        "--mamori" => o.mamori = PathBuf::from(value),
        "--postgres" => o.postgres = Some(value.to_owned()),
        "--json-out" => o.json_out = Some(PathBuf::from(value)),
        "--commit" => o.commit = value.to_owned(),
        _ => bail!("unknown option {flag}"),
    }
    Ok(())
}

/// The server binary exists (as an absolute path: the server runs in the data
/// directory) and PostgreSQL has a server to create databases on.
pub(crate) fn check_options(o: &mut Options) -> anyhow::Result<()> {
    o.mamori = std::path::absolute(&o.mamori)?;
    if !o.mamori.is_file() {
        bail!(
            "{} not found: build it with cargo build --release -p mamori",
            o.mamori.display()
        );
    }
    if o.backend == Backend::Postgres && o.postgres.is_none() {
        bail!("--backend postgres needs --postgres URL (a server where databases may be created)");
    }
    Ok(())
}
