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

/// The `--flag value` pairs of a command line, or what is missing.
pub(crate) fn flag_pairs(
    mut args: impl Iterator<Item = String>,
    usage: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow!("{flag} needs a value\n{usage}"))?;
        pairs.push((flag, value));
    }
    Ok(pairs)
}

/// A count as typed, `100_000` included.
pub(crate) fn parse_count(flag: &str, value: &str) -> anyhow::Result<usize> {
    value
        .replace('_', "")
        .parse()
        .with_context(|| format!("{flag} {value}: not a number"))
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
