//! `mamori-bench audit`: the audit trail at scale. Writes N chained entries straight into
//! the database (as `append` would chain them, many per statement), then times a full
//! `mamori audit verify` and an incremental one by the real binary, and the first page
//! of the unfiltered list with its exact total: through the store (the query behind
//! `/audit` and `/api/v1/audit`), median and p95, and through a real `mamori serve` —
//! `/api/v1/audit` with a token and the `/audit` page signed in as the security officer
//! — median and p99, wall time and the server's own Server-Timing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use mamori_store::Store;
use mamori_store::audit::{self, AuditFilter, AuditRecord, GENESIS_HASH};

use crate::server::Server;
use sqlx::{Connection, Executor};

pub const USAGE: &str = "mamori-bench audit --database-url URL --entries N [--mamori PATH] \
[--requests N]";

pub struct AuditOptions {
    pub database_url: String,
    pub entries: usize,
    pub mamori: PathBuf,
    pub requests: usize,
}

pub fn parse(mut args: impl Iterator<Item = String>) -> anyhow::Result<AuditOptions> {
    let mut o = AuditOptions {
        database_url: String::new(),
        entries: 1_000_000,
        mamori: PathBuf::from("target/release/mamori"),
        requests: 200,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| anyhow!("{USAGE}"))?;
        match flag.as_str() {
            "--database-url" => o.database_url = value,
            "--entries" => o.entries = value.replace('_', "").parse()?,
            "--mamori" => o.mamori = PathBuf::from(value),
            "--requests" => o.requests = value.parse::<usize>()?.max(1),
            _ => bail!("unknown option {flag}\n{USAGE}"),
        }
    }
    if o.database_url.is_empty() {
        bail!("--database-url is required\n{USAGE}");
    }
    Ok(o)
}

/// Rows per INSERT: nine bound values each, within both databases' limits on bound values.
const ROWS_PER_INSERT: usize = 500;

/// Appends `count` chained entries after the current head, in transactions of 20,000.
async fn generate(url: &str, store: &Store, count: usize) -> anyhow::Result<()> {
    let head = mamori_store::audit_checks::head(store).await?;
    let mut prev = head.map_or_else(|| GENESIS_HASH.to_owned(), |h| h.hash);
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let mut written = 0;
    while written < count {
        let mut tx = conn.begin().await?;
        let in_tx = (count - written).min(20_000);
        let mut done = 0;
        while done < in_tx {
            let rows = (in_tx - done).min(ROWS_PER_INSERT);
            let mut sql = String::from(
                "INSERT INTO audit_log (at, actor_id, actor_label, client_addr, action, \
                 target_type, target_id, changes, prev_hash, hash, format) VALUES ",
            );
            let mut records = Vec::with_capacity(rows);
            for n in 0..rows {
                let seq = written + done + n;
                let record = AuditRecord {
                    id: 0,
                    at: mamori_store::now_text(),
                    actor_id: None,
                    actor_label: format!("bench.user{:03}", seq % 200),
                    client_addr: Some("192.0.2.10".to_owned()),
                    action: "asset.update".to_owned(),
                    target_type: "asset".to_owned(),
                    target_id: Some((seq % 100_000).to_string()),
                    changes: format!(r#"{{"location":["庁舎3階","庁舎{}階"]}}"#, seq % 9),
                    format: audit::FORMAT,
                    original_digest: None,
                    redacted_by: None,
                };
                let hash = audit::seal(&prev, &record);
                let p = n * 9;
                sql.push_str(&format!(
                    "{}(${}, NULL, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, {})",
                    if n == 0 { "" } else { ", " },
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8,
                    p + 9,
                    audit::FORMAT
                ));
                records.push((record, prev.clone(), hash.clone()));
                prev = hash;
            }
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (r, prev_hash, hash) in records {
                query = query
                    .bind(r.at)
                    .bind(r.actor_label)
                    .bind(r.client_addr)
                    .bind(r.action)
                    .bind(r.target_type)
                    .bind(r.target_id)
                    .bind(r.changes)
                    .bind(prev_hash)
                    .bind(hash);
            }
            tx.execute(query).await?;
            done += rows;
        }
        tx.commit().await?;
        written += in_tx;
    }
    conn.close().await?;
    Ok(())
}

fn run_mamori(mamori: &Path, url: &str, args: &[&str]) -> anyhow::Result<(Duration, String)> {
    let started = Instant::now();
    let out = Command::new(mamori)
        .args(args)
        .env("MAMORI_DATABASE_URL", url)
        .env("LANG", "en")
        .output()
        .with_context(|| format!("running {}", mamori.display()))?;
    let elapsed = started.elapsed();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        bail!("mamori {} failed: {text}", args.join(" "));
    }
    Ok((elapsed, text.trim().to_owned()))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

pub async fn run(o: AuditOptions) -> anyhow::Result<()> {
    let store = Store::open(&o.database_url).await?;
    let started = Instant::now();
    generate(&o.database_url, &store, o.entries).await?;
    println!(
        "generation of {} entries: {:.1} s",
        o.entries,
        started.elapsed().as_secs_f64()
    );

    let (full, text) = run_mamori(&o.mamori, &o.database_url, &["audit", "verify"])?;
    println!(
        "mamori audit verify (full): {:.2} s  [{text}]",
        full.as_secs_f64()
    );
    generate(&o.database_url, &store, 1_000).await?;
    let (quick, text) = run_mamori(
        &o.mamori,
        &o.database_url,
        &["audit", "verify", "--incremental"],
    )?;
    println!(
        "mamori audit verify --incremental (1,000 new): {:.2} s  [{text}]",
        quick.as_secs_f64()
    );

    let mut times = Vec::with_capacity(o.requests);
    let mut total = 0;
    for _ in 0..o.requests + 10 {
        let started = Instant::now();
        let (rows, count) = audit::search(&store, &AuditFilter::default(), 100, 0).await?;
        times.push(started.elapsed());
        assert_eq!(rows.len(), 100);
        total = count;
    }
    let mut measured = times.split_off(10);
    measured.sort();
    println!(
        "first page (100 newest, exact total {total}) through the store: median {}, p95 {}",
        ms(percentile(&measured, 0.5)),
        ms(percentile(&measured, 0.95))
    );
    through_server(&o, &store).await?;
    store.close().await;
    Ok(())
}

/// The first page of `/api/v1/audit` and `/audit` through a real `mamori serve`.
async fn through_server(o: &AuditOptions, store: &Store) -> anyhow::Result<()> {
    let (officer_id, _) = super::create_users(store).await?;
    let token = super::token_for(store, officer_id).await?;
    let dir = tempfile::Builder::new()
        .prefix("mamori-bench-audit-")
        .tempdir()?;
    let mut server = Server::start_at(&o.mamori, dir.path(), &o.database_url)?;
    let plain = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()?;
    server.wait_healthy(&plain).await?;
    // The start-up backup copies the whole trail: measured after it, not beside it.
    if let Some(took) = server.wait_daily_backup().await? {
        println!("serve's start-up backup: {:.1} s", took.as_secs_f64());
    }
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse()?,
    );
    let api = reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(300))
        .build()?;
    let url = server.url("/api/v1/audit", &[])?;
    let timed = super::time_http(&api, &url, 10, o.requests).await?;
    report_http("GET /api/v1/audit (first page, exact total)", &timed);

    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(300))
        .build()?;
    let signed_in = browser
        .post(server.url("/login", &[])?)
        .form(&[("login", super::OFFICER), ("password", super::PASSWORD)])
        .send()
        .await?;
    if !signed_in.status().is_redirection() {
        bail!(
            "signing in as {} answered {}",
            super::OFFICER,
            signed_in.status()
        );
    }
    let url = server.url("/audit", &[])?;
    let timed = super::time_http(&browser, &url, 10, o.requests).await?;
    report_http("GET /audit (the page, first page)", &timed);
    server.stop();
    Ok(())
}

fn report_http(what: &str, timed: &serde_json::Value) {
    let shown = |v: &serde_json::Value| {
        v.as_f64()
            .map_or_else(|| "-".to_owned(), |x| format!("{x:.2} ms"))
    };
    if let Some(why) = timed["unavailable"].as_str() {
        println!("{what} through mamori serve: unavailable ({why})");
        return;
    }
    println!(
        "{what} through mamori serve: wall median {}, p99 {}; server-side median {}, p99 {}; total {}",
        shown(&timed["wall"]["median"]),
        shown(&timed["wall"]["p99"]),
        shown(&timed["server"]["median"]),
        shown(&timed["server"]["p99"]),
        timed["total"],
    );
}
