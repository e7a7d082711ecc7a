//! `mamori-bench memory`: the server's resident memory (RSS, from /proc) through the
//! things that used to leave it large, on one register of `--assets` assets:
//! 1. serving list and search to 50 connections for 15 s (peak and after);
//! 2. exporting the whole register as .xlsx and as CSV;
//! 3. the fuzzer's `--fuzz-requests` generated requests;
//! 4. `--uploads` attachments of `--upload-mb` MiB each, two at a time.
//!
//! After each of 2–4 the server is left idle for a minute, RSS read every second: when it
//! first was under 80 MiB and what it was at the end. The allocator's settings come from
//! the environment the benchmark is run in (e.g. `MALLOC_ARENA_MAX`, `LD_PRELOAD`).

use super::fuzz::{findings_json, fuzz, settle, tokens};
use super::load::{Dice, bearer, stats_wide};
use super::*;

pub const USAGE: &str = "mamori-bench memory --backend sqlite|postgres [--postgres URL] \
[--assets 100000] [--fuzz-requests 10000] [--uploads 6] [--upload-mb 15] [--mamori PATH] \
[--json-out FILE] [--commit REV]";

/// Resident memory the server must come back under after a burst, in MiB.
const SETTLED_LIMIT: f64 = 80.0;

pub struct MemoryOptions {
    pub base: Options,
    pub fuzz_requests: usize,
    pub uploads: usize,
}

pub fn parse(args: impl Iterator<Item = String>) -> anyhow::Result<MemoryOptions> {
    let mut o = MemoryOptions {
        base: default_options(100_000),
        fuzz_requests: 10_000,
        uploads: 6,
    };
    for (flag, value) in flag_pairs(args, USAGE)? {
        let number = || parse_count(&flag, &value);
        match flag.as_str() {
            "--assets" => o.base.size = number()?,
            "--fuzz-requests" => o.fuzz_requests = number()?,
            "--uploads" => o.uploads = number()?,
            "--upload-mb" => o.base.upload_mb = number()?.max(1),
            _ => common_option(&mut o.base, &flag, &value).with_context(|| USAGE.to_owned())?,
        }
    }
    check_options(&mut o.base)?;
    Ok(o)
}

pub async fn run(o: MemoryOptions) -> anyhow::Result<()> {
    let db = Db::create(&o.base, &format!("mem{}k", o.base.size / 1000)).await?;
    let result = measure(&o, &db).await;
    db.remove().await?;
    let result = result?;
    println!(
        "\nmemory, {} ({} assets; MALLOC_ARENA_MAX={}, LD_PRELOAD={}):",
        result["backend"].as_str().unwrap_or("?"),
        result["assets"],
        result["malloc_arena_max"].as_str().unwrap_or("-"),
        result["ld_preload"].as_str().unwrap_or("-"),
    );
    for phase in ["start", "list_search", "export", "fuzz", "uploads"] {
        println!("  {phase:<12} {}", result[phase]);
    }
    emit(o.base.json_out.as_deref(), &result)
}

/// 50 connections asking for list pages and searches for 15 s.
async fn list_and_search(server: &Server, token: &str) -> anyhow::Result<Value> {
    let until = Instant::now() + Duration::from_secs(15);
    let words = ["議事", "会議録", "タブレット", "総務委員会 令和5年", ""];
    let mut tasks = Vec::new();
    for index in 0..50u64 {
        let client = bearer(token)?;
        let base = server.base.clone();
        tasks.push(tokio::spawn(async move {
            let mut dice = Dice::new(SEED ^ (index + 7));
            let (mut samples, mut errors) = (Vec::new(), 0usize);
            while Instant::now() < until {
                let word = words[dice.below(words.len() as u64) as usize];
                let page = (1 + dice.below(3)).to_string();
                let url = reqwest::Url::parse_with_params(
                    &format!("{base}/api/v1/assets"),
                    &[("q", word), ("page", &page)],
                )
                .expect("a valid URL");
                let start = Instant::now();
                match client.get(url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => errors += 1,
                }
                samples.push(ms(start.elapsed()));
            }
            (samples, errors)
        }));
    }
    let (mut samples, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (s, e) = task.await?;
        samples.extend(s);
        errors += e;
    }
    Ok(json!({
        "hwm_mib": server.memory("VmHWM"),
        "rss_after_mib": server.memory("VmRSS"),
        "errors": errors,
        "latency": stats_wide(samples),
    }))
}

async fn export_all(server: &Server, officer: &reqwest::Client) -> anyhow::Result<Value> {
    let mut out = serde_json::Map::new();
    for format in ["xlsx", "csv"] {
        let start = Instant::now();
        let mut response = officer
            .get(server.url(&format!("/api/v1/assets/export.{format}"), &[])?)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("export.{format} answered {}", response.status());
        }
        let mut bytes = 0usize;
        while let Some(chunk) = response.chunk().await? {
            bytes += chunk.len();
        }
        out.insert(
            format.to_owned(),
            json!({
                "s": round2(start.elapsed().as_secs_f64()),
                "mib": round2(bytes as f64 / 1_048_576.0),
                "hwm_mib": server.memory("VmHWM"),
            }),
        );
    }
    out.insert("rss_after_mib".to_owned(), json!(server.memory("VmRSS")));
    Ok(Value::Object(out))
}

async fn measure(o: &MemoryOptions, db: &Db) -> anyhow::Result<Value> {
    let backend = o.base.backend.name();
    eprintln!("== memory: {backend}, {} assets", o.base.size);
    let store = Store::open(&db.url).await?;
    let (officer, requester) = create_users(&store).await?;
    generate(&store, o.base.size).await?;
    if o.base.backend == Backend::Postgres {
        let mut conn = sqlx::AnyConnection::connect(&db.url).await?;
        conn.execute("VACUUM ANALYZE").await?;
        conn.close().await?;
    }
    let [admin_token, officer_token, user_token] = tokens(&store, officer, requester).await?;
    store.close().await;
    let server = Server::start_ready(&o.base.mamori, db).await?;
    let mut result = json!({
        "bench": "memory",
        "backend": backend,
        "assets": o.base.size,
        "commit": o.base.commit,
        "malloc_arena_max": std::env::var("MALLOC_ARENA_MAX").ok(),
        "ld_preload": std::env::var("LD_PRELOAD").ok(),
        "malloc_tuning": std::env::var("MAMORI_MALLOC_TUNING").ok(),
        "start": { "rss_mib": server.memory("VmRSS"), "hwm_mib": server.memory("VmHWM") },
    });
    server.reset_peak();

    eprintln!("  list and search, 50 connections, 15 s");
    result["list_search"] = list_and_search(&server, &user_token).await?;

    eprintln!("  export");
    server.reset_peak();
    let officer_client = bearer(&officer_token)?;
    let mut export = export_all(&server, &officer_client).await?;
    export["settled"] = settle(&server, SETTLED_LIMIT).await;
    result["export"] = export;

    eprintln!("  fuzz, {} requests", o.fuzz_requests);
    server.reset_peak();
    let findings = fuzz(
        &server,
        [&admin_token, &officer_token, &user_token],
        o.fuzz_requests,
        8,
    )
    .await?;
    result["fuzz"] = json!({
        "findings": findings_json(&findings),
        "hwm_mib": server.memory("VmHWM"),
        "rss_after_mib": server.memory("VmRSS"),
        "settled": settle(&server, SETTLED_LIMIT).await,
    });

    eprintln!("  {} uploads of {} MiB", o.uploads, o.base.upload_mb);
    server.reset_peak();
    let asset = 1 + (o.base.size as i64 / 2);
    let bytes = uploads::document(o.base.upload_mb * 1024 * 1024);
    let mut done = 0;
    while done < o.uploads {
        let pair = (o.uploads - done).min(2);
        let sends = (0..pair).map(|_| uploads::upload(&officer_client, &server, asset, &bytes));
        for sent in join_all(sends.collect()).await {
            sent?;
        }
        done += pair;
    }
    result["uploads"] = json!({
        "count": o.uploads,
        "mib_each": o.base.upload_mb,
        "hwm_mib": server.memory("VmHWM"),
        "rss_after_mib": server.memory("VmRSS"),
        "settled": settle(&server, SETTLED_LIMIT).await,
    });
    server.stop();
    Ok(result)
}

/// Awaits futures side by side on this task and returns their outputs in order.
pub(crate) async fn join_all<T, F: std::future::Future<Output = T>>(futures: Vec<F>) -> Vec<T> {
    let mut pending: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<T>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, f) in pending.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => done[i] = Some(v),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    done.into_iter().flatten().collect()
}
