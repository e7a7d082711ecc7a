//! `mamori-bench`: measures the information asset register the way people use it, on one
//! backend and one register size per run. Run it through `scripts/bench-assets`, which
//! builds the release binaries, starts a throwaway PostgreSQL and loops over sizes.
//!
//! One run: generate N assets through the store, time the store calls alone, start the
//! real `mamori serve` on that database, time the API (and the HTML page) over loopback,
//! export the whole register, read the server's peak memory, then time an import of a
//! generated .xlsx into a fresh database and the round trip through the import API (an
//! edited export with 10% updated rows; the first preview page of a 100,000-row CSV).
//! Prints a table and one JSON line.
//!
//! ```text
//! mamori-bench run --backend sqlite|postgres --size N [--requests 300] [--warmup 20]
//!                  [--mamori target/release/mamori] [--postgres URL] [--import-rows 10000]
//!                  [--export-runs 3] [--json-out FILE] [--commit REV]
//! mamori-bench upload --backend sqlite|postgres [--upload-mb 15] [--mamori PATH] [--postgres URL]
//!                                 # server memory while a large attachment goes in and out
//! mamori-bench load --backend B [--clients 200] [--seconds 60] [--assets 100000]
//!                                 # many clients at once: list, search, show, create
//! mamori-bench fuzz --backend B [--requests 10000]
//!                                 # generated requests to every API operation; 5xx fail
//! mamori-bench memory --backend B [--assets 100000]
//!                                 # RSS through list, export, fuzzing and uploads
//! mamori-bench incidents --database-url URL [--count 10000] [--requests 200]
//!                                 # listing and searching the incident register
//! mamori-bench summary FILE      # a table of every JSON line in FILE
//! mamori-bench generate --size N --data-dir DIR [--database-url URL]
//!                                 # only the data, to serve or inspect by hand
//! ```

mod audit;
mod data;
mod files;
mod fuzz;
mod imports;
mod incidents;
mod load;
mod memory;
mod options;
mod report;
mod server;
mod uploads;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use mamori_domain::asset::{AssetInput, Category, Holders, Status, header_field};
use mamori_domain::user::{LoginId, Role, UserType};
use mamori_store::assets::{self, Filter, Sort, Viewer};
use mamori_store::{Actor, Backend, Store};
use serde_json::{Value, json};
use sqlx::{Connection, Executor};

use data::AssetGen;
use files::*;
use load::emit;
use options::*;
use server::*;

/// The plain user who makes the requests.
const REQUESTER: &str = "bench.user";
/// The security officer, who sees (and exports) every asset.
const OFFICER: &str = "bench.officer";
const PASSWORD: &str = "a long benchmark pass phrase";
/// Assets per write transaction while generating.
const BATCH: usize = 10_000;
const SEED: u64 = 0x6d61_6d6f_7269;

struct Options {
    backend: Backend,
    size: usize,
    requests: usize,
    warmup: usize,
    mamori: PathBuf,
    postgres: Option<String>,
    import_rows: usize,
    export_runs: usize,
    json_out: Option<PathBuf>,
    commit: String,
    /// `upload`: the size of the attachment, in MiB.
    upload_mb: usize,
}

enum Mode {
    Run(Options),
    /// The audit trail at scale (see audit.rs).
    Audit(audit::AuditOptions),
    /// The incident register at scale (see incidents.rs).
    Incidents(incidents::IncidentOptions),
    Upload(Options),
    /// Many clients at once (see load.rs).
    Load(load::LoadOptions),
    /// Generated requests to every API operation (see fuzz.rs).
    Fuzz(fuzz::FuzzOptions),
    /// Memory through list, export, fuzzing and uploads (see memory.rs).
    Memory(memory::MemoryOptions),
    Summary(PathBuf),
    /// Only the data, kept (SQLite in the data directory, or the given database) to serve
    /// or inspect by hand.
    Generate {
        size: usize,
        data_dir: PathBuf,
        database_url: Option<String>,
    },
}

const USAGE: &str = "usage: mamori-bench run --backend sqlite|postgres --size N [--requests N] \
[--warmup N] [--mamori PATH] [--postgres URL] [--import-rows N] [--export-runs N] \
[--json-out FILE] [--commit REV]\n       mamori-bench upload --backend sqlite|postgres \
[--upload-mb N] [--mamori PATH] [--postgres URL]\n       mamori-bench summary FILE\n       \
mamori-bench generate --size N --data-dir DIR [--database-url URL]\n       \
mamori-bench audit --database-url URL --entries N [--mamori PATH] [--requests N]\n       \
mamori-bench incidents --database-url URL [--count N] [--requests N]\n       \
mamori-bench load|fuzz|memory --backend sqlite|postgres … (options: --help after each)";

fn parse_args() -> anyhow::Result<Mode> {
    let mut args = std::env::args().skip(1);
    let mut upload = false;
    match args.next().as_deref() {
        Some("summary") => {
            let file = args.next().ok_or_else(|| anyhow!("{USAGE}"))?;
            return Ok(Mode::Summary(PathBuf::from(file)));
        }
        Some("audit") => return Ok(Mode::Audit(audit::parse(args)?)),
        Some("incidents") => return Ok(Mode::Incidents(incidents::parse(args)?)),
        Some("load") => return Ok(Mode::Load(load::parse(args)?)),
        Some("fuzz") => return Ok(Mode::Fuzz(fuzz::parse(args)?)),
        Some("memory") => return Ok(Mode::Memory(memory::parse(args)?)),
        Some("run") => {}
        Some("upload") => upload = true,
        Some("generate") => {
            let (mut size, mut data_dir, mut database_url) = (10_000, None, None);
            while let Some(flag) = args.next() {
                let value = args.next().ok_or_else(|| anyhow!("{USAGE}"))?;
                match flag.as_str() {
                    "--size" => size = value.replace('_', "").parse()?,
                    "--data-dir" => data_dir = Some(PathBuf::from(value)),
                    "--database-url" => database_url = Some(value),
                    _ => bail!("unknown option {flag}\n{USAGE}"),
                }
            }
            let data_dir = data_dir.ok_or_else(|| anyhow!("--data-dir is required"))?;
            return Ok(Mode::Generate {
                size,
                data_dir,
                database_url,
            });
        }
        _ => bail!("{USAGE}"),
    }
    let mut o = default_options(10_000);
    for (flag, value) in flag_pairs(args, USAGE)? {
        let number = || parse_count(&flag, &value);
        match flag.as_str() {
            "--size" => o.size = number()?,
            "--requests" => o.requests = number()?.max(1),
            "--warmup" => o.warmup = number()?,
            "--import-rows" => o.import_rows = number()?,
            "--export-runs" => o.export_runs = number()?.max(1),
            "--upload-mb" => o.upload_mb = number()?.max(1),
            _ => common_option(&mut o, &flag, &value).with_context(|| USAGE.to_owned())?,
        }
    }
    check_options(&mut o)?;
    Ok(if upload {
        Mode::Upload(o)
    } else {
        Mode::Run(o)
    })
}

fn main() -> anyhow::Result<()> {
    let mode = parse_args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match mode {
        Mode::Summary(file) => report::summary(&file),
        Mode::Audit(options) => runtime.block_on(audit::run(options)),
        Mode::Incidents(options) => runtime.block_on(incidents::run(options)),
        Mode::Run(options) => runtime.block_on(run(options)),
        Mode::Load(options) => runtime.block_on(load::run(options)),
        Mode::Fuzz(options) => runtime.block_on(fuzz::run(options)),
        Mode::Memory(options) => runtime.block_on(memory::run(options)),
        Mode::Upload(options) => runtime.block_on(async {
            let result = uploads::run_upload(&options).await?;
            println!("JSON {}", serde_json::to_string(&result)?);
            Ok(())
        }),
        Mode::Generate {
            size,
            data_dir,
            database_url,
        } => runtime.block_on(async {
            std::fs::create_dir_all(&data_dir)?;
            let url =
                database_url.unwrap_or_else(|| mamori_store::sqlite_url_for_data_dir(&data_dir));
            let store = Store::open(&url).await?;
            create_users(&store).await?;
            generate(&store, size).await?;
            store.close().await;
            println!(
                "{size} assets in {}; users {REQUESTER}, {OFFICER}, bench.admin, giin01…, \
                 jimu01…, password \"{PASSWORD}\"",
                data_dir.display()
            );
            Ok(())
        }),
    }
}

// ---------------------------------------------------------------------------------------
// Databases

/// A fresh database and data directory; PostgreSQL databases are dropped by [`Db::remove`].
struct Db {
    url: String,
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl Db {
    async fn create(o: &Options, label: &str) -> anyhow::Result<Db> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("mamori-bench-{label}-"))
            .tempdir()?;
        match (&o.backend, &o.postgres) {
            (Backend::Postgres, Some(admin_url)) => {
                sqlx::any::install_default_drivers();
                let name = format!("mamori_bench_{label}_{}", std::process::id());
                let mut admin = sqlx::AnyConnection::connect(admin_url)
                    .await
                    .context("connecting to the PostgreSQL server")?;
                admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await?;
                admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
                    )))
                    .await?;
                admin.close().await?;
                let base = admin_url.rsplit_once('/').map_or(&**admin_url, |(b, _)| b);
                Ok(Db {
                    url: format!("{base}/{name}"),
                    dir,
                    postgres: Some((admin_url.clone(), name)),
                })
            }
            _ => Ok(Db {
                url: mamori_store::sqlite_url_for_data_dir(dir.path()),
                dir,
                postgres: None,
            }),
        }
    }

    async fn remove(self) -> anyhow::Result<()> {
        if let Some((admin_url, name)) = &self.postgres {
            let mut admin = sqlx::AnyConnection::connect(admin_url).await?;
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await?;
            admin.close().await?;
        }
        Ok(())
    }

    /// The database's size on disk, in bytes.
    async fn size(&self) -> Option<u64> {
        match &self.postgres {
            Some(_) => {
                sqlx::any::install_default_drivers();
                let mut conn = sqlx::AnyConnection::connect(&self.url).await.ok()?;
                let row: (i64,) = sqlx::query_as("SELECT pg_database_size(current_database())")
                    .fetch_one(&mut conn)
                    .await
                    .ok()?;
                Some(row.0 as u64)
            }
            None => std::fs::metadata(self.dir.path().join("mamori.sqlite3"))
                .ok()
                .map(|m| m.len()),
        }
    }
}

/// Creates the administrator, the security officer, the requesting user and the 38
/// holders (30 members, 8 staff); returns the requesting user's id.
async fn create_users(store: &Store) -> anyhow::Result<(i64, i64)> {
    // One hash for everyone: argon2 is slow on purpose.
    let hash = mamori_store::password::hash(PASSWORD).await?;
    let mut people: Vec<(String, String, Role, UserType)> = vec![
        (
            "bench.admin".into(),
            "管理 太郎".into(),
            Role::Admin,
            UserType::Staff,
        ),
        (
            OFFICER.into(),
            "情報 守".into(),
            Role::SecurityOfficer,
            UserType::Staff,
        ),
        (
            REQUESTER.into(),
            "事務 利用者".into(),
            Role::User,
            UserType::Staff,
        ),
    ];
    for user in data::holders() {
        let user_type = if user.member {
            UserType::Member
        } else {
            UserType::Staff
        };
        people.push((user.login, user.display_name, Role::User, user_type));
    }
    let mut tx = store.write(Actor::system("mamori-bench")).await?;
    let mut ids = Vec::new();
    for (login, name, role, user_type) in &people {
        let login = LoginId::parse(login).map_err(|p| anyhow!("{login}: {p:?}"))?;
        ids.push(
            mamori_store::users::create(
                &mut tx,
                mamori_store::users::NewUser {
                    login: &login,
                    display_name: name,
                    reading: None,
                    role: *role,
                    user_type: *user_type,
                    password_hash: &hash,
                    must_change_password: false,
                },
            )
            .await?,
        );
    }
    tx.commit().await?;
    Ok((ids[1], ids[2]))
}

async fn holders_of(store: &Store) -> anyhow::Result<Holders> {
    let (users, _) = mamori_store::users::list(store, 10_000, 0).await?;
    Ok(Holders::new(
        users.into_iter().map(|u| (u.id, u.login, u.display_name)),
    ))
}

async fn token_for(store: &Store, user_id: i64) -> anyhow::Result<String> {
    let mut tx = store.write(Actor::system("mamori-bench")).await?;
    let (_, token) = mamori_store::tokens::create(&mut tx, user_id, "benchmark").await?;
    tx.commit().await?;
    Ok(token)
}

/// Writes `n` generated assets through `create_many`, [`BATCH`] per transaction.
async fn generate(store: &Store, n: usize) -> anyhow::Result<()> {
    let scheme = mamori_store::classification::active(store).await?;
    let holders = holders_of(store).await?;
    let mut asset_gen = AssetGen::new(SEED, REQUESTER);
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(BATCH);
        let mut checked = Vec::with_capacity(batch);
        for i in 0..batch {
            let input = asset_gen.next_input();
            let asset = input
                .check(&scheme, &holders)
                .map_err(|p| anyhow!("generated asset {} refused: {p:?}", done + i))?;
            checked.push(asset);
        }
        let mut tx = store.write(Actor::system("mamori-bench")).await?;
        assets::create_many(&mut tx, &checked, &scheme, "mamori-bench", "").await?;
        tx.commit().await?;
        done += batch;
        eprint!("\r  generated {done}/{n}");
    }
    eprintln!();
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Measuring

/// Milliseconds of some samples: median, 99th percentile and maximum (nearest rank).
fn stats(mut samples: Vec<f64>) -> Value {
    if samples.is_empty() {
        return Value::Null;
    }
    samples.sort_by(f64::total_cmp);
    let rank =
        |p: f64| samples[((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1];
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    json!({
        "n": samples.len(),
        "median": round(rank(0.5)),
        "p99": round(rank(0.99)),
        "max": round(samples[samples.len() - 1]),
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One measured request of the register: the same question asked of the API and of the
/// store.
struct Case {
    name: &'static str,
    params: Vec<(&'static str, &'static str)>,
    filter: Filter,
}

fn cases() -> Vec<Case> {
    let q = |text: &str| Filter {
        q: text.to_owned(),
        ..Filter::default()
    };
    vec![
        Case {
            name: "list, no filter",
            params: vec![],
            filter: Filter::default(),
        },
        Case {
            name: "list category=information status=in_use",
            params: vec![("category", "information"), ("status", "in_use")],
            filter: Filter {
                category: Some(Category::Information),
                status: Some(Status::InUse),
                ..Filter::default()
            },
        },
        Case {
            name: "search 議事 (2 chars)",
            params: vec![("q", "議事")],
            filter: q("議事"),
        },
        Case {
            name: "search 会議録",
            params: vec![("q", "会議録")],
            filter: q("会議録"),
        },
        Case {
            name: "search ﾀﾌﾞﾚｯﾄ (half-width)",
            params: vec![("q", "ﾀﾌﾞﾚｯﾄ")],
            filter: q("ﾀﾌﾞﾚｯﾄ"),
        },
        Case {
            name: "search 政務活動費収支報告書",
            params: vec![("q", "政務活動費収支報告書")],
            filter: q("政務活動費収支報告書"),
        },
        Case {
            name: "search 総務委員会 令和5年 (2 terms)",
            params: vec![("q", "総務委員会 令和5年")],
            filter: q("総務委員会 令和5年"),
        },
    ]
}

/// The store call alone (count, page and tags), in process.
async fn time_store(
    store: &Store,
    viewer: Viewer,
    filter: &Filter,
    warmup: usize,
    n: usize,
) -> anyhow::Result<Value> {
    let mut samples = Vec::with_capacity(n);
    let mut count_samples = Vec::with_capacity(n);
    let mut total = 0;
    let mut rows = 0;
    for i in 0..warmup + n {
        let start = Instant::now();
        let page = assets::list(store, viewer, filter, Sort::Newest, 0, 50).await?;
        let took = ms(start.elapsed());
        let start = Instant::now();
        assets::count(store, viewer, filter).await?;
        let count_took = ms(start.elapsed());
        if i >= warmup {
            samples.push(took);
            count_samples.push(count_took);
        }
        total = page.total;
        rows = page.assets.len();
    }
    Ok(json!({
        "list": stats(samples),
        "count": stats(count_samples),
        "total": total,
        "rows": rows,
    }))
}

/// What the server says it spent: `Server-Timing: app;dur=<ms>`.
fn server_timing(headers: &reqwest::header::HeaderMap) -> Option<f64> {
    let value = headers.get("server-timing")?.to_str().ok()?;
    value.split(',').find_map(|metric| {
        let mut parts = metric.split(';').map(str::trim);
        if parts.next()? != "app" {
            return None;
        }
        parts.find_map(|p| p.strip_prefix("dur=")?.parse().ok())
    })
}

/// GETs `url` `warmup + n` times, one at a time over one kept-alive connection.
async fn time_http(
    client: &reqwest::Client,
    url: &reqwest::Url,
    warmup: usize,
    n: usize,
) -> anyhow::Result<Value> {
    let mut wall = Vec::with_capacity(n);
    let mut server = Vec::with_capacity(n);
    let mut last: Vec<u8> = Vec::new();
    for i in 0..warmup + n {
        let start = Instant::now();
        let response = client.get(url.clone()).send().await?;
        let status = response.status();
        let timing = server_timing(response.headers());
        let body = response.bytes().await?;
        let took = ms(start.elapsed());
        if !status.is_success() {
            return Ok(json!({
                "unavailable": format!("HTTP {}", status.as_u16()),
                "body": String::from_utf8_lossy(&body[..body.len().min(200)]),
            }));
        }
        if i >= warmup {
            wall.push(took);
            if let Some(t) = timing {
                server.push(t);
            }
        }
        last = body.to_vec();
    }
    let mut result = json!({
        "wall": stats(wall),
        "server": stats(server),
        "bytes": last.len(),
    });
    if let Ok(body) = serde_json::from_slice::<Value>(&last) {
        result["total"] = body["total"].clone();
        result["rows"] = json!(body["items"].as_array().map(Vec::len));
    }
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// One run

async fn run(o: Options) -> anyhow::Result<()> {
    let db = Db::create(&o, &format!("{}k", o.size / 1000)).await?;
    let import_db = Db::create(&o, "import").await?;
    let result = measure(&o, &db, &import_db).await;
    let cleanup = (db.remove().await, import_db.remove().await);
    let result = result?;
    cleanup.0?;
    cleanup.1?;
    report::print_run(&result);
    load::emit(o.json_out.as_deref(), &result)
}

async fn measure(o: &Options, db: &Db, import_db: &Db) -> anyhow::Result<Value> {
    let backend = o.backend.name();
    eprintln!("== {backend}, {} assets", o.size);
    let mut result = json!({
        "bench": "assets",
        "backend": backend,
        "size": o.size,
        "requests": o.requests,
        "warmup": o.warmup,
        "commit": o.commit,
        "at": time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
        "load_average_before": load_average(),
    });

    // 1. Data, straight through the store.
    let store = Store::open(&db.url).await?;
    let (officer_id, requester_id) = create_users(&store).await?;
    let start = Instant::now();
    generate(&store, o.size).await?;
    result["generate_s"] = json!(round2(start.elapsed().as_secs_f64()));
    if o.backend == Backend::Postgres {
        // A server that has run a while has had autovacuum vacuum and analyse the tables
        // (statistics, and the visibility map that index-only scans need); a fresh bulk
        // load has not, and autovacuum would do it in the middle of the measurements.
        // SQLite is measured as mamori leaves it.
        let mut conn = sqlx::AnyConnection::connect(&db.url).await?;
        conn.execute("VACUUM ANALYZE").await?;
        conn.close().await?;
    }
    result["database_mib"] = json!(db.size().await.map(|b| round2(b as f64 / 1_048_576.0)));
    let user_token = token_for(&store, requester_id).await?;
    let officer_token = token_for(&store, officer_id).await?;

    // 2. The store calls alone, in process, as the plain user.
    let viewer = Viewer {
        user_id: Some(requester_id),
        sees_restricted: false,
    };
    let mut cases_out = Vec::new();
    for case in cases() {
        eprintln!("  store: {}", case.name);
        let bare = time_store(&store, viewer, &case.filter, o.warmup, o.requests).await?;
        cases_out.push(json!({ "name": case.name, "store": bare }));
    }

    // 3. The real server.
    let mut server = Server::start(&o.mamori, db)?;
    let plain = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()?;
    let ready = server.wait_healthy(&plain).await?;
    result["serve_ready_ms"] = json!(round2(ms(ready)));
    let backup = server.wait_daily_backup().await?;
    result["startup_backup_s"] = json!(backup.map(|d| round2(d.as_secs_f64())));
    result["memory"] = json!({
        "start_hwm_mib": server.memory("VmHWM"),
        "start_rss_mib": server.memory("VmRSS"),
    });
    let peak_reset = server.reset_peak();
    result["memory"]["peak_reset_after_start"] = json!(peak_reset);

    let auth = |token: &str| -> anyhow::Result<reqwest::Client> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse()?,
        );
        Ok(reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(300))
            .build()?)
    };
    let api = auth(&user_token)?;
    let mut server_timing_seen = false;
    for (case, out) in cases().iter().zip(cases_out.iter_mut()) {
        eprintln!("  api: {}", case.name);
        let mut params = case.params.clone();
        params.push(("per_page", "50"));
        let url = server.url("/api/v1/assets", &params)?;
        let http = time_http(&api, &url, o.warmup, o.requests).await?;
        server_timing_seen |= !http["server"].is_null();
        out["path"] = json!(url.as_str().trim_start_matches(&server.base));
        out["api"] = http;
    }
    result["cases"] = json!(cases_out);
    result["memory"]["api_hwm_mib"] = json!(server.memory("VmHWM"));

    // 4. Export of the whole register, by the security officer.
    eprintln!("  export");
    let officer = auth(&officer_token)?;
    result["export"] = export(o, db, &server, &officer, &store).await?;
    result["memory"]["export_hwm_mib"] = json!(server.memory("VmHWM"));

    // 5. The HTML page, as a signed-in browser (one argon2 check: ~19 MiB on its own).
    eprintln!("  html");
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(300))
        .build()?;
    let signed_in = browser
        .post(server.url("/login", &[])?)
        .form(&[("login", REQUESTER), ("password", PASSWORD)])
        .send()
        .await?;
    let html = if signed_in.status().is_redirection() {
        let url = server.url("/assets", &[("category", "information")])?;
        let mut html = time_http(&browser, &url, o.warmup, o.requests).await?;
        server_timing_seen |= !html["server"].is_null();
        html["path"] = json!("/assets?category=information");
        html
    } else {
        json!({ "unavailable": format!("sign-in answered {}", signed_in.status()) })
    };
    result["html"] = html;
    result["memory"]["final_hwm_mib"] = json!(server.memory("VmHWM"));
    result["memory"]["final_rss_mib"] = json!(server.memory("VmRSS"));
    result["server_timing_header"] = json!(server_timing_seen);
    server.stop();
    store.close().await;

    // 6. Import of a generated .xlsx into a fresh database.
    eprintln!("  import");
    result["import"] = import(o, import_db).await?;
    // 7. The round trip through the server's import API, on that imported register.
    eprintln!("  import round trip");
    result["import_round_trip"] = imports::round_trip(o, import_db).await?;
    result["load_average_after"] = json!(load_average());
    Ok(result)
}

/// The 1-minute load average: the machine is shared, and a busy one shows in the figures.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
